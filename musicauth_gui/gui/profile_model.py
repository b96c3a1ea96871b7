"""The profile list: one row per profile, its state badge and a live countdown.

One 1 s QTimer drives every countdown (not a timer per row): each tick announces a change of
the countdown role for all rows, and the view repaints only the rows it shows. Nothing here
touches the keyring; records come from the engine's cache.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from enum import IntEnum
from typing import NamedTuple

from PySide6.QtCore import QAbstractListModel, QModelIndex, QObject, QPersistentModelIndex, Qt, QTimer, Signal

from ..core.expiry import remaining_fraction
from ..core.model import ProfileRecord
from ..core.presets import get_preset
from ..core.renewal import needs_renewal
from .countdown import format_remaining


class Role(IntEnum):
    NAME = Qt.ItemDataRole.UserRole + 1
    PROVIDER = Qt.ItemDataRole.UserRole + 2
    STATE = Qt.ItemDataRole.UserRole + 3
    COUNTDOWN = Qt.ItemDataRole.UserRole + 4
    FRACTION_LEFT = Qt.ItemDataRole.UserRole + 5
    MESSAGE = Qt.ItemDataRole.UserRole + 6
    RECORD = Qt.ItemDataRole.UserRole + 7
    PAINT = Qt.ItemDataRole.UserRole + 8  # a RowView: what the delegate paints, in one call


STATE_LABELS = {
    "valid": "valid",
    "renewing": "renewing",
    "needs-sign-in": "needs sign-in",
    "error": "error",
    "expired": "expired",
    "none": "no token",
}


class RowView(NamedTuple):
    """Everything a painted row shows, fetched with one ``data()`` call (each call crosses from
    C++ into Python, and the countdown tick repaints every visible row once a second)."""

    name: str
    provider: str
    state: str
    countdown: str
    fraction_left: float | None


@dataclass
class Row:
    record: ProfileRecord
    renewing: bool = False
    error: str | None = None


def row_state(row: Row, now: float) -> str:
    if row.renewing:
        return "renewing"
    if row.record.status.needs_sign_in:
        return "needs-sign-in"
    if row.error:
        return "error"
    token = row.record.token
    if token is None:
        return "needs-sign-in" if row.record.profile.flow == "authorization_code" else "none"
    left = token.expires_in(now)  # None when unknown, NaN and infinities included
    if left is not None and left <= 0:
        return "expired"
    return "valid"


def _countdown(record: ProfileRecord, now: float) -> str:
    return "" if record.token is None else format_remaining(record.token.expires_in(now))


def _fraction_left(record: ProfileRecord, now: float) -> float | None:
    return None if record.token is None else remaining_fraction(record.token, now)


class ProfileListModel(QAbstractListModel):
    """Signals:
        ticked(): the once-a-second countdown tick (the detail pane follows it too).
    """

    ticked = Signal()

    def __init__(self, *, clock: Callable[[], float] = time.time, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.clock = clock
        self._rows: list[Row] = []
        self._row_of_name: dict[str, int] = {}  # every renewal event looks a row up by name
        self._timer = QTimer(self)
        self._timer.setInterval(1000)
        self._timer.timeout.connect(self._tick)
        self._timer.start()

    # -- Qt model API --------------------------------------------------------------------------

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        row = self._rows[index.row()]
        record = row.record
        now = self.clock()
        if role == Role.PAINT:
            return RowView(record.name, record.profile.provider, row_state(row, now), _countdown(record, now), _fraction_left(record, now))
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
            return row.error or record.status.reason
        if role == Role.RECORD:
            return record
        if role == Qt.ItemDataRole.ToolTipRole:
            label = get_preset(record.profile.provider).label
            state = STATE_LABELS[row_state(row, now)]
            message = row.error or record.status.reason
            return f"{label} · {record.profile.flow.replace('_', ' ')} · {state}" + (f"\n{message}" if message else "")
        return None

    # -- updates ---------------------------------------------------------------------------------

    def set_records(self, records: list[ProfileRecord]) -> None:
        self.beginResetModel()
        self._rows = [Row(record) for record in records]
        self._reindex()
        self.endResetModel()

    def names(self) -> list[str]:
        return [row.record.name for row in self._rows]

    def records(self) -> list[ProfileRecord]:
        return [row.record for row in self._rows]

    def row_of(self, name: str) -> int:
        return self._row_of_name.get(name, -1)

    def _reindex(self) -> None:
        self._row_of_name = {row.record.name: i for i, row in enumerate(self._rows)}

    def record(self, name: str) -> ProfileRecord | None:
        i = self.row_of(name)
        return self._rows[i].record if i >= 0 else None

    def upsert(self, record: ProfileRecord) -> None:
        i = self.row_of(record.name)
        if i < 0:
            self.beginInsertRows(QModelIndex(), len(self._rows), len(self._rows))
            self._rows.append(Row(record))
            self._row_of_name[record.name] = len(self._rows) - 1
            self.endInsertRows()
            return
        row = self._rows[i]
        if row.record.token != record.token or row.record.token is None:
            row.error = None  # a new token clears a past renewal error
        row.record = record
        self._changed(i)

    def remove(self, name: str) -> None:
        i = self.row_of(name)
        if i >= 0:
            self.beginRemoveRows(QModelIndex(), i, i)
            del self._rows[i]
            self._reindex()
            self.endRemoveRows()

    def set_renewing(self, name: str, renewing: bool) -> None:
        i = self.row_of(name)
        if i >= 0:
            self._rows[i].renewing = renewing
            if renewing:
                self._rows[i].error = None
            self._changed(i)

    def set_error(self, name: str, message: str | None) -> None:
        i = self.row_of(name)
        if i >= 0:
            self._rows[i].error = message
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
