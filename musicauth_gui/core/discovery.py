"""Authorization server metadata: RFC 8414 first, then OpenID Connect Discovery, cached.

For an issuer ``https://id.example.com/tenant``, RFC 8414 §3.1 puts the document at
``https://id.example.com/.well-known/oauth-authorization-server/tenant``, while OpenID Connect
appends ``/.well-known/openid-configuration`` to the issuer. Both are tried in that order (and
the RFC 8414 form with the OIDC-style suffix, which many servers use). The ``issuer`` in the
document must equal the one asked for (RFC 8414 §3.3; mix-up attacks).

Metadata is public, so it is cached in memory and on disk (the cache folder) for a day.
"""

from __future__ import annotations

import json
import logging
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit, urlunsplit

from .clock import SYSTEM_CLOCK, Clock
from .errors import Action, DiscoveryFailed, MusicAuthError, ProviderRejected
from .paths import cache_dir
from .record import frozen_record
from .urls import check_endpoint

if TYPE_CHECKING:  # the engine (and the desktop app with it) imports this before any request
    import httpx

log = logging.getLogger(__name__)

CACHE_TTL = 24 * 3600.0
OAUTH_SUFFIX = "/.well-known/oauth-authorization-server"
OIDC_SUFFIX = "/.well-known/openid-configuration"


@frozen_record
class ServerMetadata:
    """An authorization server's metadata document, checked against its issuer."""

    issuer: str
    document: dict[str, Any]
    source: str

    def endpoint(self, name: str) -> str | None:
        value = self.document.get(name)
        return value if isinstance(value, str) and value else None


def candidate_urls(issuer: str) -> list[str]:
    parts = urlsplit(issuer.rstrip("/"))
    path = parts.path
    urls = [
        urlunsplit((parts.scheme, parts.netloc, OAUTH_SUFFIX + path, "", "")),
        urlunsplit((parts.scheme, parts.netloc, path + OIDC_SUFFIX, "", "")),
    ]
    if path:
        urls.insert(1, urlunsplit((parts.scheme, parts.netloc, path + OAUTH_SUFFIX, "", "")))
    return urls


class Discovery:
    """Fetches and caches metadata. One instance per process is enough.

    Args:
        use_disk_cache: keep documents in the cache folder across runs.
        clock: wall clock, for cache ages.
    """

    def __init__(self, *, use_disk_cache: bool = True, clock: Clock = SYSTEM_CLOCK) -> None:
        self._memory: dict[str, tuple[float, ServerMetadata]] = {}
        self._use_disk = use_disk_cache
        self._clock = clock

    async def fetch(self, client: httpx.AsyncClient, issuer: str, *, refresh: bool = False) -> ServerMetadata:
        """The metadata of ``issuer``.

        Raises:
            DiscoveryFailed: no document found, or one that names another issuer.
        """
        from .http import json_body, raise_for_oauth_error, send  # httpx: loaded with the client

        issuer = issuer.rstrip("/")
        check_endpoint(issuer, "issuer")
        if not refresh:
            cached = self._cached(issuer)
            if cached is not None:
                return cached
        failures: list[str] = []
        for url in candidate_urls(issuer):
            try:
                response = await send(client, "GET", url, what="discovery")
                if response.status_code == 404:
                    failures.append(f"{urlsplit(url).path}: 404")
                    continue
                raise_for_oauth_error(response, what="discovery")
                document = json_body(response, what="discovery")
            except ProviderRejected as exc:
                failures.append(f"{urlsplit(url).path}: {exc.status}")
                continue
            except MusicAuthError as exc:
                raise DiscoveryFailed(
                    f"discovery for {issuer} failed: {exc.message}", field=exc.field, actions=exc.actions
                ) from exc
            found = str(document.get("issuer", "")).rstrip("/")
            if found != issuer:
                raise DiscoveryFailed(
                    f"discovery for {issuer} returned metadata for another issuer ({found or 'none'}; "
                    "RFC 8414 §3.3 requires them to match)",
                    field="issuer",
                    actions=(Action.EDIT_FIELD,),
                )
            metadata = ServerMetadata(issuer=issuer, document=document, source=url)
            self._store(metadata)
            return metadata
        raise DiscoveryFailed(
            f"no OAuth metadata found for {issuer} ({', '.join(failures)})",
            field="issuer",
            actions=(Action.EDIT_FIELD,),
        )

    def _cache_file(self, issuer: str) -> Any:
        import hashlib  # here: OpenSSL (libcrypto) is not loaded by a window at rest

        return cache_dir() / "discovery" / (hashlib.sha256(issuer.encode()).hexdigest()[:32] + ".json")

    def _cached(self, issuer: str) -> ServerMetadata | None:
        now = self._clock.now()
        hit = self._memory.get(issuer)
        if hit and now - hit[0] < CACHE_TTL:
            return hit[1]
        if not self._use_disk:
            return None
        try:
            data = json.loads(self._cache_file(issuer).read_text())
            if data["issuer"] == issuer and now - float(data["fetched_at"]) < CACHE_TTL:
                metadata = ServerMetadata(issuer=issuer, document=data["document"], source=data["source"])
                self._memory[issuer] = (float(data["fetched_at"]), metadata)
                return metadata
        except (OSError, ValueError, KeyError, TypeError):
            pass
        return None

    def _store(self, metadata: ServerMetadata) -> None:
        now = self._clock.now()
        self._memory[metadata.issuer] = (now, metadata)
        if not self._use_disk:
            return
        try:
            path = self._cache_file(metadata.issuer)
            path.parent.mkdir(parents=True, exist_ok=True)
            payload = {"issuer": metadata.issuer, "fetched_at": now, "source": metadata.source, "document": metadata.document}
            tmp = path.with_suffix(".tmp")
            tmp.write_text(json.dumps(payload))
            tmp.replace(path)
        except OSError as exc:  # a cache, nothing more
            log.debug("discovery cache not written: %s", exc)
