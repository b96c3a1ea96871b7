"""One HTTP client for the core, with deadlines, and the mapping of failures to typed errors.

Every request has a deadline: httpx's per-phase timeouts plus an overall one, so that a server
that trickles bytes is still a clear error within ``DEFAULT_DEADLINE`` seconds.

Every answer has a size limit, ``MAX_ANSWER_BYTES``: token, refresh, introspection, revocation,
discovery and try-it answers are a few kilobytes, so a larger one is a wrong endpoint or a
hostile server. The body is read as a stream and counted as it arrives, so the limit holds
before the bytes are in memory (a 50 MB token answer used to cost 195 MB resident; issue 10).
The count holds for compressed answers too: providers are asked for ``Accept-Encoding:
identity``, and a body compressed anyway is decoded under the same limit (content_decoding.py;
httpx's own decoder let a 50 KB gzip bomb become 50 MB in one read).
"""

from __future__ import annotations

import asyncio
import ipaddress
import json
import os
import threading
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

import httpx

from .content_decoding import BoundedDecoder
from .errors import Action, InsecureEndpoint, InvalidGrant, MalformedResponse, ProviderRejected, ProviderUnreachable
from .user_agent import USER_AGENT as USER_AGENT  # re-exported: defined apart for the lean `token` path

DEFAULT_DEADLINE = 30.0
# The largest answer read from a provider. Discovery documents, the largest legitimate answers
# here, are tens of kilobytes; a try-it call's search result rarely passes a few hundred.
MAX_ANSWER_BYTES = 4 * 1024 * 1024


#: Held by every thread that imports the HTTP stack (httpcore, anyio and their backends) or
#: builds a transport, which imports httpcore. Python's per-module import locks raise
#: ``_DeadlockError`` when two threads import modules of one circular package at once (seen in
#: CI: a command's first request on the event loop's thread against the engine's warming
#: thread), so that work happens on one thread at a time, and requests on the event loop's
#: thread wait until it is done (``BackgroundTransport``). Reentrant: building the desktop
#: app's shared client imports the stack while holding it.
HTTP_STACK_LOCK = threading.RLock()
_http_stack_imported = False


def import_http_stack() -> None:
    """Once per process, what httpx's first request would otherwise import at an arbitrary
    moment (``engine.prepare_http_stack`` says why). Blocking; safe on any thread."""
    global _http_stack_imported
    with HTTP_STACK_LOCK:
        if _http_stack_imported:
            return
        import importlib
        import sys

        for module in ("httpcore", "anyio._backends._asyncio", "httpcore._backends.anyio"):
            try:
                importlib.import_module(module)
            except ImportError:
                pass
        try:
            importlib.import_module("sniffio")
        except ImportError:
            # typeshed types sys.modules as holding modules only; None is the documented blocker.
            sys.modules.setdefault("sniffio", None)  # type: ignore[arg-type]
        _http_stack_imported = True


def _built_under_lock(**options: Any) -> httpx.AsyncHTTPTransport:
    with HTTP_STACK_LOCK:
        return httpx.AsyncHTTPTransport(**options)


def deadline_from_env() -> float:
    """``MUSICAUTH_HTTP_TIMEOUT`` (seconds) or the default; tests shorten it."""
    raw = os.environ.get("MUSICAUTH_HTTP_TIMEOUT")
    try:
        return float(raw) if raw else DEFAULT_DEADLINE
    except ValueError:
        return DEFAULT_DEADLINE


def make_client(deadline: float | None = None) -> httpx.AsyncClient:
    """An AsyncClient with explicit timeouts; the caller closes it (``async with``).

    Inside a running event loop its transport is built on a worker thread (``BackgroundTransport``).
    """
    total = deadline or deadline_from_env()
    try:
        asyncio.get_running_loop()
        transport: httpx.AsyncBaseTransport | None = BackgroundTransport(trust_env=True)
    except RuntimeError:  # no loop (a worker thread building the desktop app's shared client)
        transport = None
    return httpx.AsyncClient(
        timeout=httpx.Timeout(total, connect=min(10.0, total)),
        # identity: token answers are a few kilobytes, so compression saves nothing, and an
        # uncompressed body is as large in memory as the count of its arriving bytes says.
        headers={"User-Agent": USER_AGENT, "Accept": "application/json", "Accept-Encoding": "identity"},
        follow_redirects=False,
        # Discovery and token endpoints never need cookies; a shared jar would only leak them
        # between profiles.
        cookies=None,
        trust_env=True,
        transport=transport,
    )


