"""A one-shot command's requests: httpcore's synchronous stack, on daemon threads.

httpx's asyncio transport runs httpcore on anyio's asyncio backend, whose import (~12 ms of
CPU, after httpcore's own ~10 ms) came before every ``musicauth refresh`` and ``login``
request; a command line whose whole run is CPU-bound paid it in full. ``ThreadedTransport``
sends the same requests through ``httpx.HTTPTransport`` (httpcore's synchronous connection pool,
the same options, limits and SSL contexts) with each blocking step on a thread of its own, and
hands the answer to the event loop as an async stream: ``core/http.py`` ``send`` reads it chunk
by chunk under the same deadline and size limits, exactly as it reads the asyncio transport's.

The threads are daemon threads, not the event loop's default executor: ``asyncio.run`` joins
that executor's threads before it returns, so a request stuck in a socket read would hold the
process after its deadline passed, or after Ctrl-C or SIGTERM. An abandoned step's thread
ends on its own (its socket's timeout, or the server closing); its answer is closed, never
read, and the process does not wait for it.

The desktop app keeps the asyncio transport (``core/http.py`` ``BackgroundTransport``): a
long-running process that shares one client gains nothing from skipping an import once, and
its requests may be many at a time. The engine is told which one it is
(``TokenEngine(one_shot=True)``, from ``cli.py``); nothing here guesses.
"""

from __future__ import annotations

import asyncio
import socket
import threading
from collections.abc import AsyncIterator, Callable, Iterator
from typing import Any, Protocol, TypeVar

import httpx

from .http_stack import built_under_lock, import_sync_http_stack, loopback_only_ssl_context

T = TypeVar("T")


class _Closable(Protocol):
    def close(self) -> None: ...


def _close_abandoned(thing: _Closable) -> None:
    """Close what a step made after nobody waited for it any more (a response, a transport)."""
    try:
        thing.close()
    except Exception:  # noqa: BLE001 - nothing reads it: its connection is dropped either way
        return


def on_daemon_thread(work: Callable[[], T], *, if_abandoned: Callable[[T], None] | None = None) -> asyncio.Future[T]:
    """``work()`` on a new daemon thread, as a future of the running loop.

    If the future is cancelled before ``work`` returns (the deadline passed, the command was
    interrupted), the thread runs on until ``work`` returns, and ``if_abandoned`` gets its
    result: what must be closed is closed, on that thread if the loop has closed by then.
    """
    loop = asyncio.get_running_loop()
    future: asyncio.Future[T] = loop.create_future()

    def settle(result: tuple[T] | BaseException) -> None:  # on the loop's thread
        if future.cancelled():
            if isinstance(result, tuple) and if_abandoned is not None:
                if_abandoned(result[0])
        elif isinstance(result, tuple):
            future.set_result(result[0])
        else:
            future.set_exception(result)

    def run() -> None:
        result: tuple[T] | BaseException
        try:
            result = (work(),)
        except BaseException as exc:  # noqa: BLE001 - handed to the task that waits for it
            result = exc
        try:
            loop.call_soon_threadsafe(settle, result)
        except RuntimeError:  # the loop has closed: nobody waits for it any more
            if isinstance(result, tuple) and if_abandoned is not None:
                if_abandoned(result[0])

    threading.Thread(target=run, name="musicauth-http", daemon=True).start()
    return future


