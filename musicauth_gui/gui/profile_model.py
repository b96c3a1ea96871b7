"""The profile list: one row per profile, its state badge and a live countdown.

One 1 s QTimer drives every countdown (not a timer per row): each tick announces a change of
the countdown role for all rows, and the view repaints only the rows it shows. Nothing here
touches the keyring; records come from the engine's cache.

A profile whose keyring entry cannot be read (``ProfileStore.scan`` lists it as damaged) has a
row too, after the readable ones, in the ``damaged`` state: it has no record, only its name and
what is wrong, so that the user sees it and can remove it or import it again.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from enum import IntEnum
from typing import TYPE_CHECKING, NamedTuple

from PySide6.QtCore import QAbstractListModel, QModelIndex, QObject, QPersistentModelIndex, Qt, QTimer, Signal

from ..core.expiry import remaining_fraction
from ..core.model import ProfileRecord
from ..core.presets import get_preset
from ..core.renewal import needs_renewal
from ..core.state import Activity, Failure, ProfileState, StateKind, damaged_state, profile_state
from .countdown import clock_time, format_age, format_remaining

if TYPE_CHECKING:
    from ..core.errors import MusicAuthError
    from ..core.state import DamagedEntry


class Role(IntEnum):
    NAME = Qt.ItemDataRole.UserRole + 1
    PROVIDER = Qt.ItemDataRole.UserRole + 2
    STATE = Qt.ItemDataRole.UserRole + 3
    COUNTDOWN = Qt.ItemDataRole.UserRole + 4
    FRACTION_LEFT = Qt.ItemDataRole.UserRole + 5
    MESSAGE = Qt.ItemDataRole.UserRole + 6
    RECORD = Qt.ItemDataRole.UserRole + 7
    PAINT = Qt.ItemDataRole.UserRole + 8  # a RowView: what the delegate paints, in one call
    DAMAGED = Qt.ItemDataRole.UserRole + 9  # the DamagedEntry of a damaged row, else None
    PROFILE_STATE = Qt.ItemDataRole.UserRole + 10  # the row's ProfileState (what actions decide by)
    FILTER_TEXT = Qt.ItemDataRole.UserRole + 11  # what the filter matches: name, provider, flow, state
    # Numbered apart from the rest: other roles may be added meanwhile (a clash would be silent).
    RUNNING = Qt.ItemDataRole.UserRole + 20  # what the user started that still runs ("trying it…"), or None


#: The key (badge colour, icon, style sheet) of each kind of state (core/state.py). The app
#: shows a token inside its renewal margin, or of unknown expiry, as valid: it is, and renews
#: by itself; a failed renewal that will be retried is "retrying" while the token still works
#: (``state_key``), an error once it does not.
STATE_KEYS = {
    StateKind.VALID: "valid",
    StateKind.EXPIRING: "valid",
    StateKind.STATIC: "valid",
    StateKind.EXPIRED: "expired",
    StateKind.NO_TOKEN: "none",
    StateKind.RENEWING: "renewing",
    StateKind.SIGNING_IN: "signing-in",
    StateKind.RETRYING: "error",
    StateKind.ERROR: "error",
    StateKind.NEEDS_SIGN_IN: "needs-sign-in",
    StateKind.DAMAGED: "damaged",
}

STATE_LABELS = {
    "valid": "valid",
    "renewing": "renewing",
    "signing-in": "signing in",
    "needs-sign-in": "needs sign-in",
    "error": "error",
    "retrying": "retrying",
    "expired": "expired",
    "none": "no token",
    "damaged": "damaged",
}


class RowView(NamedTuple):
    """Everything a painted row shows, fetched with one ``data()`` call (each call crosses from
    C++ into Python, and the countdown tick repaints every visible row once a second)."""

    name: str
    provider: str
    state: str
    countdown: str
    fraction_left: float | None
    badge: str = ""  # the badge's words (the state's label, "retrying at 14:03:22", "trying it…")


@dataclass
class Row:
    """A readable profile's row: its record, and what the engine's and the scheduler's events
    said about it since (the rest of its state comes from the record and the clock)."""

    record: ProfileRecord
    renewing: bool = False
    signing_in: bool = False
    error: str | None = None  # the last failed renewal's message
    cause: MusicAuthError | None = None  # ...and its error, whose actions the pane offers
    next_attempt_at: float | None = None  # when that renewal is tried again, if it is
    running: str | None = None  # what the user started that still runs, in words (RunningActions)
    running_renews: bool = False  # ...and whether it renews or fetches the token meanwhile

    def state(self, now: float) -> ProfileState:
        failure = None if not self.error else Failure(self.error, self.cause, next_attempt_at=self.next_attempt_at)
        activity = Activity(self.renewing or self.running_renews, self.signing_in, failure)
        return profile_state(self.record, now, activity)


def state_key(state: ProfileState, now: float) -> str:
    """The state's key (``STATE_KEYS``), with a retried renewal as "retrying" while the token
    still works (it can be used meanwhile: nothing fatal to show) and "error" once it does not."""
    if state.kind is StateKind.RETRYING and (state.expires_at is None or state.expires_at > now):
        return "retrying"
    return STATE_KEYS[state.kind]


def badge_text(state: ProfileState, now: float) -> str:
    """The badge's words: the state's label, and for a retried renewal when it is tried again,
    as a time of day ("retrying at 14:03:22")."""
    key = state_key(state, now)
    if state.kind is not StateKind.RETRYING or state.next_attempt_at is None:
        return STATE_LABELS[key]
    at = f"retrying at {clock_time(state.next_attempt_at)}"
    return at if key == "retrying" else f"{STATE_LABELS[key]}, {at}"  # the token is gone: an error


def row_state(row: Row, now: float) -> str:
    """The row's state key (``STATE_KEYS``, ``state_key``)."""
    return state_key(row.state(now), now)