class BackgroundTransport(httpx.AsyncBaseTransport):
    """httpx's own transport, built on a worker thread from the moment the client is made.

    Building it loads the CA bundle into an SSL context: about 45 ms, which used to block the
    event loop before a command's first request. Now it overlaps with what comes first: the
    keyring read of the profile, and in a sign-in the whole browser round trip. Requests wait
    for it; the SSL context is the same (certifi, verification on), built the same way.

    A plain ``http`` request does not wait for it: ``check_endpoint`` lets http through to a
    loopback host only (a local provider, a test server), where no certificate is ever checked.
    Such requests go through a transport of their own whose SSL context trusts no CA at all, so
    it could not carry a TLS connection even if one were asked of it; building it loads nothing
    (`musicauth refresh` against a local server answered ~30 ms sooner).
    """

    def __init__(self, **options: Any) -> None:
        self._options = options
        loop = asyncio.get_running_loop()
        # Two jobs, each under HTTP_STACK_LOCK: the stack's imports (all a plain request needs)
        # and the verified transport (the CA bundle).
        self._stack = loop.run_in_executor(None, import_http_stack)
        self._pending = loop.run_in_executor(None, lambda: _built_under_lock(**options))
        self._plain: httpx.AsyncHTTPTransport | None = None

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        # Nothing on this thread imports the stack while a worker may be importing it.
        await asyncio.shield(self._stack)
        if request.url.scheme == "http":
            return await self._plain_transport().handle_async_request(request)
        transport = await asyncio.shield(self._pending)  # a cancelled request leaves it intact
        return await transport.handle_async_request(request)

    def _plain_transport(self) -> httpx.AsyncHTTPTransport:
        if self._plain is None:
            import ssl

            no_ca = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)  # verifying, with nothing to trust
            # No lock: the stack is imported by now (awaited above), so this imports nothing
            # that a worker could be importing in a cycle, and it must not wait for the CA bundle.
            self._plain = httpx.AsyncHTTPTransport(**{**self._options, "verify": no_ca})
        return self._plain

    async def aclose(self) -> None:
        if self._plain is not None:
            await self._plain.aclose()
        try:
            transport = await asyncio.shield(self._pending)
        except Exception:  # noqa: BLE001 - it never got built; nothing to close
            return
        await transport.aclose()


def is_loopback_host(host: str) -> bool:
    host = host.strip("[]").lower()
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def check_endpoint(url: str, what: str, *, field: str | None = None) -> str:
    """``url`` if it is https, or http on a loopback host; else InsecureEndpoint.

    Args:
        what: how the message names the URL.
        field: the profile field that holds it, for the error (defaults to ``what``).

    The URL must mean the same host to us as to a browser (a sign-in URL is opened in one).
    Rather than reimplement the WHATWG URL parser, the characters on which it and
    ``urlsplit`` disagree are refused: a backslash (a browser reads it as ``/`` in http(s)
    URLs, so ``http://evil.example\\@127.0.0.1/`` is evil.example to it and 127.0.0.1 to
    ``urlsplit``), userinfo (``user@``: no OAuth endpoint has one, and it is where such tricks
    hide), and white space or control characters (which a browser strips before parsing).
    What is left parses alike; where they still differ (a browser also reads ``0x7f.1`` or
    percent-encoded hosts as 127.0.0.1), ``urlsplit`` sees a non-loopback host and refuses.
    """
    field = field or what

    def refused(rule: str) -> InsecureEndpoint:
        # "<what> <rule>"; the rule alone too when ``what`` is the field's key (ConfigError.rule).
        error = InsecureEndpoint(f"{what} {rule}", field=field)
        error.rule = rule if what == field else None
        return error

    if any(ch == "\\" or ch.isspace() or ord(ch) < 0x20 or 0x7F <= ord(ch) <= 0x9F for ch in url):
        # The URL itself is not echoed: it may hold user:password@ (see below).
        raise refused("contains a backslash, white space or a control character (a URL is plain https://host/path)")
    try:
        parts = urlsplit(url)
    except ValueError:  # an unclosed [IPv6 literal
        raise refused("is not a valid URL") from None
    if "@" in parts.netloc:
        raise refused(
            "contains user information (user@host); it may be a password, so it is not shown "
            "(credentials belong in client_id and client_secret)"
        )
    if parts.scheme == "https" and parts.hostname:
        return url
    if parts.scheme == "http" and parts.hostname and is_loopback_host(parts.hostname):
        return url
    if parts.scheme == "http":
        raise refused(
            f"{parts.scheme}://{parts.hostname}{parts.path} is plain http on a host that is not loopback "
            "(http is accepted only for 127.0.0.1, [::1] and localhost)"
        )
    raise refused(f"{_short_url(url)} is not an http(s) URL")


