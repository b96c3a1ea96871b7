"""The one-shot loopback redirect listener of a native app's sign-in (RFC 8252 §7.3, §8.3).

What it does, and why:
- It binds exactly the IP literal it advertises in ``redirect_uri``: ``127.0.0.1`` by default,
  ``[::1]`` on request, never ``localhost`` (which may resolve to the other address family than
  the one bound, and which Spotify refuses) and never ``0.0.0.0`` (that would listen on the
  network).
- It is listening before the browser is opened, so a fast browser cannot race it.
- Port 0 (an ephemeral port) unless the provider needs an exact pre-registered URI; a busy fixed
  port is a clear error naming the port, never a silent move to another one (the provider would
  refuse the changed URI anyway).
- It ignores stray requests (``/favicon.ico``, port scanners, a preconnect that sends nothing,
  garbage) without failing the flow: each connection has its own short read deadline.
- The first request on the redirect path that carries ``code`` or ``error`` (Deezer:
  ``error_reason``; Last.fm: ``token``, or only the ``state`` of our own callback URL) ends the flow:
  ``state`` is compared in constant time, the answer page is written, and the socket closed.
- Everything reflected into the answer page is HTML-escaped.
- It holds at most ``_MAX_CONNECTIONS`` connections at once and reads at most ``_MAX_HEAD``
  bytes from each: a browser needs one or two (Chrome opens a speculative preconnect beside
  the real request), so a full house means a scan or a flood. A new connection evicts the
  idlest held one (silent ones first, then the longest quiet), because the newest is the one
  most likely to be the browser's redirect.
- Running out of file descriptors (EMFILE on accept) is survived: the idlest connection is
  dropped to free one, and accepting resumes shortly; the kernel keeps the pending
  connections in the listen backlog meanwhile.
- Nothing it does can print a traceback. It accepts with its own task instead of
  ``asyncio.start_server``, whose connection callback on Python 3.11.7 logs "Exception in
  callback" with a ``CancelledError`` traceback for every connection still open when the server
  closes (CPython gh-113538, fixed in 3.12.2), and whose accept loop logs EMFILE with a
  traceback. Every task it starts has a done-callback that retrieves its outcome.
"""

from __future__ import annotations

import asyncio
import errno
import hmac
import html
import logging
import os
import socket
from dataclasses import dataclass
from typing import Self
from urllib.parse import parse_qs, urlsplit

from ..errors import Action, ConfigError, PortInUse, SignInCancelled, SignInDenied, SignInError, SignInTimeout, StateMismatch
from ..record import frozen_record
from ..secret import Secret

log = logging.getLogger(__name__)

DEFAULT_PATH = "/callback"
# A request head larger than this is not a browser following a redirect.
_MAX_HEAD = 16 * 1024
# How long one connection may take to send its request head.
_READ_DEADLINE = 5.0
# How long one connection may take to take its answer page (a client that never reads).
_WRITE_DEADLINE = 5.0
# Connections held at once: a browser needs one or two; 1,000 held connections of 60 KB each
# cost 125 MB before this cap (issue 10).
_MAX_CONNECTIONS = 32
# Bytes asked of the kernel per read; a head never needs more than a few reads.
_CHUNK = 4096
# The pause before accepting again when the process is out of descriptors (asyncio's own
# server waits 1 s; a browser's redirect should not wait that long).
_ACCEPT_RETRY_DELAY = 0.1
# accept() failures that mean "out of resources", not "this one connection failed".
_OUT_OF_RESOURCES = frozenset({errno.EMFILE, errno.ENFILE, errno.ENOBUFS, errno.ENOMEM})
# The listen backlog (asyncio.start_server's default).
_BACKLOG = 100


@frozen_record
class RedirectTarget:
    """Where to listen: an IP literal, a port (0 = ephemeral) and a path."""

    host: str = "127.0.0.1"
    port: int = 0
    path: str = DEFAULT_PATH

    def uri(self, port: int | None = None) -> str:
        p = self.port if port is None else port
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{p}{self.path}"


# Every refusal of a redirect URI is about that one profile field.
_FIELD = "redirect_uri"
_EDIT = (Action.EDIT_FIELD,)


