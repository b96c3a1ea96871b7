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
- The first request on the redirect path that carries ``code`` or ``error`` ends the flow:
  ``state`` is compared in constant time, the answer page is written, and the socket closed.
- Everything reflected into the answer page is HTML-escaped.
"""

from __future__ import annotations

import asyncio
import errno
import hmac
import html
import logging
import socket
from dataclasses import dataclass
from urllib.parse import parse_qs, urlsplit

from ..errors import ConfigError, PortInUse, SignInCancelled, SignInDenied, SignInError, SignInTimeout, StateMismatch
from ..http import printable
from ..secret import Secret

log = logging.getLogger(__name__)

DEFAULT_PATH = "/callback"
# A request head larger than this is not a browser following a redirect.
_MAX_HEAD = 16 * 1024
# How long one connection may take to send its request head.
_READ_DEADLINE = 5.0


@dataclass(frozen=True)
class RedirectTarget:
    """Where to listen: an IP literal, a port (0 = ephemeral) and a path."""

    host: str = "127.0.0.1"
    port: int = 0
    path: str = DEFAULT_PATH

    def uri(self, port: int | None = None) -> str:
        p = self.port if port is None else port
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{p}{self.path}"


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
            f"redirect_uri {uri!r} must be an http:// loopback URI (RFC 8252 §7.3)",
        )
    host = (parts.hostname or "").lower()
    if host == "localhost":
        raise ConfigError(
            "redirect_uri uses 'localhost'",
            hint="use the IP literal http://127.0.0.1 (or http://[::1]): providers such as Spotify "
            "refuse localhost, and it may resolve to an address family we are not listening on",
        )
    if host not in ("127.0.0.1", "::1"):
        raise ConfigError(
            f"redirect_uri host {host or '(none)'!r} is not a loopback IP literal",
            hint="use http://127.0.0.1:PORT/PATH or http://[::1]:PORT/PATH",
        )
    if parts.query or parts.fragment:
        raise ConfigError("redirect_uri must not carry a query or a fragment")
    try:
        port = parts.port or 0
    except ValueError:
        raise ConfigError(f"redirect_uri {uri!r} has an invalid port") from None
    return RedirectTarget(host=host, port=port, path=parts.path or "/")


@dataclass(frozen=True)
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
    """

    def __init__(self, target: RedirectTarget, *, state: str) -> None:
        self.target = target
        self._state = state
        self._server: asyncio.base_events.Server | None = None
        self._result: asyncio.Future[Callback] | None = None
        self._port = target.port
        self._tasks: set[asyncio.Task[None]] = set()

    @property
    def redirect_uri(self) -> str:
        return self.target.uri(self._port)

    @property
    def port(self) -> int:
        return self._port

    async def start(self) -> None:
        loop = asyncio.get_running_loop()
        self._result = loop.create_future()
        family = socket.AF_INET6 if ":" in self.target.host else socket.AF_INET
        try:
            self._server = await asyncio.start_server(
                self._on_connection, host=self.target.host, port=self.target.port, family=family
            )
        except OSError as exc:
            if exc.errno in (errno.EADDRINUSE, errno.EACCES) or "in use" in str(exc).lower():
                raise PortInUse(self.target.host, self.target.port) from exc
            raise SignInError(
                f"could not listen on {self.target.host} port {self.target.port} ({exc.strerror or exc})"
            ) from exc
        sock = self._server.sockets[0]
        self._port = sock.getsockname()[1]
        log.debug("loopback listener on %s", self.redirect_uri)

    async def __aenter__(self) -> LoopbackListener:
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
            return await asyncio.wait_for(asyncio.shield(self._result), timeout)
        except asyncio.TimeoutError:
            raise SignInTimeout(
                f"no answer from the browser within {_duration(timeout)}; nothing was stored",
                hint="start the sign-in again",
            ) from None
        finally:
            await self.close()

    async def close(self) -> None:
        if self._server is not None:
            self._server.close()
            for task in list(self._tasks):
                task.cancel()
            try:
                await asyncio.wait_for(self._server.wait_closed(), 2)
            except asyncio.TimeoutError:  # pragma: no cover - a client that will not go away
                pass
            self._server = None
        if self._result is not None and not self._result.done():
            self._result.cancel()

    # -- connections --------------------------------------------------------------------------

    async def _on_connection(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        if task is not None:
            self._tasks.add(task)
        try:
            await self._serve_one(reader, writer)
        except (asyncio.TimeoutError, asyncio.IncompleteReadError, asyncio.LimitOverrunError, ConnectionError):
            pass  # a port scanner, a preconnect, or garbage: not our callback
        except ValueError:
            pass
        finally:
            if task is not None:
                self._tasks.discard(task)
            writer.close()

    async def _serve_one(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), _READ_DEADLINE)
        if len(head) > _MAX_HEAD:
            return
        request_line = head.split(b"\r\n", 1)[0].decode("latin-1")
        parts = request_line.split(" ")
        if len(parts) != 3 or not parts[2].startswith("HTTP/"):
            await _respond(writer, 400, "Bad request", "This address only answers a sign-in redirect.")
            return
        method, target, _ = parts
        url = urlsplit(target)
        if method != "GET" or url.path != self.target.path:
            await _respond(writer, 404, "Not found", "This address only answers a sign-in redirect.")
            return
        query = {k: v[0] for k, v in parse_qs(url.query, keep_blank_values=True).items()}
        if "code" not in query and "error" not in query:
            await _respond(writer, 400, "Not a sign-in answer", "This address only answers a sign-in redirect.")
            return
        assert self._result is not None
        if self._result.done():
            await _respond(writer, 410, "Already finished", "This sign-in has already finished.")
            return
        outcome = self._judge(query)
        if isinstance(outcome, Callback):
            await _respond(writer, 200, "Signed in", "You are signed in. You can close this tab and return to musicauth.")
            self._result.set_result(outcome)
        else:
            await _respond(writer, 400, "Sign-in failed", f"{outcome} You can close this tab.")
            self._result.set_exception(outcome)
        # One-shot: nothing more to listen for.
        if self._server is not None:
            self._server.close()

    def _judge(self, query: dict[str, str]) -> Callback | SignInError:
        state = query.get("state", "")
        if not hmac.compare_digest(state.encode(), self._state.encode()):
            return StateMismatch()
        if "error" in query:
            error = printable(query["error"]) or "an error"
            description = printable(query.get("error_description"))
            if error == "access_denied":
                message = "sign-in was refused at the provider (access_denied)"
            else:
                message = f"the provider ended the sign-in with {error}"
            if description:
                message += f": {description}"
            return SignInDenied(message + "; nothing was stored")
        code = query.get("code", "")
        if not code:
            return SignInError("the provider redirected back without a code; nothing was stored")
        return Callback(code=Secret(code), iss=query.get("iss"))


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


async def _respond(writer: asyncio.StreamWriter, status: int, title: str, body: str) -> None:
    colour = "#1a7f37" if status == 200 else "#b42318"
    page = _PAGE.format(title=html.escape(title), body=html.escape(body), colour=colour).encode()
    reason = {200: "OK", 400: "Bad Request", 404: "Not Found", 410: "Gone"}[status]
    head = (
        f"HTTP/1.1 {status} {reason}\r\n"
        "Content-Type: text/html; charset=utf-8\r\n"
        f"Content-Length: {len(page)}\r\n"
        "Cache-Control: no-store\r\n"
        "Referrer-Policy: no-referrer\r\n"
        "Connection: close\r\n\r\n"
    ).encode()
    writer.write(head + page)
    await writer.drain()