def _short_url(url: str, limit: int = 80) -> str:
    # A message shows at most ``limit`` characters of the URL, escapes and all.
    return repr(url[:limit]) + ("…" if len(url) > limit else "")


def host_of(url: str) -> str:
    parts = urlsplit(url)
    return parts.netloc.rsplit("@", 1)[-1] or url


async def send(
    client: httpx.AsyncClient,
    method: str,
    url: str,
    *,
    what: str,
    data: Mapping[str, str] | None = None,
    headers: Mapping[str, str] | None = None,
    deadline: float | None = None,
) -> httpx.Response:
    """Send one request and read its answer; map transport failures, the overall deadline and an
    answer over ``MAX_ANSWER_BYTES`` to typed errors.

    Raises:
        ProviderUnreachable: no answer, a broken exchange, or the deadline passed.
        MalformedResponse: the answer is larger than ``MAX_ANSWER_BYTES``, or its body does not
            decode as its Content-Encoding says.
    """
    total = deadline or deadline_from_env()
    try:
        return await asyncio.wait_for(
            _request_bounded(client, client.build_request(method, url, data=data, headers=headers), what=what),
            timeout=total,
        )
    except (TimeoutError, httpx.TimeoutException) as exc:
        raise ProviderUnreachable(
            f"{what}: {host_of(url)} did not answer within {total:.0f} s",
        ) from exc
    except httpx.DecodingError as exc:  # now raised while we read, so ours to name
        raise MalformedResponse(
            f"{what}: {host_of(url)} sent a body that its Content-Encoding does not describe",
        ) from exc
    except httpx.TransportError as exc:
        raise ProviderUnreachable(
            f"{what}: could not reach {host_of(url)} ({_transport_reason(exc)})",
        ) from exc


async def _request_bounded(client: httpx.AsyncClient, request: httpx.Request, *, what: str) -> httpx.Response:
    """The answer to ``request`` with its body read, refusing one over ``MAX_ANSWER_BYTES``.

    The declared Content-Length is checked before any of the body is read; the bytes are counted
    as they arrive either way, because the length may be absent (chunked, or until the server
    closes) or understated. Both counts are capped: the bytes off the wire (a compressed stream
    can decode to nothing for ever) and the decoded ones, which are what would sit in memory.
    """
    response = await client.send(request, stream=True)
    try:
        declared = response.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > MAX_ANSWER_BYTES:
            raise _too_large(what, request.url)
        decoder = BoundedDecoder(response.headers.get("content-encoding", ""), limit=MAX_ANSWER_BYTES)
        chunks: list[bytes] = []
        received = decoded = 0
        async for raw in response.aiter_raw():
            received += len(raw)
            chunk = decoder.decode(raw)
            decoded += len(chunk)
            if received > MAX_ANSWER_BYTES or decoded > MAX_ANSWER_BYTES:
                raise _too_large(what, request.url)
            chunks.append(chunk)
        tail = decoder.flush()
        if decoded + len(tail) > MAX_ANSWER_BYTES:
            raise _too_large(what, request.url)
        chunks.append(tail)
    finally:
        # Closes the connection of an answer cut short: no more of it is read.
        await response.aclose()
    # The same answer with the body in memory (already decoded, so without Content-Encoding).
    return httpx.Response(
        response.status_code,
        headers=[(k, v) for k, v in response.headers.multi_items() if k.lower() not in _BODY_FRAMING],
        content=b"".join(chunks),
        request=request,
        extensions={k: v for k, v in response.extensions.items() if k in ("http_version", "reason_phrase")},
    )


