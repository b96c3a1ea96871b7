""""Try it": one harmless authenticated request, to prove a credential works.

MusicAPI: ``GET /search/introspection``; Musixmatch: its ``token-metadata`` introspection;
otherwise the profile's (or preset's) ``try_url``. The answer is summarised in one line, with
anything secret-looking masked.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from .errors import Action, ConfigError
from .http import check_endpoint, host_of, send
from .secret import scrub
from .usage import credential, needs_token, try_url


@dataclass(frozen=True)
class TryResult:
    ok: bool
    status: int
    target: str
    summary: str


async def try_profile(engine: Any, name: str, *, scheme: str | None = None) -> TryResult:
    record = await engine.store.load(name)
    if record.profile.provider == "musixmatch" and record.profile.flow != "static" and not record.profile.try_url:
        answer = await engine.introspect(name)
        active = answer.get("active")
        return TryResult(ok=bool(active), status=200, target="token-metadata", summary=_summarise(answer))
    url = try_url(record)
    if not url:
        raise ConfigError("no URL to try is set", profile=name, field="try_url", actions=(Action.EDIT_FIELD,))
    try:
        check_endpoint(url, "try_url")
    except ConfigError as exc:
        raise exc.about(profile=name) from None
    token = await engine.get_token(name) if needs_token(record, scheme) else None
    record = await engine.store.load(name)
    cred = credential(record, token, scheme)
    headers = {"Content-Type": "application/json; charset=utf-8"}
    request_url = cred.apply(url, headers)  # a header, or a static key's query parameter
    async with engine.client_factory() as client:
        response = await send(client, "GET", request_url, headers=headers, what="try it")
    target = f"GET {host_of(url)}{_path(url)}"
    try:
        body: Any = response.json()
        summary = _summarise(body)
    except ValueError:
        ctype = response.headers.get("content-type", "no content type").split(";")[0]
        summary = f"{ctype}, {len(response.content)} bytes"
    return TryResult(ok=response.is_success, status=response.status_code, target=target, summary=summary)


def _path(url: str) -> str:
    from urllib.parse import urlsplit

    return urlsplit(url).path


def _summarise(body: Any, limit: int = 300) -> str:
    text = json.dumps(body, separators=(", ", ": "), sort_keys=True)
    text = scrub(text)
    return text if len(text) <= limit else text[: limit - 1] + "…"
