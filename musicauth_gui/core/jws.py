"""The compact text form of JWS and JWT: unpadded base64url, and a token's parts read unverified.

Base64url without padding is RFC 7515 §2 (Appendix C shows the padding dance); PKCE (RFC 7636
§4.2) and the JWK thumbprint (RFC 7638) use the very same encoding, so they take it from here.

Reading a token without its signature is for hints and display only: the expiry a provider's JWT
access token carries when its answer gives no ``expires_in``, and the claims the window shows.
Nothing here trusts what it reads.
"""

from __future__ import annotations

import base64
import json
from typing import Any


def b64url_encode(data: bytes) -> str:
    """``data`` as base64url without the ``=`` padding."""
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def b64url_decode(text: str) -> bytes:
    """Bytes from base64url with or without padding.

    Raises:
        ValueError: not base64url (``binascii.Error`` is a ``ValueError``).
    """
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _json_segment(text: str) -> Any:
    """The JSON value one base64url segment holds.

    Raises:
        ValueError: not base64url, not UTF-8, not JSON, or nested too deeply to parse.
    """
    try:
        return json.loads(b64url_decode(text))
    except RecursionError:
        # json parses nesting recursively: a segment of "[[[[..." ten thousand deep exhausts
        # the interpreter's stack, and a token comes from a provider or a paste, not from us.
        raise ValueError("nested too deeply") from None


def decode_unverified(token: str) -> tuple[dict[str, Any], dict[str, Any]] | None:
    """The header and the claims of a compact JWT, without checking the signature.

    Returns:
        Both JSON objects, or None when ``token`` is not three dot-separated parts whose first
        two are base64url JSON objects (an opaque token, say).
    """
    parts = token.split(".")
    if len(parts) != 3:
        return None
    try:
        header, claims = _json_segment(parts[0]), _json_segment(parts[1])
    except ValueError:
        return None
    if not isinstance(header, dict) or not isinstance(claims, dict):
        return None
    return header, claims
