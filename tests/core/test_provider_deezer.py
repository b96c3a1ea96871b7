"""The real ``musicauth`` command line against the Deezer emulator: ``app_id``/``secret``/``perms``,
the token by GET with ``output=json`` (and the form-encoded answer without it), ``expires`` with
0 for never, the refusal's ``error_reason``, the token as ``?access_token=``, and errors inside
200 answers."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import httpx
import pytest

from musicauth_gui.core.errors import InvalidGrant, ProviderRejected
from musicauth_gui.core.oauth.deezer import parse_answer
from musicauth_gui.sandbox import DeezerServer
from tests.core.conftest import CLIENT_ID, CLIENT_SECRET, profiles_file
from tests.support.cli import assert_one_clean_line, browser_env, musicauth, stored_record


def with_profile(tmp_path: Path, deezer: DeezerServer, *, perms: str = "basic_access,email,offline_access") -> None:
    text = f"""
[profiles.dz]
provider = "deezer"
client_id = "{CLIENT_ID}"
client_secret = "{CLIENT_SECRET}"
scopes = {json.dumps(perms.split(","))}
authorization_endpoint = "{deezer.url('/oauth/auth.php')}"
token_endpoint = "{deezer.url('/oauth/access_token.php')}"
try_url = "{deezer.url('/user/me')}"
"""
    assert musicauth("profile", "import", str(profiles_file(tmp_path, text))).returncode == 0


def test_sign_in_with_app_id_perms_and_a_get_for_the_token(tmp_path, deezer) -> None:  # type: ignore[no-untyped-def]
    with_profile(tmp_path, deezer)
    login = musicauth("login", "dz", env=browser_env())
    assert login.returncode == 0, login.stderr
    page = next(r for r in deezer.requests if r.path == "/oauth/auth.php")
    assert page.query["app_id"] == CLIENT_ID and page.query["perms"] == "basic_access,email,offline_access"
    assert "client_id" not in page.query and "code_challenge" not in page.query
    exchange = next(r for r in deezer.requests if r.path == "/oauth/access_token.php")
    assert exchange.method == "GET"
    assert exchange.query["secret"] == CLIENT_SECRET and exchange.query["output"] == "json"
    token = stored_record("dz")["token"]
    assert token.get("expires_at") is None and token.get("refresh_token") is None  # expires=0: never
    assert deezer.is_access_token_active(token["access_token"])


def test_a_lifetime_from_expires(tmp_path, deezer) -> None:  # type: ignore[no-untyped-def]
    with_profile(tmp_path, deezer, perms="basic_access")
    assert musicauth("login", "dz", env=browser_env()).returncode == 0
    answer = json.loads(musicauth("token", "dz", "--format", "json").stdout)
    assert 3590 <= answer["expires_in"] <= 3600 and answer["authorization_header"] is None
    result = musicauth("refresh", "dz")  # no refresh token at Deezer: sign in again
    assert_one_clean_line(result, "needs sign-in")
    assert result.returncode == 3


def test_the_token_goes_in_the_query(tmp_path, deezer) -> None:  # type: ignore[no-untyped-def]
    with_profile(tmp_path, deezer)
    assert musicauth("login", "dz", env=browser_env()).returncode == 0
    token = stored_record("dz")["token"]["access_token"]
    header = musicauth("token", "dz", "--format", "header")
    assert_one_clean_line(header, "Deezer takes the token as the URL's access_token query parameter, not in an Authorization header")
    curl = musicauth("token", "dz", "--format", "curl")
    assert curl.stdout.strip() == f"curl '{deezer.url('/user/me')}?access_token={token}'"
    tried = musicauth("try", "dz")
    assert tried.returncode == 0, tried.stderr
    assert "sandbox-listener" in tried.stdout
    call = next(r for r in deezer.requests if r.path == "/user/me")
    assert call.query == {"access_token": token} and "authorization" not in call.headers
    script = "import os; print(os.environ['MUSICAUTH_TOKEN'], 'MUSICAUTH_AUTHORIZATION' in os.environ)"
    shown = musicauth("exec", "dz", "--", sys.executable, "-c", script)
    assert shown.stdout.split() == [token, "False"]


def test_an_error_inside_a_200_answer_is_a_refusal(tmp_path, deezer) -> None:  # type: ignore[no-untyped-def]
    with_profile(tmp_path, deezer)
    assert musicauth("login", "dz", env=browser_env()).returncode == 0
    deezer.revoke_all_for_user()
    tried = musicauth("try", "dz")
    assert tried.returncode == 4
    assert tried.stdout.startswith("200 ") and '"code": 300' in tried.stdout


def test_refusal_comes_back_as_error_reason(tmp_path, deezer) -> None:  # type: ignore[no-untyped-def]
    with_profile(tmp_path, deezer)
    deezer.consent = "deny"
    result = musicauth("login", "dz", env=browser_env())
    assert_one_clean_line(result, "refused at the provider (user_denied)", "nothing was stored")
    assert stored_record("dz")["token"] is None


def test_sign_out_deletes_the_token(tmp_path, deezer) -> None:  # type: ignore[no-untyped-def]
    with_profile(tmp_path, deezer)
    assert musicauth("login", "dz", env=browser_env()).returncode == 0
    out = musicauth("logout", "dz", "--no-browser")
    assert out.returncode == 0, out.stderr
    assert stored_record("dz")["token"] is None


def answer(body: bytes, ctype: str = "text/html; charset=utf-8") -> httpx.Response:
    request = httpx.Request("GET", "https://connect.deezer.com/oauth/access_token.php")
    return httpx.Response(200, content=body, headers={"content-type": ctype}, request=request)


def test_the_form_encoded_answer_is_read_too(deezer) -> None:  # type: ignore[no-untyped-def]
    token = parse_answer(answer(b"access_token=frAbc123&expires=3600"), now=1000.0)
    assert token.access_token.reveal() == "frAbc123" and token.expires_at == 4600.0
    never = parse_answer(answer(b"access_token=frAbc123&expires=0"), now=1000.0)
    assert never.expires_at is None and never.refresh_token is None
    with pytest.raises(InvalidGrant, match="wrong code"):
        parse_answer(answer(b"wrong code"), now=1000.0)
    inside = b'{"error": {"type": "ParameterException", "message": "Invalid app_id or secret", "code": 4}}'
    with pytest.raises(ProviderRejected, match=r"ParameterException 4: Invalid app_id or secret"):
        parse_answer(answer(inside, "application/json"), now=1000.0)


def test_a_code_used_twice_is_wrong_code(deezer) -> None:  # type: ignore[no-untyped-def]
    # The emulator itself: a GET without output=json answers form-encoded text; a second
    # redemption of the same code answers "wrong code".
    with httpx.Client(follow_redirects=False, trust_env=False) as client:
        page = client.get(
            deezer.url("/oauth/auth.php"),
            params={"app_id": CLIENT_ID, "redirect_uri": "http://127.0.0.1:5000/callback", "perms": "basic_access", "state": "s"},
        )
        code = httpx.URL(page.headers["location"]).params["code"]
        params = {"app_id": CLIENT_ID, "secret": CLIENT_SECRET, "code": code}
        first = client.get(deezer.url("/oauth/access_token.php"), params=params)
        assert first.text.startswith("access_token=") and first.text.endswith("&expires=3600")
        assert client.get(deezer.url("/oauth/access_token.php"), params=params).text == "wrong code"
