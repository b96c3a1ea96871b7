"""The device authorization grant (RFC 8628) on top of the strict authorization server.

Endpoints added to :class:`~.authorization_server.AuthorizationServer`:

=============================  ================================================================
``POST device_path``           device authorization: ``device_code``, ``user_code``,
                               ``verification_uri`` (Google: ``verification_url``), optionally
                               ``verification_uri_complete``, ``expires_in``, ``interval``
``GET  verify_path``           the verification page: with :attr:`consent` ``approve`` (or
                               ``deny``) opening it with ``?user_code=`` decides at once;
                               ``interactive`` shows Approve and Deny (a test may still decide
                               with :meth:`approve`; demo mode's person clicks)
``POST verify_path``           the interactive page's decision: ``user_code``, ``decision``
``POST token_path``            also ``grant_type=urn:ietf:params:oauth:grant-type:device_code``
=============================  ================================================================

As strict as RFC 8628 §3.5: a poll sooner than the interval since the last one answers
``slow_down`` and raises the interval by 5 s for the rest of that request; an undecided request
answers ``authorization_pending``; a denied one ``access_denied``; one past its lifetime
``expired_token``; a device code is redeemed once. Every poll is logged in :attr:`polls` with the
server's clock, so tests can measure the client's pacing.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from typing import Any

from . import pages
from .authorization_server import AuthorizationServer
from .errors import NO_STORE, OAuthError
from .server import Request, Response

__all__ = ["DEVICE_GRANT", "DeviceAuthorizationServer", "DevicePoll"]

DEVICE_GRANT = "urn:ietf:params:oauth:grant-type:device_code"
#: RFC 8628 §6.1: an unambiguous alphabet (no vowels, so no words), shown as XXXX-XXXX.
_USER_CODE_ALPHABET = "BCDFGHJKLMNPQRSTVWXZ"


@dataclass
class _DeviceRequest:
    device_code: str
    user_code: str
    client_id: str
    scope: str
    expires_at: float
    interval: float
    decision: str = "pending"  # pending, approved, denied
    last_poll: float | None = None
    redeemed: bool = False


@dataclass(frozen=True)
class DevicePoll:
    """One poll of the token endpoint with a device code, as the server saw it."""

    at: float
    user_code: str
    answer: str  # "token", or the error code


@dataclass
class _Forced:
    answers: list[str] = field(default_factory=list)


class DeviceAuthorizationServer(AuthorizationServer):
    """An authorization server with the device flow.

    Args:
        device_path, verify_path: the two new endpoints' paths.
        interval: the polling interval it asks for, in seconds (RFC 8628 default 5).
        device_code_ttl: how long a device code and its user code live.
        google_style: answer as Google does: ``verification_url`` instead of
            ``verification_uri``, no ``verification_uri_complete``, and ``authorization_pending``
            and ``slow_down`` with statuses other than 400 (428 and 403).
        **kwargs: for :class:`AuthorizationServer`.
    """

    def __init__(
        self,
        *,
        device_path: str = "/device/code",
        verify_path: str = "/device",
        interval: float = 5,
        device_code_ttl: float = 600,
        google_style: bool = False,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.device_path = device_path
        self.verify_path = verify_path
        self.interval = interval
        self.device_code_ttl = device_code_ttl
        self.google_style = google_style
        self.polls: list[DevicePoll] = []
        self._device_requests: dict[str, _DeviceRequest] = {}
        self._forced = _Forced()
        self.route("POST", device_path, self._handle_device_authorization)
        self.route("GET", verify_path, self._handle_verification_page)
        self.route("POST", verify_path, self._handle_verification_decision)
        self.route("POST", self.token_path, self._handle_token_with_device)

    # -- test hooks ----------------------------------------------------------------------------

    def approve(self, user_code: str | None = None) -> None:
        """Approve the request with ``user_code`` (None: every pending one)."""
        self._decide_device(user_code, "approved")

    def deny(self, user_code: str | None = None) -> None:
        self._decide_device(user_code, "denied")

    def answer_next_polls_with(self, *errors: str) -> None:
        """Answer the next polls with these errors (``slow_down``...), whatever the pacing; a
        forced ``slow_down`` raises the interval as a real one does."""
        with self._lock:
            self._forced.answers.extend(errors)

    @property
    def user_codes(self) -> list[str]:
        with self._lock:
            return [r.user_code for r in self._device_requests.values()]

    def _decide_device(self, user_code: str | None, decision: str) -> None:
        with self._lock:
            for request in self._device_requests.values():
                if (user_code is None and request.decision == "pending") or request.user_code == user_code:
                    request.decision = decision

    # -- metadata ------------------------------------------------------------------------------

    def metadata(self) -> dict[str, Any]:
        meta = super().metadata()
        meta["device_authorization_endpoint"] = self.url(self.device_path)
        meta["grant_types_supported"] = [*meta["grant_types_supported"], DEVICE_GRANT]
        return meta

    @property
    def endpoints(self) -> dict[str, str]:
        return {**super().endpoints, "device_authorization_endpoint": self.url(self.device_path)}

    # -- handlers ------------------------------------------------------------------------------

    def _handle_device_authorization(self, request: Request) -> Response:
        try:
            self._require_form(request)
            client, _ = self._authenticate_client(request)
            scope = " ".join(dict.fromkeys(request.form.get("scope", "").split()))
            if unknown := self._unknown_scopes(scope.split()):
                raise OAuthError("invalid_scope", f"Unknown scope: {' '.join(unknown)}")
        except OAuthError as error:
            return error.to_response()
        user_code = "".join(secrets.choice(_USER_CODE_ALPHABET) for _ in range(8))
        user_code = f"{user_code[:4]}-{user_code[4:]}"
        entry = _DeviceRequest(
            device_code=secrets.token_urlsafe(32),
            user_code=user_code,
            client_id=client.client_id,
            scope=scope,
            expires_at=self.clock() + self.device_code_ttl,
            interval=self.interval,
        )
        self._device_requests[entry.device_code] = entry
        body: dict[str, Any] = {
            "device_code": entry.device_code,
            "user_code": user_code,
            "expires_in": round(self.device_code_ttl),
            "interval": self.interval,
        }
        verify = self.url(self.verify_path)
        if self.google_style:
            body["verification_url"] = verify
        else:
            body["verification_uri"] = verify
            body["verification_uri_complete"] = f"{verify}?user_code={user_code}"
        return Response.json(200, body, NO_STORE)

    def _handle_verification_page(self, request: Request) -> Response:
        entry = self._device_request_of(request.query.get("user_code", ""))
        if self.consent == "interactive" and (entry is None or entry.decision == "pending"):
            page = pages.device_page(
                provider=self.display_name,
                user_code=entry.user_code if entry else None,
                client_id=entry.client_id if entry else None,
                scopes=entry.scope.split() if entry else (),
                decision_url=self.verify_path,
            )
            return Response.html(200, page, [("X-Frame-Options", "DENY"), ("Cache-Control", "no-store")])
        if entry is None:
            return Response.html(200, "<!doctype html><title>Device</title><p>Enter the code shown on your device.</p>")
        if self.consent in ("approve", "deny") and entry.decision == "pending":
            entry.decision = "approved" if self.consent == "approve" else "denied"
        return Response.html(200, f"<!doctype html><title>Device</title><p>{entry.decision}</p>")

    def _handle_verification_decision(self, request: Request) -> Response:
        entry = self._device_request_of(request.form.get("user_code", ""))
        decision = request.form.get("decision")
        if entry is None or entry.decision != "pending" or decision not in ("approve", "deny"):
            return Response.html(400, pages.error_page("Device", "That code is unknown, expired or already answered."))
        entry.decision = "approved" if decision == "approve" else "denied"
        message = "You may close this page: your device is signed in." if decision == "approve" else "Access denied."
        return Response.html(200, pages.message_page("Device", message))

    def _device_request_of(self, user_code: str) -> _DeviceRequest | None:
        """The live request with ``user_code`` (typed by hand: any case, with or without the dash)."""
        code = user_code.strip().upper().replace("-", "")
        now = self.clock()
        return next(
            (r for r in self._device_requests.values() if r.user_code.replace("-", "") == code and now < r.expires_at),
            None,
        )

    def _handle_token_with_device(self, request: Request) -> Response:
        if request.form.get("grant_type") != DEVICE_GRANT:
            return self._token_endpoint(request, self.grant_types_supported)
        try:
            self._require_form(request)
            client, _ = self._authenticate_client(request)
            device_code = request.form.get("device_code")
            if not device_code:
                raise OAuthError("invalid_request", "Missing device_code")
            entry = self._device_requests.get(device_code)
            if entry is None or entry.client_id != client.client_id or entry.redeemed:
                raise OAuthError("invalid_grant", "Unknown or used device_code")
            answer = self._poll_answer(entry)
            self.polls.append(DevicePoll(self.clock(), entry.user_code, answer))
            if answer != "token":
                raise OAuthError(answer, _DESCRIPTIONS[answer], status=self._status_of(answer))
            entry.redeemed = True
            now = self.clock()
            grant = self.store.new_grant(
                client_id=client.client_id,
                user_id=self.user_id,
                scope=entry.scope,
                redirect_uri=None,
                consent_at=now,
                # The device code, held by this client alone, binds the grant as PKCE does for
                # the code flow: a public client may refresh it.
                pkce=True,
            )
            refresh = self.store.issue_refresh_token(grant, now=now)
            access, refresh_token = self._issue(grant, scope=entry.scope, grant_type="authorization_code", refresh=refresh)
        except OAuthError as error:
            return error.to_response()
        return Response.json(200, self.token_response(access, refresh_token), NO_STORE)

    def _poll_answer(self, entry: _DeviceRequest) -> str:
        now = self.clock()
        too_soon = entry.last_poll is not None and now - entry.last_poll < entry.interval
        entry.last_poll = now
        forced = self._forced.answers.pop(0) if self._forced.answers else None
        if forced == "slow_down" or (forced is None and too_soon):
            entry.interval += 5  # RFC 8628 §3.5: for this and every later poll
            return "slow_down"
        if forced is not None:
            return forced
        if now >= entry.expires_at:
            return "expired_token"
        if entry.decision == "denied":
            return "access_denied"
        if entry.decision == "pending":
            return "authorization_pending"
        return "token"

    def _status_of(self, error: str) -> int:
        if self.google_style:
            return {"authorization_pending": 428, "slow_down": 403}.get(error, 400)
        return 400


_DESCRIPTIONS = {
    "authorization_pending": "The user has not yet approved the request",
    "slow_down": "Polling too fast: add 5 seconds to the interval",
    "expired_token": "The device code has expired",
    "access_denied": "The user denied the request",
}
