""""Try it": one harmless authenticated request, to prove a credential works.

MusicAPI: ``GET /search/introspection``; Musixmatch: its ``token-metadata`` introspection;
otherwise the profile's (or preset's) ``try_url``. The answer is summarised in one line (the
CLI's output) and kept as data for a viewer: status, time taken, headers and the body's text,
each with anything secret-looking masked.
"""

from __future__ import annotations

import json
import time
from typing import Any

import httpx

from .errors import Action, ConfigError
from .http import check_endpoint, host_of, send
from .record import frozen_record
from .secret import MASK, scrub
from .usage import try_url

#: Header values never shown: credentials going out or coming back (RFC 9110 §11.6, RFC 6265).
MASKED_HEADERS = frozenset({"authorization", "proxy-authorization", "cookie", "set-cookie"})
#: The most of a body kept for display: an error page can be megabytes of HTML.
MAX_BODY_CHARS = 64 * 1024


@frozen_record
class TryResult:
    """What one try gave.

    Attributes:
        summary: the body in one line (JSON compacted, else its type and size): the CLI's output.
        elapsed: seconds from sending the request to the whole answer read.
        headers: the answer's headers in order, credentials masked.
        content_type: the media type without parameters ("" when none was sent).
        body: the body as text, masked and cut to ``MAX_BODY_CHARS`` (see ``truncated``).
        data: the body parsed as JSON, when it is JSON (None otherwise).
    """

    ok: bool
    status: int
    target: str
    summary: str
    elapsed: float = 0.0
    headers: tuple[tuple[str, str], ...] = ()
    content_type: str = ""
    body: str = ""
    truncated: bool = False
    data: Any = None


async def try_profile(engine: Any, name: str, *, scheme: str | None = None) -> TryResult:
    record = await engine.store.load(name)
    if record.profile.provider == "musixmatch" and record.profile.flow != "static" and not record.profile.try_url:
        started = time.perf_counter()
        answer = await engine.introspect(name)
        elapsed = time.perf_counter() - started  # the renewal, if one was due, included
        active = answer.get("active")
        text = scrub(json.dumps(answer, indent=2, sort_keys=True))
        return TryResult(
            ok=bool(active),
            status=200,
            target="token-metadata",
            summary=_summarise(answer),
            elapsed=elapsed,
            content_type="application/json",
            body=text,
            data=json.loads(text),
        )
    url = try_url(record)
    if not url:
        raise ConfigError("no URL to try is set", profile=name, field="try_url", actions=(Action.EDIT_FIELD,))
    try:
        check_endpoint(url, "try_url")
    except ConfigError as exc:
        raise exc.about(profile=name) from None
    cred = (await engine.credential(name, scheme)).credential  # renewed (or signed) first when due
    headers = {"Content-Type": "application/json; charset=utf-8"}
    target = f"GET {host_of(url)}{_path(url)}"  # before the secret may join the query
    request_url = cred.apply(url, headers)  # a header, or the query parameter (Deezer, static keys)
    async with engine.client_factory() as client:
        started = time.perf_counter()
        response = await send(client, "GET", request_url, headers=headers, what="try it")
        elapsed = time.perf_counter() - started
    ctype = response.headers.get("content-type", "").split(";")[0].strip().lower()
    data: Any = None
    refused_inside = False
    try:
        body: Any = response.json()
        summary = _summarise(body)
        # Deezer answers 200 with {"error": {...}} (code 300: an invalid token), Last.fm with
        # {"error": N, "message": ...}: a refusal, whatever the status.
        error = body.get("error") if isinstance(body, dict) else None
        refused_inside = isinstance(error, dict) or (isinstance(error, int) and not isinstance(error, bool))
        # Masked as text, then read back: the viewer indents it without seeing a secret.
        data = json.loads(scrub(json.dumps(body)))
    except ValueError:
        summary = f"{ctype or 'no content type'}, {len(response.content)} bytes"
    text, truncated = _body_text(response)
    return TryResult(
        ok=response.is_success and not refused_inside,
        status=response.status_code,
        target=target,
        summary=summary,
        elapsed=elapsed,
        headers=_shown_headers(response.headers),
        content_type=ctype,
        body=text,
        truncated=truncated,
        data=data,
    )


def _shown_headers(headers: httpx.Headers) -> tuple[tuple[str, str], ...]:
    return tuple((key, MASK if key.lower() in MASKED_HEADERS else scrub(value)) for key, value in headers.multi_items())


def _body_text(response: httpx.Response) -> tuple[str, bool]:
    try:
        text = response.text  # the charset it declares, else httpx's guess
    except (LookupError, ValueError):  # an unknown charset name
        text = response.content.decode("utf-8", errors="replace")
    truncated = len(text) > MAX_BODY_CHARS
    return scrub(text[:MAX_BODY_CHARS]), truncated


def _path(url: str) -> str:
    from urllib.parse import urlsplit

    return urlsplit(url).path


def _summarise(body: Any, limit: int = 300) -> str:
    text = json.dumps(body, separators=(", ", ": "), sort_keys=True)
    text = scrub(text)
    return text if len(text) <= limit else text[: limit - 1] + "…"