def parse_redirect_uri(uri: str | None) -> RedirectTarget:
    """The listener target for a profile's ``redirect_uri`` (None: 127.0.0.1, ephemeral port).

    A URI without a port means an ephemeral port (RFC 8252 §7.3 lets the client pick the port
    at run time); one with a port pins it.

    Raises:
        ConfigError: not http, not a loopback IP literal (``localhost`` included), or a query
            or fragment (RFC 6749 §3.1.2 forbids the fragment; a query would be ambiguous).
    """
    if not uri:
        return RedirectTarget()
    parts = urlsplit(uri)
    if parts.scheme != "http":
        raise ConfigError(
            f"redirect_uri {uri!r} must be an http:// loopback URI (RFC 8252 §7.3)", field=_FIELD, actions=_EDIT
        )
    host = (parts.hostname or "").lower()
    if host == "localhost":
        raise ConfigError(
            "redirect_uri uses 'localhost' instead of the IP literal http://127.0.0.1 (or http://[::1]): "
            "providers such as Spotify refuse localhost, and it may resolve to an address family we are "
            "not listening on",
            field=_FIELD,
            actions=_EDIT,
        )
    if host not in ("127.0.0.1", "::1"):
        raise ConfigError(
            f"redirect_uri host {host or '(none)'!r} is not a loopback IP literal "
            "(http://127.0.0.1:PORT/PATH or http://[::1]:PORT/PATH)",
            field=_FIELD,
            actions=_EDIT,
        )
    if parts.query or parts.fragment:
        raise ConfigError("redirect_uri must not carry a query or a fragment", field=_FIELD, actions=_EDIT)
    try:
        port = parts.port or 0
    except ValueError:
        raise ConfigError(f"redirect_uri {uri!r} has an invalid port", field=_FIELD, actions=_EDIT) from None
    return RedirectTarget(host=host, port=port, path=parts.path or "/")


@frozen_record
class RedirectToRegister:
    """The redirect URI to register with a provider, and the one sign-in will listen on.

    Attributes:
        register: the URI to register: exactly the pinned one, or without a port.
        listening: what the listener uses, ``<port>`` standing for the port chosen at sign-in.
        pinned: the profile fixes the port.
    """

    register: str
    listening: str
    pinned: bool


def redirect_to_register(uri: str | None) -> RedirectToRegister:
    """What to register with the provider for a profile's ``redirect_uri`` (None: unset).

    A pinned port is registered exactly. Otherwise the listener takes a free port at sign-in,
    and the URI is registered without one: RFC 8252 §7.3 has the server accept any port on a
    loopback IP literal (Spotify documents it so; not every provider does).

    Raises:
        ConfigError: as ``parse_redirect_uri``.
    """
    target = parse_redirect_uri(uri)
    if target.port:
        return RedirectToRegister(target.uri(), target.uri(), pinned=True)
    host = f"[{target.host}]" if ":" in target.host else target.host
    return RedirectToRegister(f"http://{host}{target.path}", f"http://{host}:<port>{target.path}", pinned=False)


@frozen_record
class Callback:
    """A successful redirect: the code (and the iss parameter, RFC 9207, when sent)."""

    code: Secret
    iss: str | None = None


