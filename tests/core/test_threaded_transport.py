"""The CLI's transport (core/threaded_transport.py): a request that hangs ends at the deadline,
on daemon threads that nothing waits for, and a read cut short returns at once.

A silent server on 127.0.0.1 answers as told: never, or with a head and part of a body. The
tests that read the size limits and decoding of both transports are in test_fault_http.py.
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
import threading
import time
from collections.abc import Iterator

import httpx
import pytest

from musicauth_gui.core.errors import ProviderUnreachable
from musicauth_gui.core.http import make_client, send


class SilentServer:
    """Accepts connections and reads each request's head; then sends ``answer`` (possibly
    nothing) and keeps the connection open until closed. Notes when a client hangs up."""

    def __init__(self, answer: bytes = b"") -> None:
        self.answer = answer
        self.hung_up = threading.Event()
        self._listener = socket.create_server(("127.0.0.1", 0))
        self._connections: list[socket.socket] = []
        self._threads = [threading.Thread(target=self._serve, daemon=True)]
        self._threads[0].start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._listener.getsockname()[1]}/token"

    def _serve(self) -> None:
        while True:
            try:
                conn, _ = self._listener.accept()
            except OSError:
                return  # closed
            self._connections.append(conn)
            thread = threading.Thread(target=self._answer, args=(conn,), daemon=True)
            self._threads.append(thread)
            thread.start()

    def _answer(self, conn: socket.socket) -> None:
        try:
            head = b""
            while b"\r\n\r\n" not in head:
                data = conn.recv(4096)
                if not data:
                    return
                head += data
            conn.sendall(self.answer)
            while conn.recv(4096):  # the request's body, then the client's end
                pass
            self.hung_up.set()
        except OSError:
            return  # closed by close()

    def close(self) -> None:
        with contextlib.suppress(OSError):  # Linux wakes accept(); elsewhere it may refuse
            self._listener.shutdown(socket.SHUT_RDWR)
        self._listener.close()
        for conn in self._connections:
            with contextlib.suppress(OSError):  # the client may have gone already
                conn.shutdown(socket.SHUT_RDWR)  # wakes its thread's read, and the client's
            conn.close()
        for thread in self._threads:
            thread.join(5)


@pytest.fixture
def silent() -> Iterator[SilentServer]:
    server = SilentServer()
    try:
        yield server
    finally:
        server.close()
        # The abandoned request's thread gets its end-of-file now, and ends.
        wait_for_no_request_threads()


def request_threads() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name == "musicauth-http"]


def wait_for_no_request_threads(timeout: float = 5) -> None:
    deadline = time.monotonic() + timeout
    while request_threads():
        assert time.monotonic() < deadline, request_threads()
        time.sleep(0.01)


async def test_the_deadline_ends_a_request_whose_answer_never_comes(silent: SilentServer) -> None:
    started = time.monotonic()
    async with make_client(one_shot=True) as client:
        with pytest.raises(ProviderUnreachable, match=r"did not answer within 0 s"):
            await send(client, "POST", silent.url, what="token request", data={"grant_type": "x"}, deadline=0.3)
    assert time.monotonic() - started < 2
    # Still waiting for the server, on a daemon thread: not the loop's default executor, whose
    # threads asyncio.run joins before it returns (a command would wait for the server).
    (waiting,) = request_threads()
    assert waiting.daemon


async def test_an_answer_that_stops_midway_ends_at_the_deadline_and_its_read_at_once(silent: SilentServer) -> None:
    silent.answer = b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{\"access"
    started = time.monotonic()
    async with make_client(one_shot=True) as client:
        with pytest.raises(ProviderUnreachable, match=r"did not answer within 0 s"):
            await send(client, "POST", silent.url, what="token request", data={"grant_type": "x"}, deadline=0.3)
    assert time.monotonic() - started < 2
    # Closing the answer shut its socket under the read: the server sees the end at once, and
    # the thread returns without waiting for the server or the read timeout (30 s).
    assert silent.hung_up.wait(2)
    wait_for_no_request_threads(timeout=2)


async def test_concurrent_requests_do_not_wait_for_each_other(silent: SilentServer) -> None:
    silent.answer = b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{}"
    async with make_client(one_shot=True) as client:
        answers = await asyncio.gather(*(send(client, "GET", silent.url, what="discovery") for _ in range(3)))
    assert [a.json() for a in answers] == [{}, {}, {}]


async def test_closing_an_unused_client_waits_for_its_building_threads(monkeypatch: pytest.MonkeyPatch) -> None:
    """A thread still loading the CA bundle at the interpreter's exit ran OpenSSL under its
    cleanup: `musicauth logout` of a Discogs profile (nothing to send) died of SIGSEGV once."""
    closed: list[httpx.HTTPTransport] = []
    real_close = httpx.HTTPTransport.close

    def spy(self: httpx.HTTPTransport) -> None:
        closed.append(self)
        real_close(self)

    monkeypatch.setattr(httpx.HTTPTransport, "close", spy)
    client = make_client(one_shot=True)
    await client.aclose()
    assert len(closed) == 1  # the verified transport: built, then closed, before aclose returned
    wait_for_no_request_threads(timeout=1)  # only ending: each has handed over its result
