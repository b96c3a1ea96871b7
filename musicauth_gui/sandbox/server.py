"""HTTP plumbing shared by every sandbox emulator: a quiet loopback server with test hooks.

:class:`EmulatorServer` serves real HTTP on ``127.0.0.1`` (port 0 by default) from a
``ThreadingHTTPServer`` running in a daemon thread. Subclasses register plain handlers
(``Request -> Response``) with :meth:`EmulatorServer.route`; the base class records every request,
runs handlers under one lock (so emulator state needs no further locking), and applies the failures
queued with :meth:`EmulatorServer.fail_next`.

Nothing here knows about OAuth: that lives in ``authorization_server.py``. Standard library only, no
Qt, so the test suite and the desktop app's demo mode can both use it.
"""

from __future__ import annotations

import json
import selectors
import socket
import socketserver
import threading
import time
import traceback
from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any, Self
from urllib.parse import parse_qsl, urlsplit

__all__ = [
    "FAILURE_MODES",
    "FORM_CONTENT_TYPE",
    "EmulatorServer",
    "Exchange",
    "Handler",
    "Request",
    "Response",
]

FORM_CONTENT_TYPE = "application/x-www-form-urlencoded"
FAILURE_MODES = ("500", "503", "malformed_json", "html", "hang", "slow:<seconds>")
"""The modes accepted by :meth:`EmulatorServer.fail_next` (``slow:`` takes a number of seconds)."""

HANG_LIMIT = 120.0
"""A hanging answer gives up after this many seconds even if :meth:`EmulatorServer.stop` is never called."""

MAX_BODY = 1 << 20

_HTML_500 = "<!doctype html><html><body><h1>500 Internal Server Error</h1></body></html>"
_HTML_503 = "<!doctype html><html><body><h1>503 Service Unavailable</h1></body></html>"
_HTML_LOGIN = (
    "<!doctype html><html><head><title>Sign in</title></head><body>"
    '<form method="post" action="/login"><input name="login"><input name="password" type="password">'
    "<button>Sign in</button></form></body></html>"
)
_TRUNCATED_JSON = b'{"access_token": "sandbox-trunc'


@dataclass(frozen=True)
class Request:
    """One HTTP request as the emulator saw it; also what :attr:`EmulatorServer.requests` records.

    Attributes:
        method: The HTTP method, upper case.
        path: The path without the query string.
        query: Decoded query parameters (the last value wins if one is repeated).
        form: Decoded body parameters, filled only for ``application/x-www-form-urlencoded`` bodies.
        headers: Request headers with **lower-case** names.
        body: The raw body.
        repeated: Names that appeared more than once in the query or the form (OAuth forbids that,
            RFC 6749 §3.1 and §3.2).
    """

    method: str
    path: str
    query: dict[str, str]
    form: dict[str, str]
    headers: dict[str, str]
    body: bytes = b""
    repeated: frozenset[str] = frozenset()

    @property
    def content_type(self) -> str:
        """The media type of the body, lower case, without parameters such as ``charset``."""
        return self.headers.get("content-type", "").split(";", 1)[0].strip().lower()


@dataclass
class Response:
    """An answer built by a handler.

    Attributes:
        status: The HTTP status code.
        body: The body bytes.
        headers: Extra headers; ``Content-Length`` is added when the answer is written.
    """

    status: int
    body: bytes = b""
    headers: list[tuple[str, str]] = field(default_factory=list)

    @classmethod
    def json(cls, status: int, payload: Any, headers: Iterable[tuple[str, str]] = ()) -> Response:
        """A JSON answer.

        Args:
            status: The HTTP status code.
            payload: Anything ``json.dumps`` accepts.
            headers: Extra headers.

        Returns:
            The response, with ``Content-Type: application/json``.
        """
        body = json.dumps(payload).encode()
        return cls(status, body, [("Content-Type", "application/json"), *headers])

    @classmethod
    def html(cls, status: int, page: str, headers: Iterable[tuple[str, str]] = ()) -> Response:
        """An HTML answer (``text/html; charset=utf-8``)."""
        return cls(status, page.encode(), [("Content-Type", "text/html; charset=utf-8"), *headers])

    @classmethod
    def redirect(cls, location: str, status: int = 302) -> Response:
        """A redirect to ``location`` with an empty body."""
        return cls(status, b"", [("Location", location)])