class LoopbackListener:
    """Listen for one authorization response.

    Use::

        async with LoopbackListener(target, state=state) as listener:
            open_browser(url_with(listener.redirect_uri))
            callback = await listener.wait(timeout=300)

    Args:
        target: where to bind.
        state: the value sent in the authorization request.
        code_param: the query parameter that carries the one-time code (Last.fm: ``token``).
        state_in_callback: the state travels in our own callback URL, which the provider sends
            the browser back to with the code added, and with nothing added when the user did not
            approve (Last.fm documents no refusal): a request carrying our state is then the
            answer, and one without a code a refusal.
    """

    def __init__(
        self, target: RedirectTarget, *, state: str, code_param: str = "code", state_in_callback: bool = False
    ) -> None:
        self.target = target
        self._state = state
        self._code_param = code_param
        self._state_in_callback = state_in_callback
        self._sock: socket.socket | None = None
        self._accepting: asyncio.Task[None] | None = None
        self._result: asyncio.Future[Callback] | None = None
        self._port = target.port
        self._connections: dict[asyncio.Task[None], _Connection] = {}

    @property
    def redirect_uri(self) -> str:
        return self.target.uri(self._port)

    @property
    def port(self) -> int:
        return self._port

    async def start(self) -> None:
        loop = asyncio.get_running_loop()
        self._result = loop.create_future()
        self._sock = _bind(self.target)
        self._port = self._sock.getsockname()[1]
        self._accepting = loop.create_task(self._accept_forever(self._sock), name="loopback accept")
        self._accepting.add_done_callback(self._on_accepting_done)
        log.debug("loopback listener on %s", self.redirect_uri)

    async def __aenter__(self) -> Self:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    def cancel(self) -> None:
        """End the wait with SignInCancelled (the Cancel button)."""
        if self._result is not None and not self._result.done():
            self._result.set_exception(SignInCancelled())

    async def wait(self, timeout: float) -> Callback:
        """The callback, or the error it carried.

        Raises:
            SignInDenied, StateMismatch, SignInTimeout, SignInCancelled.
        """
        assert self._result is not None, "start() first"
        try:
            async with asyncio.timeout(timeout):  # not wait_for: see core/http.py send
                return await asyncio.shield(self._result)
        except TimeoutError:
            raise SignInTimeout(
                f"no answer from the browser within {_duration(timeout)}; nothing was stored",
            ) from None
        finally:
            await self.close()

    async def close(self) -> None:
        """Stop listening, drop every held connection, and wait until their sockets are closed."""
        self._stop_accepting()
        tasks = [task for task in (self._accepting, *self._connections) if task is not None and not task.done()]
        for task in tasks:
            task.cancel()
        if tasks:
            # asyncio.wait, not gather: it neither raises nor cancels what it waits for when the
            # caller itself is cancelled (Ctrl-C during a sign-in); the done-callbacks close the
            # sockets either way.
            await asyncio.wait(tasks, timeout=2)
        if self._result is not None and not self._result.done():
            self._result.cancel()

    def _stop_accepting(self) -> None:
        # The listening socket is closed by the accept task's done-callback, never here: closing
        # it while the loop still watches its descriptor could let a new socket reuse the number
        # and lose its reader (the cancelled accept unregisters "its" descriptor afterwards).
        if self._accepting is not None and not self._accepting.done():
            self._accepting.cancel()

    # -- accepting ----------------------------------------------------------------------------

    async def _accept_forever(self, listening: socket.socket) -> None:
        loop = asyncio.get_running_loop()
        while True:
            try:
                sock, _ = await loop.sock_accept(listening)
            except OSError as exc:
                if exc.errno in _OUT_OF_RESOURCES:
                    # EMFILE: the process is out of descriptors (a flood, or a low ulimit).
                    # Free one by dropping the idlest connection, then try again shortly; the
                    # pending connections wait in the kernel's backlog.
                    log.debug("loopback listener: accept failed (%s); dropping the idlest connection", exc.strerror)
                    self._drop_idlest()
                else:  # ECONNABORTED and the like: that one client gave up
                    log.debug("loopback listener: accept failed (%s)", exc.strerror or exc)
                await asyncio.sleep(_ACCEPT_RETRY_DELAY)
                continue
            self._admit(sock)
            # Let the new connection start and the dropped ones finish (and close) before the
            # next accept: a backlog of ready connections would otherwise be accepted in one go,
            # without ever yielding, past the cap.
            await asyncio.sleep(0)

    def _on_accepting_done(self, task: asyncio.Task[None]) -> None:
        if self._sock is not None:
            self._sock.close()
        if task.cancelled():
            return
        exc = task.exception()
        if exc is None:
            return
        # Not expected (the loop only ends by cancellation); end the flow with one line instead of
        # leaving it waiting for a browser that can no longer reach us.
        log.debug("loopback listener stopped accepting", exc_info=exc)
        if self._result is not None and not self._result.done():
            self._result.set_exception(SignInError(f"the loopback listener stopped ({type(exc).__name__}); nothing was stored"))

    def _admit(self, sock: socket.socket) -> None:
        sock.setblocking(False)
        held = sum(1 for connection in self._connections.values() if not connection.dropped)
        if held >= _MAX_CONNECTIONS:
            self._drop_idlest()
        loop = asyncio.get_running_loop()
        connection = _Connection(sock, opened=loop.time())
        task = loop.create_task(self._serve(connection), name="loopback connection")
        self._connections[task] = connection
        task.add_done_callback(self._on_connection_done)

    def _drop_idlest(self) -> None:
        held = [(task, connection) for task, connection in self._connections.items() if not connection.dropped]
        if not held:
            return
        task, victim = min(held, key=lambda pair: pair[1].eviction_order())
        victim.dropped = True
        # Its socket is closed by _on_connection_done, once the loop no longer watches it.
        task.cancel()

    def _on_connection_done(self, task: asyncio.Task[None]) -> None:
        connection = self._connections.pop(task, None)
        if connection is not None:
            connection.sock.close()
        # Asking for the exception marks it retrieved: asyncio never logs "Task exception was
        # never retrieved" for a connection. _serve has already let go of what a client can cause
        # (timeouts, resets, garbage gets a 400), so what arrives here is a bug of ours: logged
        # with its traceback (secrets scrubbed), while the sign-in keeps waiting for the browser,
        # since the connection that failed need not have been the browser's.
        if not task.cancelled() and task.exception() is not None:
            log.error("loopback listener: a connection failed unexpectedly", exc_info=task.exception())

    # -- connections --------------------------------------------------------------------------

    async def _serve(self, connection: _Connection) -> None:
        try:
            async with asyncio.timeout(_READ_DEADLINE):
                head = await self._read_head(connection)
            if head is None:
                return
            connection.answering = True
            async with asyncio.timeout(_WRITE_DEADLINE):
                await self._answer_connection(connection, head)
        except (TimeoutError, OSError):
            pass  # a port scanner, a preconnect, a silent client, or one that went away: not our callback

    async def _read_head(self, connection: _Connection) -> bytes | None:
        """The request head (through the blank line), or None: closed early, or too large."""
        loop = asyncio.get_running_loop()
        buffer = bytearray()
        while True:
            chunk = await loop.sock_recv(connection.sock, _CHUNK)
            if not chunk:
                return None
            connection.last_byte = loop.time()
            searched_from = max(0, len(buffer) - 3)
            buffer += chunk
            end = buffer.find(b"\r\n\r\n", searched_from)
            if end >= 0:
                connection.rest = bytes(buffer[end + 4 :])  # the start of a body, if any
                return bytes(buffer[: end + 4]) if end + 4 <= _MAX_HEAD else None
            if len(buffer) > _MAX_HEAD:
                return None

    async def _answer_connection(self, connection: _Connection, head: bytes) -> None:
        """Answer one complete request head. A subclass that takes a request body (the Apple
        Music page's POST, core/oauth/musickit_page.py) reads it from ``connection``."""
        await self._answer(connection.sock, head)

    async def _answer(self, sock: socket.socket, head: bytes) -> None:
        request_line = head.split(b"\r\n", 1)[0].decode("latin-1")
        parts = request_line.split(" ")
        if len(parts) != 3 or not parts[2].startswith("HTTP/"):
            await _respond(sock, 400, "Bad request", "This address only answers a sign-in redirect.")
            return
        method, target, _ = parts
        try:
            url = urlsplit(target)
        except ValueError:  # garbage such as "GET http://[::1/ HTTP/1.1" (an unclosed IPv6 bracket)
            await _respond(sock, 400, "Bad request", "This address only answers a sign-in redirect.")
            return
        if method != "GET" or url.path != self.target.path:
            await _respond(sock, 404, "Not found", "This address only answers a sign-in redirect.")
            return
        query = {k: v[0] for k, v in parse_qs(url.query, keep_blank_values=True).items()}
        if not self._is_answer(query):
            await _respond(sock, 400, "Not a sign-in answer", "This address only answers a sign-in redirect.")
            return
        assert self._result is not None
        if self._result.done():
            await _respond(sock, 410, "Already finished", "This sign-in has already finished.")
            return
        outcome = self._judge(query)
        # One-shot: nothing more to listen for.
        self._stop_accepting()
        try:
            if isinstance(outcome, Callback):
                await _respond(sock, 200, "Signed in", "You are signed in. You can close this tab and return to musicauth.")
            else:
                await _respond(sock, 400, "Sign-in failed", f"{outcome} You can close this tab.")
        finally:
            self._settle(outcome)  # the answer counts even if the browser did not take the page

    def _settle(self, outcome: Callback | SignInError) -> None:
        """The sign-in's result: the callback, or the error it carried (the first one only)."""
        result = self._result
        assert result is not None, "start() first"  # a connection is served only once started
        if result.done():
            return
        if isinstance(outcome, Callback):
            result.set_result(outcome)
        else:
            result.set_exception(outcome)

    def _is_answer(self, query: dict[str, str]) -> bool:
        """Whether ``query`` is the sign-in's answer (anything else is a stray request)."""
        answer_params = (self._code_param, "error", "error_reason", *(("state",) if self._state_in_callback else ()))
        return any(name in query for name in answer_params)

    def _judge(self, query: dict[str, str]) -> Callback | SignInError:
        state = query.get("state", "")
        if not hmac.compare_digest(state.encode(), self._state.encode()):
            return StateMismatch()
        if "error" in query or "error_reason" in query:
            from ..http import printable  # here, not at the top: core.http loads httpx (~8 ms, ~7 MB)

            # Deezer Connect says error_reason (user_denied) where OAuth says error.
            error = printable(query.get("error") or query.get("error_reason")) or "an error"
            description = printable(query.get("error_description"))
            if error in ("access_denied", "user_denied"):
                message = f"sign-in was refused at the provider ({error})"
            else:
                message = f"the provider ended the sign-in with {error}"
            if description:
                message += f": {description}"
            return SignInDenied(message + "; nothing was stored")
        code = query.get(self._code_param, "")
        if not code and self._state_in_callback:
            return SignInDenied("the provider sent the browser back without a token: access was not granted; nothing was stored")
        if not code:
            return SignInError("the provider redirected back without a code; nothing was stored")
        return Callback(code=Secret(code), iss=query.get("iss"))


