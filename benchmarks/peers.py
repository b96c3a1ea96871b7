"""The peer libraries doing what ``musicauth login`` and ``musicauth refresh`` do, each in a fresh
process started by ``benchmarks/flow_rounds.py``: ``python -m benchmarks.peers KIND``.

- ``google-login``: google-auth-oauthlib's ``InstalledAppFlow.run_local_server`` (loopback
  listener on 127.0.0.1, PKCE, state, the browser through ``webbrowser``);
- ``authlib-login``: authlib's ``OAuth2Client`` (httpx) with a stdlib loopback listener, the way
  authlib's documentation builds an installed-app sign-in (authlib has no ready-made one);
- ``google-refresh``: google-auth's ``Credentials.refresh``;
- ``authlib-refresh``: ``OAuth2Client.refresh_token``.

The settings come in ``BENCH_PEER`` (JSON: client id and secret, endpoints, and for a refresh the
refresh token, which the benchmark mints from the emulator for each round). Each does what the
provider needs (Musixmatch: ``client_secret_post``, scopes ``profile email``) and nothing more;
nothing is stored. The benchmark times each from its start to the emulator's answer to the token
request (the sandbox's request log), so nothing here is instrumented.

Only the imports each kind needs, inside its function: a peer's start-up is part of its figure.
"""

from __future__ import annotations

import json
import os
import sys
from typing import Any


def _settings() -> dict[str, Any]:
    settings: dict[str, Any] = json.loads(os.environ["BENCH_PEER"])
    return settings


def google_login() -> None:
    from google_auth_oauthlib.flow import InstalledAppFlow

    s = _settings()

    class PostFlow(InstalledAppFlow):  # type: ignore[misc]
        """Musixmatch takes the client secret in the form only (client_secret_post)."""

        def fetch_token(self, **kwargs: Any) -> Any:
            kwargs.setdefault("include_client_id", True)
            return super().fetch_token(**kwargs)

    config = {
        "installed": {
            "client_id": s["client_id"],
            "client_secret": s["client_secret"],
            "auth_uri": s["authorization_endpoint"],
            "token_uri": s["token_endpoint"],
        }
    }
    flow = PostFlow.from_client_config(config, scopes=s["scopes"])
    credentials = flow.run_local_server(host="127.0.0.1", port=0, authorization_prompt_message="", timeout_seconds=30)
    assert credentials.token and credentials.refresh_token


def authlib_login() -> None:
    import webbrowser
    from http.server import BaseHTTPRequestHandler, HTTPServer

    from authlib.common.security import generate_token
    from authlib.integrations.httpx_client import OAuth2Client

    s = _settings()
    answer: dict[str, str] = {}

    class Listener(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # stdlib name
            answer["path"] = self.path
            self.send_response(200)
            self.send_header("Content-Type", "text/plain")
            self.end_headers()
            self.wfile.write(b"You can close this tab.")

        def log_message(self, format: str, *args: object) -> None:
            pass

    server = HTTPServer(("127.0.0.1", 0), Listener)
    redirect_uri = f"http://127.0.0.1:{server.server_address[1]}/callback"
    client = OAuth2Client(
        s["client_id"],
        s["client_secret"],
        scope=" ".join(s["scopes"]),
        redirect_uri=redirect_uri,
        code_challenge_method="S256",
        token_endpoint_auth_method="client_secret_post",
    )
    verifier = generate_token(48)
    url, _state = client.create_authorization_url(s["authorization_endpoint"], code_verifier=verifier)
    webbrowser.open(url)
    server.timeout = 30
    server.handle_request()
    server.server_close()
    token = client.fetch_token(
        s["token_endpoint"], authorization_response=redirect_uri.rsplit("/", 1)[0] + answer["path"], code_verifier=verifier
    )
    assert token["access_token"] and token["refresh_token"]


def google_refresh() -> None:
    from google.auth.transport.requests import Request
    from google.oauth2.credentials import Credentials

    s = _settings()
    credentials = Credentials(
        None,
        refresh_token=s["refresh_token"],
        token_uri=s["token_endpoint"],
        client_id=s["client_id"],
        client_secret=s["client_secret"],
    )
    credentials.refresh(Request())
    assert credentials.token


def authlib_refresh() -> None:
    from authlib.integrations.httpx_client import OAuth2Client

    s = _settings()
    client = OAuth2Client(s["client_id"], s["client_secret"], token_endpoint_auth_method="client_secret_post")
    token = client.refresh_token(s["token_endpoint"], refresh_token=s["refresh_token"])
    assert token["access_token"]


KINDS = {
    "google-login": google_login,
    "authlib-login": authlib_login,
    "google-refresh": google_refresh,
    "authlib-refresh": authlib_refresh,
}

if __name__ == "__main__":
    KINDS[sys.argv[1]]()
