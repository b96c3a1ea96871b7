"""The two clocks the core reads, behind one object that tests can replace.

- ``now()``: the wall clock, UTC epoch seconds. Token expiry is an absolute time on it (STYLE
  rule 7), so every "is it due?" reads this one.
- ``monotonic()``: seconds from an arbitrary start that never jump. It measures durations that
  must not move when the user sets the clock (how long a loaded key sat unused), and, compared
  with the wall clock, tells that the machine slept (``clock_jump``).

KeePassXC's ``Clock``/``MockClock`` is the model: code takes a clock instead of calling
``time.time()``, so a test moves time by hand instead of sleeping or patching the ``time``
module. ``FakeClock`` is that hand; ``tests/conftest.py`` hands one out as ``fake_clock``.
"""

from __future__ import annotations

import time
from typing import Protocol


class Clock(Protocol):
    """What the core needs to know about time."""

    def now(self) -> float:
        """Wall-clock time, UTC epoch seconds."""
        ...

    def monotonic(self) -> float:
        """Seconds on a clock that never jumps (and on Linux and macOS stands still in sleep)."""
        ...


class SystemClock:
    """The machine's clocks."""

    def now(self) -> float:
        return time.time()

    def monotonic(self) -> float:
        return time.monotonic()

    def __repr__(self) -> str:
        return "SystemClock()"


#: The one the core uses unless it is given another.
SYSTEM_CLOCK: Clock = SystemClock()


class FakeClock:
    """Clocks that move only when told to.

    Args:
        now: the wall time to start at (default: the real time now, so that emulators which
            read the real clock agree with it).
        monotonic: the monotonic reading to start at.
    """

    def __init__(self, now: float | None = None, *, monotonic: float = 0.0) -> None:
        self.wall = time.time() if now is None else float(now)
        self.mono = float(monotonic)

    def now(self) -> float:
        return self.wall

    def monotonic(self) -> float:
        return self.mono

    def set(self, now: float) -> None:
        """Set the wall clock (as a user or NTP would); the monotonic clock does not notice."""
        self.wall = float(now)

    def advance(self, seconds: float) -> None:
        """Let ``seconds`` pass while the machine is awake: both clocks move."""
        self.wall += seconds
        self.mono += seconds

    def suspend(self, seconds: float) -> None:
        """Let ``seconds`` pass while the machine sleeps: only the wall clock moves (Linux,
        macOS), which is what ``clock_jump`` detects."""
        self.wall += seconds

    def __repr__(self) -> str:
        return f"FakeClock(now={self.wall!r}, monotonic={self.mono!r})"