@dataclass(eq=False)
class _Connection:
    """One accepted connection, and what the eviction order needs to know about it."""

    sock: socket.socket
    opened: float
    last_byte: float | None = None
    answering: bool = False
    dropped: bool = False
    #: Bytes read past the request head: the start of its body.
    rest: bytes = b""

    def eviction_order(self) -> tuple[bool, bool, float]:
        """Sorts first the connection to drop: silent ones, then the longest quiet; one being
        answered last (its request is complete)."""
        return (self.answering, self.last_byte is not None, self.last_byte if self.last_byte is not None else self.opened)


def _bind(target: RedirectTarget) -> socket.socket:
    """A listening, non-blocking socket on exactly ``target``'s address.

    Raises:
        PortInUse: a fixed port that another program holds.
        SignInError: any other failure to listen.
    """
    family = socket.AF_INET6 if ":" in target.host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    try:
        if os.name == "posix":
            # As asyncio.start_server does on POSIX: a fixed port still in TIME_WAIT from the last
            # sign-in can be bound again, while a port another program listens on still fails.
            # (Not on Windows, where SO_REUSEADDR would let us steal a bound port.)
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        if family == socket.AF_INET6:
            sock.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
        sock.bind((target.host, target.port))
        sock.listen(_BACKLOG)
        sock.setblocking(False)
    except OSError as exc:
        sock.close()
        if exc.errno in (errno.EADDRINUSE, errno.EACCES) or "in use" in str(exc).lower():
            raise PortInUse(target.host, target.port) from exc
        raise SignInError(f"could not listen on {target.host} port {target.port} ({exc.strerror or exc})") from exc
    return sock


