"""Core callbacks re-emitted as Qt signals, so that slots always run on the GUI thread.

Also polls the store's change stamps every ``poll_ms`` (default 2 s): a token the CLI renewed,
or a profile it imported, shows up in the open window without a restart.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, QTimer, Signal

from ..core.engine import TokenEngine
from ..core.scheduler import RenewalScheduler
from ..core.store import change_log


class EngineBridge(QObject):
    """Signals:
        profile_changed(str): the stored record of a profile changed (here or elsewhere).
        profiles_changed(): profiles were added or removed (the index changed).
        renewing(str): an automatic renewal started.
        renewed(str): an automatic renewal succeeded.
        renewal_failed(str, str, float): name, one-line message, seconds to the retry (-1: none).
        expiring(str, float): a token that cannot renew itself has this many seconds left.
        outside_change(): another process changed the store (the window reloads what it shows).
    """

    profile_changed = Signal(str)
    profiles_changed = Signal()
    renewing = Signal(str)
    renewed = Signal(str)
    renewal_failed = Signal(str, str, float)
    expiring = Signal(str, float)
    outside_change = Signal(set)

    def __init__(self, engine: TokenEngine, scheduler: RenewalScheduler, *, watch_outside: bool, poll_ms: int = 2000) -> None:
        super().__init__()
        engine.listeners.append(self.profile_changed.emit)
        events = scheduler.events
        events.renewing.append(self.renewing.emit)
        events.renewed.append(self.renewed.emit)
        events.failed.append(lambda name, msg, retry: self.renewal_failed.emit(name, msg, -1.0 if retry is None else retry))
        events.expiring.append(self.expiring.emit)
        self._watcher: change_log.ChangeWatcher | None = None
        if watch_outside:
            self._watcher = change_log.ChangeWatcher()
            self._timer = QTimer(self)
            self._timer.setInterval(poll_ms)
            self._timer.timeout.connect(self._poll)
            self._timer.start()

    def _poll(self) -> None:
        assert self._watcher is not None
        changed = self._watcher.poll()
        if changed:
            self.outside_change.emit(changed)