def state_summary(state: ProfileState, now: float) -> str:
    """The state in a few words, with the time left where it matters: "valid, 59m 12s left",
    "needs sign-in", "retrying at 14:03:22, 52s left" (the tray menu's entries)."""
    label = badge_text(state, now)
    if state.kind in (StateKind.VALID, StateKind.EXPIRING, StateKind.RETRYING) and state.expires_at is not None:
        left = state.expires_at - now
        return f"{label}, {format_remaining(left)} left" if left > 0 else label
    if state.obtained_at is not None:  # no expiry, no refresh: its age is what there is
        return f"{label}, {format_age(now - state.obtained_at)}"
    if state.kind is StateKind.STATIC:
        return f"{label}, no expiry"
    return label


def _description(row: Row, now: float) -> str:
    """Provider, flow and state: "Spotify · authorization code · valid"."""
    label = get_preset(row.record.profile.provider).label
    state = row.running or badge_text(row.state(now), now)
    return f"{label} · {row.record.profile.flow.replace('_', ' ')} · {state}"


def _countdown(record: ProfileRecord, now: float) -> str:
    # A grant that needs a new sign-in has no time left to count, whatever its old token says.
    if record.token is None or record.status.needs_sign_in:
        return ""
    obtained_at = profile_state(record, now).obtained_at
    if obtained_at is not None:  # no expiry to count down to: how old it is instead
        return format_age(now - obtained_at)
    return format_remaining(record.token.expires_in(now))


def _fraction_left(record: ProfileRecord, now: float) -> float | None:
    if record.token is None or record.status.needs_sign_in:
        return None
    return remaining_fraction(record.token, now)


