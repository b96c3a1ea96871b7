"""Pairs added to a URL's query: the one way the core does it (a curl line's or a try call's
query parameter, Last.fm's pages and calls, Discogs' approval page).

Each name and value is percent-encoded whole (``quote`` with nothing safe: ``/``, ``?``, ``&``,
``=`` and ``+`` too), so that a callback URL or a key given as a value stays one value; the query
the URL has already is kept as written, since a provider may sign it so. Only ``urllib.parse``:
the lean ``musicauth token`` path (``lean_token.py``) builds URLs with it, without httpx; imported
when a URL is made (~1 ms with ``ipaddress``, which a token printed as a header never needs).
"""

from __future__ import annotations

from collections.abc import Mapping


def with_query(url: str, params: Mapping[str, str]) -> str:
    """``url`` with ``params`` appended to its query, in their order."""
    from urllib.parse import quote, urlencode, urlsplit, urlunsplit

    parts = urlsplit(url)
    added = urlencode(params, quote_via=quote)  # urlencode passes safe="" to quote
    query = f"{parts.query}&{added}" if parts.query else added
    return urlunsplit((parts.scheme, parts.netloc, parts.path, query, parts.fragment))
