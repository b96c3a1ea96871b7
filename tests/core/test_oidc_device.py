"""Generic device sign-in (``provider = "oauth2"``, ``flow = "device"``) against the real OpenID
provider the tests run (node oidc-provider with its ``deviceFlow`` feature): the device endpoint
comes from discovery, the person approves in "another browser" (this test, posting the
provider's confirmation form), and the CLI's polling gets the token."""

from __future__ import annotations

import html
import re
import subprocess
import sys
import time
from urllib.parse import urljoin

import httpx
import pytest

from tests.support.cli import musicauth, stored_record
from tests.support.oidc_provider import run_oidc_provider

pytestmark = pytest.mark.oidc


@pytest.fixture(scope="module")
def oidc():  # type: ignore[no-untyped-def]
    with run_oidc_provider(access_token_ttl=600) as provider:
        yield provider


def approve_as_a_person(url: str) -> str:
    """Open ``url`` (the complete verification URI) and confirm, following every redirect
    through the provider's interactions as a browser would; the last page's text."""
    with httpx.Client(follow_redirects=True, timeout=10) as browser:
        page = browser.get(url)
        for _ in range(3):  # the code (filled in), then the confirmation
            form = re.search(r'<form[^>]*action="([^"]+)"[^>]*>(.*?)</form>', page.text, re.S)
            if form is None:
                break
            fields = dict(re.findall(r'<input[^>]*name="([^"]+)"[^>]*value="([^"]*)"', form.group(2)))
            fields = {name: html.unescape(value) for name, value in fields.items()}
            page = browser.post(urljoin(str(page.url), html.unescape(form.group(1))), data=fields)
        return page.text


def test_device_sign_in_from_discovery_against_a_real_provider(tmp_path, oidc) -> None:  # type: ignore[no-untyped-def]
    (tmp_path / "p.toml").write_text(
        f'[profiles.tv]\nprovider = "oauth2"\nflow = "device"\nclient_id = "musicauth-device"\n'
        f'issuer = "{oidc.issuer}"\nscopes = ["openid", "profile"]\n'
    )
    assert musicauth("profile", "import", str(tmp_path / "p.toml")).returncode == 0
    proc = subprocess.Popen(
        [sys.executable, "-m", "musicauth_gui.cli", "login", "tv", "--no-browser"],
        stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    try:
        assert proc.stderr is not None
        shown = ""
        deadline = time.monotonic() + 20
        while "filled in" not in shown:
            assert time.monotonic() < deadline, shown
            shown += proc.stderr.readline()
        complete = re.search(r"\(or open (\S+), which has the code filled in\)", shown)
        assert complete, shown
        assert f"open {oidc.issuer}/device on any device" in shown
        user_code = re.search(r"^ {4}(\S+)$", shown, re.M)
        assert user_code and user_code.group(1).replace("-", "") in complete.group(1).replace("-", "")
        assert "Sign-in Success" in approve_as_a_person(complete.group(1))
        _, err = proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
    assert proc.returncode == 0, err
    token = stored_record("tv")["token"]
    introspected = httpx.post(
        f"{oidc.issuer}/token/introspection", data={"token": token["access_token"], "client_id": "musicauth-device"}
    ).json()
    assert introspected["active"] is True and introspected["sub"] == "test-user-1"
    assert musicauth("token", "tv").stdout.strip() == token["access_token"]
