"""The core's HTTP client: its transport is built off the event loop, and TLS is still verified."""

from __future__ import annotations

import asyncio
import http.server
import ssl
from collections.abc import Iterator
from pathlib import Path

import pytest

from musicauth_gui.core.errors import ProviderUnreachable
from musicauth_gui.core.http import BackgroundTransport, make_client, send
from musicauth_gui.core.threaded_transport import ThreadedTransport
from tests.support.local_server import serving
from tests.support.tls import write_self_signed


class _Hello(http.server.BaseHTTPRequestHandler):
    def do_GET(self) -> None:  # stdlib name
        body = b'{"hello": "world"}'
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        pass


def _serve(server: http.server.HTTPServer) -> Iterator[str]:
    with serving(server):
        yield f"127.0.0.1:{server.server_address[1]}"


@pytest.fixture
def plain() -> Iterator[str]:
    yield from _serve(http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Hello))


@pytest.fixture
def self_signed(tmp_path: Path) -> Iterator[str]:
    """An https server whose certificate no trust store knows."""
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(*write_self_signed(tmp_path))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Hello)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    yield from _serve(server)


#: The desktop app's transport (httpx's asyncio one, built off the loop) and the CLI's
#: (``one_shot``: httpcore's synchronous stack on daemon threads).
KINDS = pytest.mark.parametrize("one_shot", [False, True], ids=["asyncio", "threads"])


@KINDS
async def test_requests_go_through_a_transport_built_off_the_loop(plain: str, one_shot: bool) -> None:
    async with make_client(one_shot=one_shot) as client:
        assert isinstance(client._transport, ThreadedTransport if one_shot else BackgroundTransport)
        response = await send(client, "GET", f"http://{plain}/", what="hello")
        assert response.json() == {"hello": "world"}
        assert response.http_version == "HTTP/1.0" and response.reason_phrase == "OK"  # as http.server answers


@KINDS
async def test_tls_is_still_verified(self_signed: str, one_shot: bool) -> None:
    async with make_client(one_shot=one_shot) as client:
        with pytest.raises(ProviderUnreachable, match=r"127\.0\.0\.1:\d+ \(TLS failure\)"):
            await send(client, "GET", f"https://{self_signed}/", what="hello")


@KINDS
async def test_a_cancelled_first_request_leaves_the_client_usable(plain: str, one_shot: bool) -> None:
    async with make_client(one_shot=one_shot) as client:
        first = asyncio.ensure_future(client.get(f"http://{plain}/"))
        await asyncio.sleep(0)
        first.cancel()
        with pytest.raises(asyncio.CancelledError):
            await first
        assert (await client.get(f"http://{plain}/")).status_code == 200


async def test_closing_an_unused_client_closes_what_was_built(monkeypatch: pytest.MonkeyPatch) -> None:
    import httpx

    closed: list[object] = []
    real_aclose = httpx.AsyncHTTPTransport.aclose

    async def spy(self: httpx.AsyncHTTPTransport) -> None:
        closed.append(self)
        await real_aclose(self)

    monkeypatch.setattr(httpx.AsyncHTTPTransport, "aclose", spy)
    client = make_client()
    await client.aclose()
    assert closed == [await client._transport._pending]  # type: ignore[attr-defined]


def test_without_a_loop_the_client_builds_its_transport_itself() -> None:
    """The desktop app builds its shared client on a worker thread, where no loop runs."""
    client = make_client()
    assert not isinstance(client._transport, BackgroundTransport)


async def test_a_cancel_that_comes_with_the_answer_is_not_lost(monkeypatch: pytest.MonkeyPatch) -> None:
    """Python 3.11's ``asyncio.wait_for`` returned the answer and dropped a cancellation that
    came in the same loop pass: a device sign-in cancelled as a poll was answered polled on."""
    from musicauth_gui.core import http

    loop = asyncio.get_running_loop()
    for _ in range(20):
        answer: asyncio.Future[object] = loop.create_future()

        polls: list[None] = []

        async def answered(
            client: object, request: object, *, what: str, answer: asyncio.Future[object] = answer, polls: list[None] = polls
        ) -> object:
            polls.append(None)
            if len(polls) > 1:
                await asyncio.sleep(0.01)  # a later poll's answer takes a while, as a real one does
            return await answer

        monkeypatch.setattr(http, "_request_bounded", answered)

        async def poll_until_cancelled() -> None:
            async with make_client() as client:
                while True:
                    await send(client, "POST", "http://127.0.0.1:9/token", what="poll", deadline=30)

        task = asyncio.ensure_future(poll_until_cancelled())
        for _ in range(5):  # into the first send's await
            await asyncio.sleep(0)
        answer.set_result(object())
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await asyncio.wait_for(task, 5)
