"""OAuth 2.0 error answers, as the token, introspection and revocation endpoints send them.

RFC 6749 §5.2: a JSON object ``{"error": ..., "error_description": ...}``, status 400, or 401 for
``invalid_client`` (with ``WWW-Authenticate`` when the client tried the ``Authorization`` header).
Every answer carries ``Cache-Control: no-store`` (RFC 6749 §5.1).
"""

from __future__ import annotations

from collections.abc import Iterable

from .server import Response

__all__ = ["NO_STORE", "OAuthError"]

NO_STORE = (("Cache-Control", "no-store"), ("Pragma", "no-cache"))


class OAuthError(Exception):
    """An OAuth error that a handler raises and the endpoint turns into a JSON answer.

    Attributes:
        error: The RFC 6749 error code, e.g. ``"invalid_grant"``.
        description: The human-readable ``error_description``.
        status: The HTTP status.
        headers: Extra headers, e.g. ``WWW-Authenticate``.
    """

    def __init__(
        self,
        error: str,
        description: str,
        *,
        status: int = 400,
        headers: Iterable[tuple[str, str]] = (),
    ) -> None:
        """Create the error.

        Args:
            error: The error code.
            description: The ``error_description``.
            status: The HTTP status (400 unless said otherwise).
            headers: Extra headers for the answer.
        """
        super().__init__(f"{error}: {description}")
        self.error = error
        self.description = description
        self.status = status
        self.headers = tuple(headers)

    def to_response(self) -> Response:
        """The JSON answer for this error."""
        payload = {"error": self.error, "error_description": self.description}
        return Response.json(self.status, payload, [*NO_STORE, *self.headers])
