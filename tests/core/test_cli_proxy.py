"""The command line through a proxy named in the environment (``HTTP_PROXY``), as httpx's
``trust_env`` reads it: the CLI's own transports (``core/http.py``) would otherwise bypass it."""

from __future__ import annotations

import http.client
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import ClassVar
from urllib.parse import urlsplit

import pytest

from tests.core.test_cli_flows import import_profiles, mxm_profile
from tests.support.cli import musicauth, stored_record
from tests.support.local_server import serving


class _ForwardProxy(BaseHTTPRequestHandler):
    """A plain-http forward proxy: records each absolute request line, forwards it, relays the answer."""

    #: Shared by every handler instance on purpose: the test reads it after the command.
    seen: ClassVar[list[str]] = []

    def _forward(self) -> None:
        type(self).seen.append(f"{self.command} {self.path}")
        target = urlsplit(self.path)
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        headers = {k: v for k, v in self.headers.items() if k.lower() not in ("proxy-connection", "connection", "host")}
        upstream = http.client.HTTPConnection(target.hostname, target.port, timeout=10)
        try:
            upstream.request(self.command, target.path + (f"?{target.query}" if target.query else ""), body or None, headers)
            answer = upstream.getresponse()
            data = answer.read()
        finally:
            upstream.close()
        self.send_response(answer.status)
        for key, value in answer.getheaders():
            if key.lower() not in ("transfer-encoding", "connection", "content-length"):
                self.send_header(key, value)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    do_GET = do_POST = _forward  # http.server's names

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def proxy() -> Iterator[str]:
    _ForwardProxy.seen = []
    with serving(ThreadingHTTPServer(("127.0.0.1", 0), _ForwardProxy)) as server:
        yield f"http://127.0.0.1:{server.server_address[1]}"


def test_a_refresh_goes_through_the_proxy_the_environment_names(tmp_path, mxm, proxy) -> None:  # type: ignore[no-untyped-def]
    import_profiles(tmp_path, mxm_profile(mxm, flow="client_credentials"))
    env = {"HTTP_PROXY": proxy, "http_proxy": proxy, "NO_PROXY": "", "no_proxy": ""}
    result = musicauth("refresh", "mxm", env=env)
    assert result.returncode == 0, result.stderr
    assert f"POST {mxm.url('/oauth/token')}" in _ForwardProxy.seen
    assert stored_record("mxm")["token"]["access_token"]
