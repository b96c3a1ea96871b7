"""Our User-Agent, in a module of its own: the lean ``musicauth token`` path puts it on a curl
line (Discogs) without importing httpx, which ``http.py`` (which re-exports it) does."""

from __future__ import annotations

from .. import HOMEPAGE, __version__

# Product/version and a URL, as Discogs requires of every client ("a unique User-Agent", its
# examples "AppName/1.0 +https://app.example"); other providers take it as it is.
USER_AGENT = f"musicauth/{__version__} +{HOMEPAGE}"