Handler = Callable[[Request], Response]


@dataclass(frozen=True)
class Exchange:
    """One entry of :attr:`EmulatorServer.request_log`: a request and when it was answered.

    Times are ``time.monotonic()``, which on Linux is one clock for every process: a benchmark
    compares them with the moment it started a client process, so that no client (ours or a
    peer library) needs instrumenting to say when the provider answered it.

    Attributes:
        request: The request.
        status: The status answered; None when the connection was closed without an answer.
        received_at: When its head and body had been read.
        answered_at: When the answer was ready to be written, microseconds before its bytes were
            (or when the connection was given up).
    """

    request: Request
    status: int | None
    received_at: float
    answered_at: float


def _parse_pairs(text: str) -> tuple[dict[str, str], set[str]]:
    pairs = parse_qsl(text, keep_blank_values=True)
    seen: dict[str, str] = {}
    repeated: set[str] = set()
    for name, value in pairs:
        if name in seen:
            repeated.add(name)
        seen[name] = value
    return seen, repeated


class EmulatorServer:
    """A loopback HTTP server with routing, request recording and failure injection.

    Use it started, as a context manager or with :meth:`start`/:meth:`stop`::

        with SomeEmulator() as server:
            httpx.get(server.base_url + "/path")

    Attributes:
        clock: Returns the current time as a UNIX epoch; replace it in tests to move time.
        requests: Every request received, in order (failed and unknown ones included).
        request_log: Every answered (or abandoned) request with its times, in the order the
            answers were ready, each logged before its answer is written (:class:`Exchange`).
        handler_errors: Tracebacks of handlers that raised (each answered with HTTP 500); a test
            can assert it is empty to catch emulator bugs.
    """

    def __init__(self, *, port: int = 0) -> None:
        """Create a stopped server.

        Args:
            port: The port to bind on ``127.0.0.1``; 0 picks a free one.
        """
        self.clock: Callable[[], float] = time.time
        self.requests: list[Request] = []
        self.request_log: list[Exchange] = []
        self.handler_errors: list[str] = []
        self._requested_port = port
        self._lock = threading.RLock()
        self._routes: dict[str, dict[str, Handler]] = {}
        self._failures: dict[str, deque[list[Any]]] = {}
        self._stopping = threading.Event()
        self._httpd: _HTTPServer | None = None
        self._thread: threading.Thread | None = None
        self._wake: tuple[socket.socket, socket.socket] | None = None

    # -- lifecycle ---------------------------------------------------------------------------------

    def start(self) -> Self:
        """Bind the port and serve in a daemon thread.

        Returns:
            This server, so that ``server = Emulator().start()`` works.

        Raises:
            RuntimeError: If the server is already running.
            OSError: If the port cannot be bound.
        """
        if self._httpd is not None:
            raise RuntimeError(f"{type(self).__name__} is already running at {self.base_url}")
        self._stopping.clear()
        httpd = _HTTPServer(("127.0.0.1", self._requested_port), self)
        wake_read, wake_write = socket.socketpair()
        thread = threading.Thread(
            target=self._serve,
            args=(httpd, wake_read),
            name=f"{type(self).__name__}@{httpd.server_address[1]}",
            daemon=True,
        )
        self._httpd, self._thread, self._wake = httpd, thread, (wake_read, wake_write)
        thread.start()
        return self

    def _serve(self, httpd: _HTTPServer, wake: socket.socket) -> None:
        # Not serve_forever(): it only notices shutdown() between polls, so stop() would take up to
        # a poll interval (a short one would wake an idle demo server many times a second). A
        # wake-up socket ends this loop at once and costs nothing while idle.
        with selectors.DefaultSelector() as selector:
            selector.register(httpd, selectors.EVENT_READ)
            selector.register(wake, selectors.EVENT_READ)
            while not self._stopping.is_set():
                for key, _events in selector.select():
                    if key.fileobj is httpd and not self._stopping.is_set():
                        httpd.handle_request()  # the socket is readable: accepts without blocking

    def stop(self) -> None:
        """Stop serving and close the listening socket. Safe to call twice.

        Hanging or slow answers (see :meth:`fail_next`) are released at once: their connections are
        closed without an answer.
        """
        httpd, thread, wake = self._httpd, self._thread, self._wake
        if httpd is None or thread is None or wake is None:
            return
        self._stopping.set()
        wake[1].send(b"x")
        thread.join(timeout=5)
        httpd.server_close()
        for sock in wake:
            sock.close()
        self._httpd = self._thread = self._wake = None

    @property
    def running(self) -> bool:
        """Whether the server is started."""
        return self._httpd is not None

    def __enter__(self) -> Self:
        """Start the server unless it already runs."""
        if not self.running:
            self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        """Stop the server."""
        self.stop()

    @property
    def port(self) -> int:
        """The bound port.

        Raises:
            RuntimeError: If the server is not running.
        """
        if self._httpd is None:
            raise RuntimeError(f"{type(self).__name__} is not running")
        return int(self._httpd.server_address[1])

    @property
    def base_url(self) -> str:
        """``http://127.0.0.1:PORT``, without a trailing slash."""
        return f"http://127.0.0.1:{self.port}"

    def url(self, path: str) -> str:
        """The absolute URL of ``path`` on this server."""
        return self.base_url + path

    # -- routing -----------------------------------------------------------------------------------

    def route(self, method: str, path: str, handler: Handler) -> None:
        """Serve ``method path`` with ``handler`` (which runs with the server lock held).

        Args:
            method: The HTTP method, e.g. ``"GET"``.
            path: The exact path, without query string.
            handler: Builds the response for a request.
        """
        self._routes.setdefault(path, {})[method.upper()] = handler

    # -- test hooks --------------------------------------------------------------------------------

    def fail_next(self, path: str, mode: str, times: int = 1) -> None:
        """Make the next ``times`` requests to ``path`` (any method) fail.

        Failures queue up in call order. The request is still recorded in :attr:`requests`.

        Args:
            path: The exact path, e.g. ``"/oauth/token"``.
            mode: ``"500"`` (HTML body), ``"503"`` (HTML body), ``"malformed_json"`` (200 with
                ``application/json`` and a truncated body), ``"html"`` (200 with a login page),
                ``"hang"`` (no answer until :meth:`stop`, or :data:`HANG_LIMIT` seconds, then the
                connection is closed), or ``"slow:<seconds>"`` (the normal answer, late).
            times: How many consecutive requests fail this way.

        Raises:
            ValueError: For an unknown mode, a bad delay, or ``times < 1``.
        """
        if times < 1:
            raise ValueError("times must be at least 1")
        if mode.startswith("slow:"):
            try:
                delay = float(mode[len("slow:") :])
            except ValueError:
                raise ValueError(f"bad delay in failure mode {mode!r}") from None
            if not 0 <= delay <= HANG_LIMIT:
                raise ValueError(f"delay in {mode!r} must be between 0 and {HANG_LIMIT} s")
        elif mode not in FAILURE_MODES:
            raise ValueError(f"unknown failure mode {mode!r}; expected one of {', '.join(FAILURE_MODES)}")
        with self._lock:
            self._failures.setdefault(path, deque()).append([mode, times])

    # -- request handling (called from handler threads) --------------------------------------------

    def _next_failure(self, path: str) -> str | None:
        queue = self._failures.get(path)
        if not queue:
            return None
        entry = queue[0]
        entry[1] -= 1
        if entry[1] == 0:
            queue.popleft()
        return str(entry[0])

    def _dispatch(self, request: Request) -> Response | None:
        """Answer one request; ``None`` means "close the connection without answering"."""
        with self._lock:
            self.requests.append(request)
            failure = self._next_failure(request.path)
        if failure is not None:
            # Waits happen outside the lock so that other requests (and stop()) go on meanwhile.
            if failure == "hang":
                self._stopping.wait(HANG_LIMIT)
                return None
            if failure.startswith("slow:"):
                if self._stopping.wait(float(failure[len("slow:") :])):
                    return None
            else:
                return _failure_response(failure)
        methods = self._routes.get(request.path)
        if methods is None:
            return Response.json(404, {"error": "not_found", "error_description": f"No such path: {request.path}"})
        handler = methods.get(request.method)
        if handler is None:
            allow = ", ".join(sorted(methods))
            return Response.json(
                405, {"error": "method_not_allowed", "error_description": f"Use {allow}"}, [("Allow", allow)]
            )
        with self._lock:
            try:
                return handler(request)
            except Exception:  # noqa: BLE001 - an emulator bug must answer 500, not kill the thread
                self.handler_errors.append(traceback.format_exc())
                return Response.json(500, {"error": "server_error", "error_description": "Emulator bug"})


