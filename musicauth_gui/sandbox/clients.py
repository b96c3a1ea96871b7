"""Client registrations and redirect URI matching, as an authorization server keeps them.

Redirect URIs match by exact string comparison (RFC 6749 §3.1.2.3, OAuth 2.1 §2.3.1), with the one
exception RFC 8252 §7.3 asks for: a registered loopback IP literal (``http://127.0.0.1/...`` or
``http://[::1]/...``) matches any port, because native apps bind an ephemeral port.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from urllib.parse import urlsplit

__all__ = ["AUTH_METHODS", "LOOPBACK_HOSTS", "ClientRegistration", "is_loopback_ip_uri"]

AUTH_METHODS = frozenset({"client_secret_basic", "client_secret_post", "none"})
"""Token endpoint authentication methods, named as in RFC 8414 / RFC 7591."""

LOOPBACK_HOSTS = frozenset({"127.0.0.1", "::1"})


def is_loopback_ip_uri(uri: str) -> bool:
    """Whether ``uri`` is an ``http`` URI on a loopback IP literal (never the name ``localhost``).

    Args:
        uri: The redirect URI.

    Returns:
        True for ``http://127.0.0.1[:port]/...`` and ``http://[::1][:port]/...``.
    """
    try:
        parts = urlsplit(uri)
        parts.port  # noqa: B018 - raises ValueError for a malformed port
    except ValueError:
        return False
    return parts.scheme == "http" and parts.hostname in LOOPBACK_HOSTS and not parts.username


@dataclass(frozen=True)
class ClientRegistration:
    """One registered client.

    Attributes:
        client_id: The client identifier.
        client_secret: The secret, or None for a public client.
        redirect_uris: The registered redirect URIs.
        loopback_any_port: Let registered loopback IP URIs match any port (RFC 8252 §7.3).
        grant_types: The grant types this client may use.
        auth_methods: The token endpoint authentication methods this client may use.
    """

    client_id: str
    client_secret: str | None = field(repr=False)
    redirect_uris: tuple[str, ...]
    loopback_any_port: bool
    grant_types: frozenset[str]
    auth_methods: frozenset[str]

    @property
    def is_public(self) -> bool:
        """Whether the client has no secret (authentication method ``none``)."""
        return self.client_secret is None

    def secret_matches(self, candidate: str | None) -> bool:
        """Compare ``candidate`` with the secret in constant time.

        Args:
            candidate: The secret the client presented, already form-decoded.

        Returns:
            False for a public client or a missing candidate.
        """
        if self.client_secret is None or candidate is None:
            return False
        return secrets.compare_digest(candidate.encode(), self.client_secret.encode())

    def allows_redirect(self, uri: str) -> bool:
        """Whether ``uri`` matches a registered redirect URI.

        Args:
            uri: The ``redirect_uri`` of the request.

        Returns:
            True on an exact match, or on a loopback match that differs only by port.
        """
        if uri in self.redirect_uris:
            return True
        if not self.loopback_any_port or not is_loopback_ip_uri(uri):
            return False
        asked = urlsplit(uri)
        for registered in self.redirect_uris:
            if not is_loopback_ip_uri(registered):
                continue
            known = urlsplit(registered)
            if (known.hostname, known.path, known.query, known.fragment) == (
                asked.hostname,
                asked.path,
                asked.query,
                asked.fragment,
            ):
                return True
        return False