class ProfileListModel(QAbstractListModel):
    """Signals:
        ticked(): the once-a-second countdown tick (the detail pane follows it too).
    """

    ticked = Signal()

    def __init__(self, *, clock: Callable[[], float] = time.time, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.clock = clock
        self._rows: list[Row] = []
        self._damaged: list[DamagedEntry] = []  # shown after the rows, in scan order
        self._row_of_name: dict[str, int] = {}  # every renewal event looks a row up by name
        self._timer = QTimer(self)
        self._timer.setInterval(1000)
        self._timer.timeout.connect(self._tick)
        self._timer.start()

    # -- Qt model API --------------------------------------------------------------------------

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows) + len(self._damaged)

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        if not index.isValid() or not 0 <= index.row() < self.rowCount():
            return None
        if index.row() >= len(self._rows):
            return _damaged_data(self._damaged[index.row() - len(self._rows)], role)
        row = self._rows[index.row()]
        record = row.record
        now = self.clock()
        if role == Role.PAINT:
            state = row.state(now)
            countdown, fraction = _countdown(record, now), _fraction_left(record, now)
            if row.running:  # painted as work in progress, in its own words
                return RowView(record.name, record.profile.provider, "renewing", countdown, fraction, row.running)
            return RowView(record.name, record.profile.provider, state_key(state, now), countdown, fraction, badge_text(state, now))
        if role in (Qt.ItemDataRole.DisplayRole, Role.NAME):
            return record.name
        if role == Role.PROVIDER:
            return record.profile.provider
        if role == Role.STATE:
            return row_state(row, now)
        if role == Role.COUNTDOWN:
            return _countdown(record, now)
        if role == Role.FRACTION_LEFT:
            return _fraction_left(record, now)
        if role == Role.MESSAGE:
            return row.state(now).reason
        if role == Role.RECORD:
            return record
        if role == Role.PROFILE_STATE:
            return row.state(now)
        if role == Role.RUNNING:
            return row.running
        if role == Qt.ItemDataRole.ToolTipRole:
            message = row.state(now).reason
            return _description(row, now) + (f"\n{message}" if message else "")
        # What a screen reader says of the row: the badge and countdown are only paint.
        if role == Qt.ItemDataRole.AccessibleTextRole:
            return f"{record.name}, {state_summary(row.state(now), now)}"
        if role == Qt.ItemDataRole.AccessibleDescriptionRole:
            message = row.state(now).reason
            return _description(row, now) + (f". {message}" if message else "")
        if role == Role.FILTER_TEXT:
            return f"{record.name} · {_description(row, now)}"
        return None

    # -- updates ---------------------------------------------------------------------------------

    def set_records(self, records: list[ProfileRecord], damaged: list[DamagedEntry] | None = None) -> None:
        """Replace every row: the readable profiles, then the damaged entries."""
        self.beginResetModel()
        self._rows = [Row(record) for record in records]
        self._damaged = list(damaged or [])
        self._reindex()
        self.endResetModel()

    def names(self) -> list[str]:
        """The readable profiles' names (a damaged entry has nothing to copy or export)."""
        return [row.record.name for row in self._rows]

    def all_names(self) -> list[str]:
        """Every row's name, the damaged entries' included."""
        return self.names() + self.damaged_names()

    def damaged_names(self) -> list[str]:
        return [entry.name for entry in self._damaged]

    def damaged(self, name: str) -> DamagedEntry | None:
        return next((entry for entry in self._damaged if entry.name == name), None)

    def set_damaged(self, entry: DamagedEntry) -> None:
        """Show ``entry`` as damaged (replacing its readable row, or its earlier damage)."""
        self.remove(entry.name)
        at = self.rowCount()
        self.beginInsertRows(QModelIndex(), at, at)
        self._damaged.append(entry)
        self._reindex()
        self.endInsertRows()

    def records(self) -> list[ProfileRecord]:
        return [row.record for row in self._rows]

    def state_of(self, name: str) -> tuple[ProfileRecord, ProfileState] | None:
        """A readable profile's record with its state now (None: no such readable row)."""
        i = self.row_of(name)
        if not 0 <= i < len(self._rows):
            return None
        row = self._rows[i]
        return row.record, row.state(self.clock())

    def states(self) -> list[tuple[ProfileRecord, ProfileState]]:
        """Each readable profile's record with its state now, in list order."""
        now = self.clock()
        return [(row.record, row.state(now)) for row in self._rows]

    def row_of(self, name: str) -> int:
        return self._row_of_name.get(name, -1)

    def _reindex(self) -> None:
        self._row_of_name = {row.record.name: i for i, row in enumerate(self._rows)}
        for i, entry in enumerate(self._damaged, start=len(self._rows)):
            self._row_of_name[entry.name] = i

    def record(self, name: str) -> ProfileRecord | None:
        i = self.row_of(name)
        return self._rows[i].record if 0 <= i < len(self._rows) else None

    def upsert(self, record: ProfileRecord) -> None:
        if self.damaged(record.name) is not None:
            self.remove(record.name)  # imported again: the readable record replaces the damage
        i = self.row_of(record.name)
        if i < 0:
            self.beginInsertRows(QModelIndex(), len(self._rows), len(self._rows))
            self._rows.append(Row(record))
            self._reindex()  # the damaged rows after it moved down one
            self.endInsertRows()
            return
        row = self._rows[i]
        if row.record.token != record.token or row.record.token is None:
            row.error = row.cause = row.next_attempt_at = None  # a new token clears a past renewal error
        row.record = record
        self._changed(i)

    def remove(self, name: str) -> None:
        i = self.row_of(name)
        if i >= 0:
            self.beginRemoveRows(QModelIndex(), i, i)
            if i < len(self._rows):
                del self._rows[i]
            else:
                del self._damaged[i - len(self._rows)]
            self._reindex()
            self.endRemoveRows()

    def set_renewing(self, name: str, renewing: bool) -> None:
        i = self.row_of(name)
        if 0 <= i < len(self._rows):
            self._rows[i].renewing = renewing
            if renewing:
                self._rows[i].error = self._rows[i].cause = self._rows[i].next_attempt_at = None
            self._changed(i)

    def set_running(self, name: str, text: str | None, *, renews: bool = False) -> None:
        """What the user started on ``name`` that still runs, in words (None: nothing), and
        whether it renews the token meanwhile (the row's state is then "renewing")."""
        i = self.row_of(name)
        if 0 <= i < len(self._rows):
            self._rows[i].running = text
            self._rows[i].running_renews = renews and text is not None
            self._changed(i)

    def set_signing_in(self, name: str, signing_in: bool) -> None:
        i = self.row_of(name)
        if 0 <= i < len(self._rows):
            self._rows[i].signing_in = signing_in
            self._changed(i)

    def set_error(
        self, name: str, message: str | None, *, next_attempt_at: float | None = None, cause: MusicAuthError | None = None
    ) -> None:
        """A renewal of ``name`` failed with ``message`` (None: clear it); ``next_attempt_at``:
        when the scheduler tries again (None: it will not); ``cause``: the error itself."""
        i = self.row_of(name)
        if 0 <= i < len(self._rows):
            self._rows[i].error = message
            self._rows[i].cause = cause if message else None
            self._rows[i].next_attempt_at = next_attempt_at if message else None
            self._rows[i].renewing = False
            self._changed(i)

    def due_soon(self, name: str) -> bool:
        record = self.record(name)
        return record is not None and needs_renewal(record.token, self.clock())

    def _changed(self, i: int) -> None:
        index = self.index(i)
        self.dataChanged.emit(index, index)

    def set_ticking(self, ticking: bool) -> None:
        """Pause the countdowns while nobody can see them (the window hidden in the tray)."""
        if ticking and not self._timer.isActive():
            self._timer.start()
            self._tick()
        elif not ticking:
            self._timer.stop()

    def _tick(self) -> None:
        if self._rows:
            # The countdown roles only: the view repaints what it shows, nothing is reloaded.
            self.dataChanged.emit(
                self.index(0), self.index(len(self._rows) - 1), [Role.COUNTDOWN, Role.FRACTION_LEFT, Role.STATE, Role.PAINT]
            )
        self.ticked.emit()


def _damaged_data(entry: DamagedEntry, role: int) -> object:
    """A damaged row's roles: its name, the ``damaged`` state and the reason; no record, no
    provider (its definition is what cannot be read), no countdown."""
    if role == Role.PAINT:
        return RowView(entry.name, "", "damaged", "", None, STATE_LABELS["damaged"])
    if role in (Qt.ItemDataRole.DisplayRole, Role.NAME):
        return entry.name
    if role == Role.STATE:
        return "damaged"
    if role == Role.MESSAGE:
        return entry.reason
    if role == Role.DAMAGED:
        return entry
    if role == Role.PROFILE_STATE:
        return damaged_state(entry)
    if role == Qt.ItemDataRole.ToolTipRole:
        return f"damaged keyring entry\n{entry.reason}"
    if role == Qt.ItemDataRole.AccessibleTextRole:
        return f"{entry.name}, damaged"
    if role == Qt.ItemDataRole.AccessibleDescriptionRole:
        return f"damaged keyring entry. {entry.reason}"
    if role == Role.FILTER_TEXT:
        return f"{entry.name} · damaged"
    if role in (Role.PROVIDER, Role.COUNTDOWN):
        return ""
    return None