def _failure_response(mode: str) -> Response:
    if mode == "500":
        return Response.html(500, _HTML_500)
    if mode == "503":
        return Response.html(503, _HTML_503)
    if mode == "malformed_json":
        return Response(200, _TRUNCATED_JSON, [("Content-Type", "application/json")])
    return Response.html(200, _HTML_LOGIN)  # "html": a login page where JSON was expected


class _HTTPServer(ThreadingHTTPServer):
    """The stdlib server, bound to one emulator and silenced."""

    daemon_threads = True
    # handle_request() is only called once the socket is readable; the timeout merely guarantees
    # it returns (and stop() is noticed) even if that connection vanished before accept().
    timeout = 1.0

    def __init__(self, address: tuple[str, int], emulator: EmulatorServer) -> None:
        self.emulator = emulator
        super().__init__(address, _RequestHandler)

    def server_bind(self) -> None:
        # HTTPServer.server_bind() calls socket.getfqdn(), a reverse DNS lookup that can take
        # seconds on some machines; the name is never used here.
        socketserver.TCPServer.server_bind(self)
        host, port = self.server_address[:2]
        self.server_name, self.server_port = str(host), int(port)

    def handle_error(self, request: Any, client_address: Any) -> None:
        # Clients that hang up mid-answer are normal in failure tests; printing a traceback to
        # stderr would only be noise (and this server must stay quiet in the desktop app).
        pass