def _duration(seconds: float) -> str:
    if seconds >= 60 and seconds % 60 == 0:
        minutes = int(seconds // 60)
        return f"{minutes} minute{'s' if minutes != 1 else ''}"
    return f"{seconds:g} s"


_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>musicauth: {title}</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>
body {{ font: 16px/1.5 system-ui, sans-serif; margin: 0; display: grid; place-items: center;
       min-height: 100vh; background: #f4f5f7; color: #1d2330; }}
main {{ background: #fff; padding: 2rem 2.5rem; border-radius: 12px; max-width: 32rem;
       box-shadow: 0 2px 12px rgba(0,0,0,.08); }}
h1 {{ font-size: 1.3rem; margin: 0 0 .5rem; color: {colour}; }}
@media (prefers-color-scheme: dark) {{ body {{ background: #16181d; color: #e6e8ee; }}
  main {{ background: #22252c; }} }}
</style></head>
<body><main><h1>{title}</h1><p>{body}</p></main></body></html>
"""


async def _respond(sock: socket.socket, status: int, title: str, body: str) -> None:
    colour = "#1a7f37" if status == 200 else "#b42318"
    page = _PAGE.format(title=html.escape(title), body=html.escape(body), colour=colour).encode()
    await send_answer(sock, status, page, "text/html; charset=utf-8")


_REASONS = {
    200: "OK", 400: "Bad Request", 403: "Forbidden", 404: "Not Found", 405: "Method Not Allowed", 410: "Gone",
    413: "Content Too Large",
}  # fmt: skip


async def send_answer(
    sock: socket.socket, status: int, body: bytes, content_type: str, *, headers: tuple[str, ...] = ()
) -> None:
    """One whole answer, never cached, never sending a referrer on; then the connection closes.

    Args:
        headers: more header lines (``Name: value``), such as a page's Content-Security-Policy.
    """
    extra = "".join(f"{line}\r\n" for line in headers)
    head = (
        f"HTTP/1.1 {status} {_REASONS[status]}\r\n"
        f"Content-Type: {content_type}\r\n"
        f"Content-Length: {len(body)}\r\n"
        "Cache-Control: no-store\r\n"
        "Referrer-Policy: no-referrer\r\n"
        f"{extra}"
        "Connection: close\r\n\r\n"
    ).encode()
    await asyncio.get_running_loop().sock_sendall(sock, head + body)
