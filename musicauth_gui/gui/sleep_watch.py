"""Telling the scheduler that the machine woke up, so that expired tokens are renewed at once.

Two ways to notice, either is enough:

- the wall clock jumped ahead of the monotonic clock between two countdown ticks
  (``core.clock_jump``; Linux and macOS, where the monotonic clock stands still during sleep);
- logind says so: ``org.freedesktop.login1.Manager.PrepareForSleep(false)`` on the system D-Bus
  (Linux; it also covers a window hidden in the tray, whose countdown ticker rests).

The D-Bus side is QtDBus, which PySide6-Essentials ships (the Qt library is already loaded by
QtGui on Linux); it is imported when ``listen_to_logind`` is called, which the window does only
once its countdown tick rests (the window hidden): until then the tick notices a wake-up within a
second, and QtDBus with its connection's thread cost 1.2 MB of the resting window's peak RSS.
Where there is no system bus (containers, CI, Windows, macOS) it does nothing, quietly.
"""

from __future__ import annotations

import logging
from typing import Any

from PySide6.QtCore import QObject, Signal, Slot

from ..core.clock_jump import ClockJumpDetector

log = logging.getLogger(__name__)

LOGIND_SERVICE = "org.freedesktop.login1"
LOGIND_PATH = "/org/freedesktop/login1"
LOGIND_MANAGER = "org.freedesktop.login1.Manager"


class WakeWatcher(QObject):
    """Emits ``woke`` once per wake-up it notices.

    Args:
        detector: the clock comparison run by ``check()`` (tests give it fake clocks).

    Signals:
        woke(str): the machine resumed (or the clock was set); the argument says how it was
            noticed ("clock" or "logind").
    """

    woke = Signal(str)

    def __init__(self, *, detector: ClockJumpDetector | None = None, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.detector = detector or ClockJumpDetector()
        self.listening_to_logind = False

    def check(self) -> None:
        """Compare the clocks (call it on the 1 s countdown tick)."""
        jumped = self.detector.check()
        if jumped is not None:
            log.info("the wall clock jumped %+.0f s: the machine slept, or the clock was set", jumped)
            self.woke.emit("clock")

    def listen_to_logind(self, bus: Any = None, *, service: str = LOGIND_SERVICE) -> bool:
        """Subscribe to logind's ``PrepareForSleep``; False (and nothing else) without a bus.

        Args:
            bus: a ``QDBusConnection``; default: the system bus (tests pass a private one).
            service: the sender to match (tests send from a connection that owns no name: "").
        """
        try:
            from PySide6.QtCore import SLOT
            from PySide6.QtDBus import QDBusConnection
        except ImportError:  # a PySide6 build without QtDBus
            return False
        if bus is None:
            bus = QDBusConnection.systemBus()
        if not bus.isConnected():
            log.debug("no system D-Bus (%s): wake-ups are noticed by the clock only", bus.lastError().message())
            return False
        self._bus = bus  # the connection must outlive the subscription
        self.listening_to_logind = bool(
            bus.connect(service, LOGIND_PATH, LOGIND_MANAGER, "PrepareForSleep", self, SLOT("prepare_for_sleep(bool)"))
        )
        return self.listening_to_logind

    @Slot(bool)
    def prepare_for_sleep(self, going_to_sleep: bool) -> None:
        """logind's signal: True before a suspend, False after the resume."""
        if not going_to_sleep:
            self.detector.check()  # the jump is told now; the next tick must not tell it again
            self.woke.emit("logind")
