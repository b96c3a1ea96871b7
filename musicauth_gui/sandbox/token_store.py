"""The authorization server's memory: codes, grants (token families), access and refresh tokens.

A *grant* is one consent turned into tokens: the first code exchange (or one client-credentials
request) creates it, and every token issued from it, through any number of refresh-token rotations,
belongs to it. That is what lets the server revoke "every token issued from that code" (RFC 6749
§4.1.2) or a whole family when a rotated refresh token is replayed (OAuth 2.1 §4.3.1), and measure a
refresh token's lifetime from the original consent.

Not thread-safe by itself: the authorization server calls it with its lock held.
"""

from __future__ import annotations

import secrets
from collections import Counter
from dataclasses import dataclass, field

__all__ = ["AccessToken", "AuthorizationCode", "Grant", "RefreshToken", "TokenStore"]


@dataclass
class AuthorizationCode:
    """An authorization code and everything it is bound to.

    Attributes:
        code: The code value.
        client_id: The client it was issued to.
        redirect_uri: The exact redirect URI used at the authorization endpoint.
        scope: The granted scope (space separated).
        code_challenge: The S256 PKCE challenge, or None.
        user_id: The user who consented.
        expires_at: UNIX time after which it cannot be redeemed.
        used: Whether a redemption was attempted (codes are single use).
        grant_id: The grant created by the successful redemption, if any.
    """

    code: str = field(repr=False)
    client_id: str
    redirect_uri: str
    scope: str
    code_challenge: str | None
    user_id: str
    expires_at: float
    used: bool = False
    grant_id: str | None = None


@dataclass
class Grant:
    """One consent (or one client-credentials request) and the family of tokens issued from it.

    Attributes:
        grant_id: Internal identifier.
        client_id: The client.
        user_id: The user, or None for client credentials.
        scope: The scope granted at consent.
        redirect_uri: The redirect URI of the code flow, or None.
        consent_at: UNIX time of the first code exchange (refresh-token lifetimes count from here).
        pkce: Whether the code flow used PKCE.
        revoked: Whether the whole family was revoked.
    """

    grant_id: str
    client_id: str
    user_id: str | None
    scope: str
    redirect_uri: str | None
    consent_at: float
    pkce: bool
    revoked: bool = False


@dataclass
class AccessToken:
    """An issued access token.

    Attributes:
        token: The token value.
        grant_id: The family it belongs to.
        client_id: The client it was issued to.
        sub: The user id, or the client id for client-credentials tokens.
        scope: Its scope.
        grant_type: The grant that produced it (``authorization_code``, ``refresh_token``, ...).
        issued_at: UNIX time of issue.
        expires_at: UNIX time of expiry.
        refresh_token: The refresh token issued with it or used to get it, if any.
        revoked: Whether it was revoked.
    """

    token: str = field(repr=False)
    grant_id: str
    client_id: str
    sub: str
    scope: str
    grant_type: str
    issued_at: float
    expires_at: float
    refresh_token: str | None = field(default=None, repr=False)
    revoked: bool = False

    def is_active(self, now: float) -> bool:
        """Whether the token is neither revoked nor expired at ``now``."""
        return not self.revoked and now < self.expires_at


@dataclass
class RefreshToken:
    """An issued refresh token.

    Attributes:
        token: The token value.
        grant_id: The family it belongs to.
        client_id: The client it was issued to.
        scope: The scope it can be refreshed up to.
        issued_at: UNIX time of issue.
        rotated: Whether it was already exchanged under rotation (any reuse is a replay).
        revoked: Whether it was revoked.
    """

    token: str = field(repr=False)
    grant_id: str
    client_id: str
    scope: str
    issued_at: float
    rotated: bool = False
    revoked: bool = False


class TokenStore:
    """Codes, grants and tokens, with the revocation rules that tie them together.

    Attributes:
        codes: Authorization codes by value.
        grants: Grants by id.
        access_tokens: Access tokens by value.
        refresh_tokens: Refresh tokens by value.
        issued: Access tokens issued, counted by grant type.
    """

    def __init__(self) -> None:
        """Create an empty store."""
        self.codes: dict[str, AuthorizationCode] = {}
        self.grants: dict[str, Grant] = {}
        self.access_tokens: dict[str, AccessToken] = {}
        self.refresh_tokens: dict[str, RefreshToken] = {}
        self.issued: Counter[str] = Counter()

    def new_code(self, code: AuthorizationCode) -> AuthorizationCode:
        """Remember ``code`` and return it."""
        self.codes[code.code] = code
        return code

    def new_grant(
        self,
        *,
        client_id: str,
        user_id: str | None,
        scope: str,
        redirect_uri: str | None,
        consent_at: float,
        pkce: bool,
    ) -> Grant:
        """Start a new token family."""
        grant = Grant(secrets.token_hex(8), client_id, user_id, scope, redirect_uri, consent_at, pkce)
        self.grants[grant.grant_id] = grant
        return grant

    def issue_access_token(
        self,
        grant: Grant,
        *,
        scope: str,
        grant_type: str,
        now: float,
        ttl: float,
        prefix: str = "",
        refresh_token: str | None = None,
    ) -> AccessToken:
        """Issue an access token in ``grant``'s family.

        Args:
            grant: The family.
            scope: The token's scope.
            grant_type: The grant type that produced it (for :attr:`issued`).
            now: The current time.
            ttl: Lifetime in seconds.
            prefix: Prepended to the random value (Live tokens start with ``Eg``).
            refresh_token: The refresh token it goes with, so rotating or revoking that one revokes
                this one too.

        Returns:
            The new token.
        """
        token = AccessToken(
            token=prefix + secrets.token_urlsafe(32),
            grant_id=grant.grant_id,
            client_id=grant.client_id,
            sub=grant.user_id if grant.user_id is not None else grant.client_id,
            scope=scope,
            grant_type=grant_type,
            issued_at=now,
            expires_at=now + ttl,
            refresh_token=refresh_token,
        )
        self.access_tokens[token.token] = token
        self.issued[grant_type] += 1
        return token

    def issue_refresh_token(self, grant: Grant, *, now: float) -> RefreshToken:
        """Issue a refresh token in ``grant``'s family, good for the grant's scope."""
        token = RefreshToken(secrets.token_urlsafe(32), grant.grant_id, grant.client_id, grant.scope, now)
        self.refresh_tokens[token.token] = token
        return token

    def revoke_access_tokens_of(self, refresh_token: str) -> None:
        """Revoke every access token issued with or from ``refresh_token``."""
        for access in self.access_tokens.values():
            if access.refresh_token == refresh_token:
                access.revoked = True

    def revoke_grant(self, grant_id: str) -> None:
        """Revoke a whole family: the grant, its access tokens and its refresh tokens."""
        self.grants[grant_id].revoked = True
        for access in self.access_tokens.values():
            if access.grant_id == grant_id:
                access.revoked = True
        for refresh in self.refresh_tokens.values():
            if refresh.grant_id == grant_id:
                refresh.revoked = True

    def revoke_user(self, user_id: str) -> None:
        """Revoke every grant of ``user_id`` and burn their unredeemed codes (consent withdrawn)."""
        for grant in list(self.grants.values()):
            if grant.user_id == user_id:
                self.revoke_grant(grant.grant_id)
        for code in self.codes.values():
            if code.user_id == user_id:
                code.used = True
