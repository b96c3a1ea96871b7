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
import json
import os
from collections.abc import Mapping
from typing import Any

import httpx

from .content_decoding import BoundedDecoder
from .errors import Action, InvalidGrant, MalformedResponse, ProviderRejected, ProviderUnreachable

# The lock and the imports live apart, and so do the URL rules, so that neither loads httpx;
# re-exported here for the modules that already load it.
from .http_stack import HTTP_STACK_LOCK as HTTP_STACK_LOCK
from .http_stack import built_under_lock, import_http_stack, loopback_only_ssl_context
from .urls import check_endpoint as check_endpoint
from .urls import host_of as host_of
from .urls import is_loopback_host as is_loopback_host
from .urls import printable as printable
from .user_agent import USER_AGENT as USER_AGENT  # re-exported: defined apart for the lean `token` path

DEFAULT_DEADLINE = 30.0
# The largest answer read from a provider. Discovery documents, the largest legitimate answers
# here, are tens of kilobytes; a try-it call's search result rarely passes a few hundred.
MAX_ANSWER_BYTES = 4 * 1024 * 1024


def deadline_from_env() -> float:
    """``MUSICAUTH_HTTP_TIMEOUT`` (seconds) or the default; tests shorten it."""
    raw = os.environ.get("MUSICAUTH_HTTP_TIMEOUT")
    try:
        return float(raw) if raw else DEFAULT_DEADLINE
    except ValueError:
        return DEFAULT_DEADLINE


def make_client(deadline: float | None = None, *, one_shot: bool = False) -> httpx.AsyncClient:
    """An AsyncClient with explicit timeouts; the caller closes it (``async with``).

    Inside a running event loop its transport is built on a worker thread (``BackgroundTransport``),
    or, for a command that ends with its process (``one_shot``, the CLI's engine), it is httpcore's
    synchronous stack on daemon threads (``core/threaded_transport.py``: no anyio to import).
    Either of them is given to httpx, which then mounts no proxy from the environment: where the
    environment (or, on macOS and Windows, the system) names a proxy, httpx makes its own
    transport and mounts the proxies, as it does without a loop (the desktop app's shared
    client, built on a worker thread).
    """
    total = deadline or deadline_from_env()
    transport: httpx.AsyncBaseTransport | None
    try:
        asyncio.get_running_loop()
    except RuntimeError:  # no loop (a worker thread building the desktop app's shared client)
        transport = None
    else:
        if proxies_configured():
            # Its own transport, built here (the CA bundle on this thread): the price of a
            # proxy, and only then paid; an HTTPS_PROXY ignored would be a sign-in that never
            # reaches the provider from behind it.
            transport = None
        elif one_shot:
            from .threaded_transport import ThreadedTransport

            transport = ThreadedTransport(trust_env=True)
        else:
            transport = BackgroundTransport(trust_env=True)
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


def proxies_configured() -> bool:
    """Whether httpx would mount a proxy from the environment (``HTTP_PROXY``, ``HTTPS_PROXY``,
    ``ALL_PROXY``; the system's settings on macOS and Windows), as its ``trust_env`` reads them."""
    from urllib.request import getproxies  # httpx has imported it already

    found = getproxies()
    return any(found.get(scheme) for scheme in ("http", "https", "all"))


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
        self._pending = loop.run_in_executor(None, lambda: built_under_lock(httpx.AsyncHTTPTransport, **options))
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
            # No lock: the stack is imported by now (awaited above), so this imports nothing
            # that a worker could be importing in a cycle, and it must not wait for the CA bundle.
            self._plain = httpx.AsyncHTTPTransport(**{**self._options, "verify": loopback_only_ssl_context()})
        return self._plain

    async def aclose(self) -> None:
        if self._plain is not None:
            await self._plain.aclose()
        try:
            transport = await asyncio.shield(self._pending)
        except Exception:  # noqa: BLE001 - it never got built; nothing to close
            return
        await transport.aclose()


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
        # asyncio.timeout, not wait_for: on Python 3.11, wait_for swallows a cancellation that
        # comes as the answer does (the answer is returned, the cancel is lost), so a sign-in
        # cancelled between two device-flow polls went on polling.
        async with asyncio.timeout(total):
            return await _request_bounded(client, client.build_request(method, url, data=data, headers=headers), what=what)
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
