"""The one place that turns errors into the words the desktop app shows."""

from __future__ import annotations

from ..core.errors import MusicAuthError
from ..core.secret import scrub


def error_text(exc: BaseException) -> str:
    """One line for the user: the core's own message, or a short note for a bug."""
    if isinstance(exc, MusicAuthError):
        return scrub(str(exc))
    return f"Something went wrong inside musicauth ({type(exc).__name__}); the details are in the log."
