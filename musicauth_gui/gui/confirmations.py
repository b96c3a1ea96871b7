"""The questions asked before something is lost: what goes, named, with Cancel as the default
(``prompts.confirm(destructive=True)``), so that Enter or Esc never destroys.

Call these from plain slots only (a modal box spins a nested loop; see prompts.py).
"""

from __future__ import annotations

from PySide6.QtWidgets import QWidget

from ..core.model import ProfileRecord
from .dialogs import prompts


def confirm_remove(parent: QWidget | None, name: str, record: ProfileRecord | None) -> bool:
    """Remove profile ``name`` (``record``: as last read; None for a damaged entry)?"""
    if record is None:
        lost = "The damaged entry is deleted from the store; re-importing the profile makes it again."
    else:
        parts = ["its settings"]
        if record.client_secret is not None:
            parts.append("its client secret")
        if record.token is not None:
            parts.append("its refresh token and access token" if record.token.refresh_token else "its token")
        lost = f"This deletes {_listed(parts)} from the store. It cannot be undone."
        if record.token is not None and record.token.refresh_token:
            lost += " Using the account again needs a new sign-in."
    return prompts.confirm(
        parent, title="Remove profile", text=f"Remove “{name}”?", informative=lost, accept_text="Remove", destructive=True
    )


def needs_sign_out_question(record: ProfileRecord | None) -> bool:
    """Sign out loses something only a new sign-in gives back: a refresh token."""
    return record is not None and record.token is not None and record.token.refresh_token is not None


def confirm_sign_out(parent: QWidget | None, record: ProfileRecord) -> bool:
    """Sign out of ``record``'s account, discarding its refresh token?"""
    return prompts.confirm(
        parent,
        title="Sign out",
        text=f"Sign out of “{record.name}”?",
        informative=(
            "Its refresh token and access token are revoked where the provider allows it and deleted here. "
            "Getting a token again needs a new sign-in in the browser."
        ),
        accept_text="Sign out",
        destructive=True,
    )


def _listed(parts: list[str]) -> str:
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]
