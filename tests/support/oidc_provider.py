"""A real OpenID Provider for tests: panva's oidc-provider, run by ``tests/oidc/server.mjs``.

Usage from a fixture::

    from tests.support.oidc_provider import run_oidc_provider

    @pytest.fixture
    def oidc():
        with run_oidc_provider() as provider:
            yield provider

The provider listens on ``http://127.0.0.1:<ephemeral port>``; its clients are all registered with
the redirect URI ``http://127.0.0.1/callback`` as native apps, so any port on that URI is accepted
(RFC 8252, section 7.3). PKCE with S256 is required for every client. The end-user interaction is
automatic (login as ``test-user-1`` and consent to everything asked for), or, with ``deny=True``,
ends in ``error=access_denied``. See :func:`follow_redirects` for a scripted browser.

Needs ``node`` on PATH and ``npm ci --prefix tests/oidc`` to have been run.
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
import os
import queue
import secrets
import shutil
import subprocess
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO

OIDC_DIR = Path(__file__).resolve().parent.parent / "oidc"
SERVER_SCRIPT = OIDC_DIR / "server.mjs"

CONFIDENTIAL_CLIENT_ID = "musicauth-test"  # client_secret_post
BASIC_CLIENT_ID = "musicauth-basic"  # client_secret_basic
PUBLIC_CLIENT_ID = "musicauth-public"  # none (public, PKCE only)
ACCOUNT_ID = "test-user-1"
REDIRECT_PATH = "/callback"

READY_TIMEOUT = 20.0
STOP_TIMEOUT = 5.0

_INSTALL_HINT = "run `npm ci --prefix tests/oidc` (from the repository root) to install oidc-provider"


@dataclasses.dataclass(frozen=True)
class OidcProvider:
    issuer: str
    port: int
    client_id: str
    client_secret: str
    public_client_id: str
    basic_client_id: str
    access_token_ttl: int
    deny: bool
    always_issue_refresh_token: bool
    account_id: str = ACCOUNT_ID

    @property
    def discovery_url(self) -> str:
        return f"{self.issuer}/.well-known/openid-configuration"

    @staticmethod
    def redirect_uri(port: int) -> str:
        """The registered loopback redirect URI with ``port`` filled in (any port is accepted)."""
        return f"http://127.0.0.1:{port}{REDIRECT_PATH}"


def _check_prerequisites() -> str:
    node = shutil.which("node")
    if node is None:
        raise RuntimeError(f"node is not on PATH; the OIDC test provider needs Node.js, then {_INSTALL_HINT}")
    if not (OIDC_DIR / "node_modules" / "oidc-provider" / "package.json").is_file():
        raise RuntimeError(f"{OIDC_DIR / 'node_modules'} has no oidc-provider: {_INSTALL_HINT}")
    return node


def _stop(proc: subprocess.Popen[str]) -> None:
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


@contextlib.contextmanager
def run_oidc_provider(
    *,
    deny: bool = False,
    access_token_ttl: int = 3600,
    always_issue_refresh_token: bool = False,
    client_secret: str | None = None,
    verbose: bool = False,
) -> Iterator[OidcProvider]:
    """Start the test OpenID Provider, yield its details, stop it on exit.

    ``client_secret`` (shared by ``musicauth-test`` and ``musicauth-basic``) defaults to a fresh
    random value per run. By default refresh tokens follow OpenID Connect: issued only when
    ``offline_access`` is granted, and oidc-provider keeps ``offline_access`` only if the
    authorization request has ``prompt=consent``; ``always_issue_refresh_token`` issues one on every
    code exchange instead (plain OAuth 2.0 behaviour). ``verbose`` sends oidc-provider's notices
    and errors to the captured stderr, which is included in the error raised when the provider
    fails to start.
    """
    node = _check_prerequisites()
    secret = client_secret or secrets.token_urlsafe(32)
    cmd = [node, str(SERVER_SCRIPT), "--port", "0", "--access-token-ttl", str(int(access_token_ttl))]
    if deny:
        cmd.append("--deny")
    if always_issue_refresh_token:
        cmd.append("--always-issue-refresh-token")
    if verbose:
        cmd.append("--verbose")
    env = {**os.environ, "MUSICAUTH_OIDC_CLIENT_SECRET": secret}
    env.pop("MUSICAUTH_OIDC_DENY", None)

    with tempfile.TemporaryFile(mode="w+", encoding="utf-8", errors="replace") as stderr:
        proc = subprocess.Popen(
            cmd,
            cwd=OIDC_DIR,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=stderr,
            text=True,
            encoding="utf-8",
            errors="replace",
        )
        lines: queue.Queue[str | None] = queue.Queue()

        def pump() -> None:
            assert proc.stdout is not None
            for line in proc.stdout:
                lines.put(line)
            lines.put(None)

        reader = threading.Thread(target=pump, name="oidc-provider-stdout", daemon=True)
        reader.start()
        try:
            ready = _wait_ready(proc, lines, stderr)
            yield OidcProvider(
                issuer=ready["issuer"],
                port=int(ready["port"]),
                client_id=CONFIDENTIAL_CLIENT_ID,
                client_secret=secret,
                public_client_id=PUBLIC_CLIENT_ID,
                basic_client_id=BASIC_CLIENT_ID,
                access_token_ttl=int(access_token_ttl),
                deny=deny,
                always_issue_refresh_token=always_issue_refresh_token,
            )
        finally:
            _stop(proc)
            reader.join(timeout=STOP_TIMEOUT)
            if proc.stdout is not None:
                proc.stdout.close()


def _wait_ready(proc: subprocess.Popen[str], lines: queue.Queue[str | None], stderr: IO[str]) -> dict:
    deadline = time.monotonic() + READY_TIMEOUT
    while True:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise RuntimeError(
                f"the OIDC test provider did not report ready within {READY_TIMEOUT:.0f} s"
                + _stderr_tail(stderr)
            )
        try:
            line = lines.get(timeout=remaining)
        except queue.Empty:
            continue
        if line is None:
            proc.wait(timeout=STOP_TIMEOUT)
            raise RuntimeError(
                f"the OIDC test provider exited with status {proc.returncode} before it was ready "
                f"(if oidc-provider is missing or broken, {_INSTALL_HINT})" + _stderr_tail(stderr)
            )
        try:
            ready = json.loads(line)
        except ValueError:
            continue  # not the ready line
        if isinstance(ready, dict) and "issuer" in ready and "port" in ready:
            return ready


def _stderr_tail(stderr: IO[str], limit: int = 4000) -> str:
    stderr.flush()
    stderr.seek(0)
    text = stderr.read().strip()
    return f"; its stderr:\n{text[-limit:]}" if text else ""


def follow_redirects(
    client,
    url: str,
    *,
    stop: Callable[[str], bool] | None = None,
    max_hops: int = 20,
) -> str:
    """A scripted browser: GET ``url`` and follow redirects by hand with ``client`` (an
    ``httpx.Client``, whose cookie jar carries the provider's session/interaction cookies).

    Returns the first ``Location`` for which ``stop(location)`` is true, without requesting it
    (e.g. ``stop=lambda u: u.startswith("http://127.0.0.1:PORT/callback")``). Without ``stop``
    every hop is requested, including the final one to the loopback redirect URI, and the URL of
    the last (non-redirect) response is returned.
    """
    import httpx

    current = url
    for _ in range(max_hops):
        response = client.get(current, follow_redirects=False)
        if not response.is_redirect:
            if stop is None:
                return current
            raise AssertionError(
                f"expected a redirect from {current}, got {response.status_code}: {response.text[:500]}"
            )
        location = str(httpx.URL(current).join(response.headers["location"]))
        if stop is not None and stop(location):
            return location
        current = location
    raise AssertionError(f"more than {max_hops} redirects starting at {url}")