# Headers that describe the body as it came over the wire, not as it is once read and decoded.
_BODY_FRAMING = frozenset({"content-encoding", "content-length", "transfer-encoding"})


def _too_large(what: str, url: httpx.URL) -> MalformedResponse:
    return MalformedResponse(
        f"{what}: the answer from {host_of(str(url))} is larger than {MAX_ANSWER_BYTES // (1024 * 1024)} MB",
        actions=(Action.CHECK_ENDPOINT,),
    )


def _transport_reason(exc: httpx.TransportError) -> str:
    if isinstance(exc, httpx.ConnectError):
        text = str(exc).lower()
        if "refused" in text:
            return "connection refused"
        if "name" in text or "resolv" in text or "nodename" in text:
            return "name not resolved"
        if "ssl" in text or "certificate" in text:
            return "TLS failure"
        return "connection failed"
    if isinstance(exc, httpx.RemoteProtocolError):
        return "the server broke the HTTP exchange"
    return type(exc).__name__


def json_body(response: httpx.Response, *, what: str) -> dict[str, Any]:
    """The JSON object of a 2xx answer, or MalformedResponse saying what came instead."""
    try:
        body = response.json()
    except (ValueError, json.JSONDecodeError):
        ctype = response.headers.get("content-type", "no content type").split(";")[0]
        raise MalformedResponse(
            f"{what}: {host_of(str(response.url))} answered {response.status_code} with {ctype} that is not valid JSON",
            actions=(Action.CHECK_ENDPOINT,),
        ) from None
    if not isinstance(body, dict):
        raise MalformedResponse(f"{what}: {host_of(str(response.url))} answered JSON that is not an object")
    return body


def raise_for_oauth_error(response: httpx.Response, *, what: str) -> None:
    """Raise ProviderRejected (or InvalidGrant) for a non-2xx answer, with the OAuth error.

    RFC 6749 §5.2 errors are JSON with ``error`` and ``error_description``; anything else is
    summarised by status and content type (a body may echo what we sent, so it is never shown).
    """
    if response.is_success:
        return
    status = response.status_code
    error = description = sub_status = None
    try:
        body = response.json()
        if isinstance(body, dict):
            error = printable(body.get("error"))
            description = printable(body.get("error_description") or body.get("message"))
            # TIDAL: {error, error_description, status, sub_status}; a number, or its digits.
            raw_sub = body.get("sub_status")
            if isinstance(raw_sub, int) and not isinstance(raw_sub, bool):
                sub_status = str(raw_sub)
            elif isinstance(raw_sub, str) and raw_sub.isdigit() and raw_sub.isascii():
                sub_status = raw_sub[:12]
    except ValueError:
        pass  # not JSON (an HTML error page, a proxy's text): summarised by status below
    host = host_of(str(response.url))
    if error:
        detail = f"{error}: {description}" if description else error
        message = f"{what}: {host} refused ({status} {detail})"
    elif status >= 500:
        message = f"{what}: {host} had a server error ({status})"
    else:
        message = f"{what}: {host} answered {status} {response.reason_phrase}".rstrip()
    cls = InvalidGrant if error == "invalid_grant" else ProviderRejected
    field: str | None = None
    actions: tuple[Action, ...] | None = None
    if status >= 500 or status == 429:
        actions = (Action.RETRY,)
    elif error == "invalid_client":
        # The client id or the secret: the secret is the one that is typed, and rotated.
        field, actions = "client_secret", (Action.EDIT_FIELD,)
    raise cls(
        message, status=status, error=error, description=description, sub_status=sub_status, field=field, actions=actions
    )


def printable(value: object) -> str | None:
    if not isinstance(value, str) or not value:
        return None
    # RFC 6749 limits these to printable ASCII; anything else is cut, and length is capped so a
    # misbehaving server cannot flood the one-line message.
    cleaned = "".join(ch for ch in value if 0x20 <= ord(ch) < 0x7F)
    return cleaned[:200] or None
