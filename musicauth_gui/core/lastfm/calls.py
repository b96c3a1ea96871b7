"""Last.fm's signed calls (last.fm/api/authspec §8): the URL of a call made with a session key.

Apart from ``web_auth.py`` (the sign-in's requests, hence httpx) so that the lean ``musicauth
token`` path (``lean_token.py``) can print a signed curl line without the HTTP stack.
"""

from __future__ import annotations

from urllib.parse import parse_qsl, quote, urlencode, urlsplit, urlunsplit

from ..errors import ConfigError
from ..names import shown
from ..secret import Secret
from ..url_query import with_query
from .signature import api_sig

USER_INFO = "user.getInfo"


def user_info_url(api_endpoint: str) -> str:
    """The sample call a developer tries first: the signed-in user's ``user.getInfo``, as JSON."""
    return with_query(api_endpoint, {"method": USER_INFO, "format": "json"})


def signed_call_url(url: str, *, api_key: str, shared_secret: Secret) -> str:
    """``url`` (its query naming the method and the session key ``sk``) with ``api_key`` and
    ``api_sig`` added, in the order Last.fm's documentation writes them: ``method``, ``api_key``,
    ``sk``, the call's own parameters, ``api_sig``, then ``format``.

    Raises:
        ConfigError: a parameter named twice (field ``try_url``, where a call's URL is set).
    """
    parts = urlsplit(url)
    pairs = parse_qsl(parts.query, keep_blank_values=True)
    names = [name for name, _ in pairs]
    repeated = next((name for name in names if names.count(name) > 1), None)
    if repeated is not None:
        # As a dict below, it would be signed and sent with its last value alone. Last.fm has no
        # repeated parameters: its lists are numbered (``tags[0]``, ``tags[1]``).
        rule = f"has the query parameter {shown(repeated)} more than once; Last.fm takes a list as name[0], name[1], ..."
        raise ConfigError.of_field("try_url", rule)
    params = dict(pairs)
    params["api_key"] = api_key
    params.pop("api_sig", None)
    signature = api_sig(params, shared_secret)
    first = [name for name in ("method", "api_key", "sk") if name in params]
    rest = [name for name in params if name not in (*first, "format")]
    ordered = [(name, params[name]) for name in (*first, *rest)] + [("api_sig", signature)]
    if "format" in params:
        ordered.append(("format", params["format"]))
    query = urlencode(ordered, quote_via=quote)
    return urlunsplit((parts.scheme, parts.netloc, parts.path, query, parts.fragment))