class _RequestHandler(BaseHTTPRequestHandler):
    """Turns raw HTTP into :class:`Request` objects and writes :class:`Response` objects back."""

    server: _HTTPServer
    server_version = "musicauth-sandbox/1"
    sys_version = ""

    def log_message(self, format: str, *args: Any) -> None:  # stdlib signature
        """Log nothing: the emulators must be quiet."""

    def _handle(self) -> None:
        parts = urlsplit(self.path)
        query, repeated = _parse_pairs(parts.query)
        headers = {name.lower(): value for name, value in self.headers.items()}
        try:
            length = int(headers.get("content-length", "0"))
        except ValueError:
            length = -1
        if not 0 <= length <= MAX_BODY:
            self._write(Response.json(400, {"error": "invalid_request", "error_description": "Bad Content-Length"}))
            return
        body = self.rfile.read(length) if length else b""
        form: dict[str, str] = {}
        if headers.get("content-type", "").split(";", 1)[0].strip().lower() == FORM_CONTENT_TYPE:
            form, form_repeated = _parse_pairs(body.decode("utf-8", errors="replace"))
            repeated |= form_repeated
        request = Request(
            method=self.command,
            path=parts.path,
            query=query,
            form=form,
            headers=headers,
            body=body,
            repeated=frozenset(repeated),
        )
        emulator = self.server.emulator
        received_at = time.monotonic()  # the whole request is in
        response = emulator._dispatch(request)
        # Logged before the answer is written, not after: a client that has read the answer (a
        # test right after its request, a benchmark once the process that asked has ended) must
        # find it in the log, and after the write this thread could still be on its way here.
        exchange = Exchange(request, response.status if response else None, received_at, time.monotonic())
        with emulator._lock:
            emulator.request_log.append(exchange)
        if response is not None:
            self._write(response)

    def _write(self, response: Response) -> None:
        self.send_response(response.status)
        for name, value in response.headers:
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(response.body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(response.body)

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = do_OPTIONS = _handle
