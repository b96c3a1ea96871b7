"""Which URLs the core will call, and how a message shows a host or a provider's words.

Apart from the HTTP client (core/http.py), so that checking a profile's endpoints (the
profiles file, the engine) never imports httpx.
"""

from __future__ import annotations

import ipaddress
from urllib.parse import urlsplit

from .errors import InsecureEndpoint


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


def printable(value: object) -> str | None:
    if not isinstance(value, str) or not value:
        return None
    # RFC 6749 limits these to printable ASCII; anything else is cut, and length is capped so a
    # misbehaving server cannot flood the one-line message.
    cleaned = "".join(ch for ch in value if 0x20 <= ord(ch) < 0x7F)
    return cleaned[:200] or None
