"""Noticing that the machine slept: the wall clock jumped ahead of the monotonic clock.

On Linux ``CLOCK_MONOTONIC`` (``Clock.monotonic``) stands still while the machine is suspended,
and so do the timers that asyncio and Qt arm on it, while the wall clock (``Clock.now``) goes on:
after a night's sleep a timer armed for "in an hour" still has most of its hour to run, but every
token has long expired. Comparing how far each clock moved between two checks tells a sleep (or
an NTP step, or a user setting the clock; either way, every expiry deserves a fresh look) from an
ordinary tick. macOS's monotonic clock stands still during sleep too. Windows' counts sleep, so
there the jump is invisible and a desktop signal has to say it.

Qt-free: the desktop app calls ``check()`` from its 1 s countdown tick.
"""

from __future__ import annotations

from .clock import SYSTEM_CLOCK, Clock

#: Seconds the wall clock may run ahead of the monotonic clock between two checks before it
#: counts as a sleep. A 1 s tick late by a busy event loop moves both clocks alike; NTP slews
#: (not steps) drift by far less than this.
JUMP_THRESHOLD = 5.0


class ClockJumpDetector:
    """Compares the wall clock with the monotonic clock at each ``check()``.

    Args:
        clock: both clocks (tests inject a ``FakeClock`` and ``suspend()`` it).
        threshold: seconds of difference that count as a jump.
    """

    def __init__(
        self,
        *,
        clock: Clock = SYSTEM_CLOCK,
        threshold: float = JUMP_THRESHOLD,
    ) -> None:
        self._clock = clock
        self.threshold = threshold
        self._last = (clock.now(), clock.monotonic())

    def check(self) -> float | None:
        """Seconds the wall clock jumped since the last check (forward or back), or None."""
        wall, mono = self._clock.now(), self._clock.monotonic()
        last_wall, last_mono = self._last
        self._last = (wall, mono)
        jump = (wall - last_wall) - (mono - last_mono)
        # A jump back (the clock set back) changes every remaining lifetime as much as one ahead.
        return jump if abs(jump) > self.threshold else None
