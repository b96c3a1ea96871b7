"""The actions the user started and that are still running, per profile: the one place the row,
the detail pane, the tray and the action rules read them from.

Every action a user starts (Get token, Renew now, Sign in, Sign out, Try it, Introspect, a copy
that must renew first) is ``start``-ed here with how it can be stopped, and leaves by itself when
its task ends. What the engine does on its own (auto-renew) is not here: the engine's and the
scheduler's activity, and their events, say that.

How a Cancel acts (``Stop``):

- ``CANCEL``: the task is cancelled and nothing is lost (Try it, Introspect, a client-credentials
  or DevToken fetch: no refresh token is spent, the store is untouched).
- ``STOP_WAITING``: a renewal that spends a rotating refresh token. The engine finishes it despite
  a cancellation (``engine.finish_despite_cancellation``: the new refresh token must be stored,
  or the grant is lost), so Cancel only stops the window waiting for it: the entry stays, marked
  ``stopping``, until the store write is done.
- ``NONE``: no Cancel (Sign out: revoking half-way would leave tokens the provider no longer
  honours; Sign in has its own Cancel, ``SignIn.cancel``).
"""

from __future__ import annotations

import asyncio
import enum
from dataclasses import dataclass
from typing import Any

import shiboken6
from PySide6.QtCore import QObject, Signal

from ..core.model import ProfileRecord
from ..core.renewal import needs_renewal
from .profile_action_rules import ProfileAction


class Stop(enum.Enum):
    CANCEL = "cancel"
    STOP_WAITING = "stop_waiting"
    NONE = "none"


#: Actions that renew, or fetch, the profile's token while they run.
RENEWING = frozenset({ProfileAction.GET_TOKEN, ProfileAction.RENEW, ProfileAction.COPY_TOKEN})


@dataclass
class Running:
    """One running action of one profile.

    Attributes:
        action: what the user started (a copy that renews first is ``COPY_TOKEN`` whichever
            of the three copies it was).
        stop: how a Cancel acts on it (the module docstring).
        stopping: the user asked it to stop and it is finishing what cannot be dropped.
    """

    action: ProfileAction
    task: asyncio.Task[Any]
    stop: Stop
    stopping: bool = False


class RunningActions(QObject):
    """Signals:
    changed(str): the profile's running actions changed (one started, ended or is stopping).
    """

    changed = Signal(str)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._running: dict[str, list[Running]] = {}

    def start(self, name: str, action: ProfileAction, task: asyncio.Task[Any], *, stop: Stop) -> None:
        """``name``'s ``action`` runs as ``task`` until the task ends."""
        entry = Running(action, task, stop)
        self._running.setdefault(name, []).append(entry)
        task.add_done_callback(lambda _task: self._ended(name, entry))
        self.changed.emit(name)

    def _ended(self, name: str, entry: Running) -> None:
        if not shiboken6.isValid(self):
            return  # the window closed first; its tasks end after it (cancelled), with no one to tell
        entries = self._running.get(name, [])
        if entry in entries:
            entries.remove(entry)
            if not entries:
                del self._running[name]
            self.changed.emit(name)

    def entries(self, name: str) -> list[Running]:
        """``name``'s running actions, oldest first."""
        return list(self._running.get(name, []))

    def actions(self, name: str) -> frozenset[ProfileAction]:
        return frozenset(entry.action for entry in self._running.get(name, []))

    def renewing(self, name: str) -> bool:
        """Whether one of ``name``'s running actions is renewing or fetching its token."""
        return any(entry.action in RENEWING for entry in self._running.get(name, []))

    def cancellable(self, name: str) -> bool:
        """Whether Cancel would do something for ``name`` (stop a task, or stop waiting)."""
        return any(e.stop is not Stop.NONE and not e.stopping for e in self._running.get(name, []))

    def cancel(self, name: str) -> list[Running]:
        """Cancel what can be cancelled of ``name``'s actions; those that finish anyway stay,
        marked ``stopping``. Returns the entries acted on."""
        acted = []
        for entry in self.entries(name):
            if entry.stop is Stop.NONE or entry.stopping:
                continue
            entry.stopping = entry.stop is Stop.STOP_WAITING
            entry.task.cancel()
            acted.append(entry)
        if acted:
            self.changed.emit(name)
        return acted


def stop_for(action: ProfileAction, record: ProfileRecord, now: float) -> Stop:
    """How a Cancel may act on ``action`` started on ``record`` now (the module docstring)."""
    if action in (ProfileAction.SIGN_OUT, ProfileAction.SIGN_IN):
        return Stop.NONE
    token = record.token
    rotates = record.profile.flow == "authorization_code" and token is not None and token.refresh_token is not None
    if rotates and (action is ProfileAction.RENEW or needs_renewal(token, now)):
        # It spends the refresh token (a renewal, or one due before the token can be used).
        return Stop.STOP_WAITING
    return Stop.CANCEL