class ThreadedTransport(httpx.AsyncBaseTransport):
    """``httpx.HTTPTransport`` behind httpx's async interface, its blocking steps on daemon threads.

    Made as ``BackgroundTransport`` is, for the same reasons: from the moment the client is made,
    one thread imports the stack (httpcore alone here) and another builds the verified transport
    (certifi's CA bundle, verification on, ``trust_env`` as given); an https request waits for
    it, a plain http one (loopback hosts only, ``check_endpoint``) goes through a transport whose
    SSL context trusts no CA, built at once.

    A request body is in memory already (a form, a few hundred bytes); the answer's body is read
    one chunk per step, each asked for by the event loop, so nothing is read ahead of the size
    limit that ``send`` counts.
    """

    def __init__(self, **options: Any) -> None:
        self._options = options
        self._stack = on_daemon_thread(import_sync_http_stack)
        self._pending = on_daemon_thread(lambda: built_under_lock(httpx.HTTPTransport, **options), if_abandoned=_close_abandoned)
        self._plain: httpx.HTTPTransport | None = None

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        # Nothing on this thread imports the stack while a worker may be importing it.
        await asyncio.shield(self._stack)
        if request.url.scheme == "http":
            transport = self._plain_transport()
        else:
            transport = await asyncio.shield(self._pending)  # a cancelled request leaves it intact
        if not isinstance(request.stream, httpx.SyncByteStream):
            await request.aread()  # the body in memory, as a stream both kinds of transport read
        response = await on_daemon_thread(lambda: transport.handle_request(request), if_abandoned=_close_abandoned)
        assert isinstance(response.stream, httpx.SyncByteStream)
        return httpx.Response(
            status_code=response.status_code,
            headers=response.headers,
            stream=_ThreadedStream(response.stream, response.extensions.get("network_stream")),
            extensions=response.extensions,
        )

    def _plain_transport(self) -> httpx.HTTPTransport:
        if self._plain is None:
            # No lock: the stack is imported by now (awaited above), so this imports nothing
            # that a worker could be importing in a cycle, and it must not wait for the CA bundle.
            self._plain = httpx.HTTPTransport(**{**self._options, "verify": loopback_only_ssl_context()})
        return self._plain

    async def aclose(self) -> None:
        # Closing a pool makes no network exchange (no TLS close_notify): done here, at once.
        if self._plain is not None:
            self._plain.close()
        # The threads that import the stack and load the CA bundle are waited for, not left
        # running: a command that sent nothing (a sign-out with nothing to revoke) reached the
        # interpreter's exit while one was still inside OpenSSL, whose cleanup at exit then
        # crashed the process (SIGSEGV, seen once in CI). At most the bundle's ~45 ms, and only
        # where no https request already waited for it.
        await asyncio.gather(asyncio.shield(self._stack), asyncio.shield(self._pending), return_exceptions=True)
        if not self._pending.cancelled() and self._pending.exception() is None:
            self._pending.result().close()


class _ThreadedStream(httpx.AsyncByteStream):
    """A synchronous answer body read on daemon threads, one chunk per step, as the loop asks.

    Closed while a read is under way (its task cancelled: the deadline, Ctrl-C), the socket is
    shut at once so that the read returns, and that read's thread closes the body; closing does
    not wait for it.
    """

    def __init__(self, stream: httpx.SyncByteStream, network_stream: Any) -> None:
        self._stream = stream
        self._network_stream = network_stream
        self._lock = threading.Lock()  # the two flags below, between the loop and a read's thread
        self._reading = False
        self._closed = False

    async def __aiter__(self) -> AsyncIterator[bytes]:
        parts = iter(self._stream)
        while True:
            with self._lock:
                if self._closed:
                    return
                self._reading = True
            part = await on_daemon_thread(lambda: self._next(parts))
            if part is None:
                return
            yield part

    def _next(self, parts: Iterator[bytes]) -> bytes | None:  # on a read's thread
        try:
            return next(parts, None)
        finally:
            with self._lock:
                self._reading = False
                closed_meanwhile = self._closed
            if closed_meanwhile:
                _close_abandoned(self._stream)

    async def aclose(self) -> None:
        with self._lock:
            if self._closed:
                return
            self._closed = True
            reading = self._reading
        if reading:
            self._wake_the_read()
            return
        # Returns the connection to the pool, or closes its socket: no network exchange.
        self._stream.close()

    def _wake_the_read(self) -> None:
        sock = self._network_stream.get_extra_info("socket") if self._network_stream is not None else None
        if not isinstance(sock, socket.socket):
            return  # the read ends at its socket's timeout instead
        try:
            # The plain socket's shutdown (an SSLSocket's own would drop its TLS state under the
            # read): the read gets end-of-file now, and no descriptor is closed under it.
            socket.socket.shutdown(sock, socket.SHUT_RDWR)
        except OSError:
            return  # not connected any more: the read has ended, or is ending, on its own
