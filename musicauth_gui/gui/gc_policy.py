"""When the desktop app lets Python's cyclic garbage collector run.

Start-up imports and builds tens of thousands of long-lived objects (modules, classes, Qt
wrappers). The collector walks all of them over and over while they are created (about 40
collections, ~10 ms, before the first paint), and afterwards every full collection walks them
again: 25-30 ms on the GUI thread, which the stall benchmark caught in the middle of a renewal
burst. So the collector rests until start-up is over, then those objects are frozen (moved to
a generation it never walks, ``gc.freeze``) and it runs again over what is created after.

Nothing is collected at the freeze itself (that would be the same 25-40 ms stall once): the few
hundred unreachable start-up objects stay, a few tens of KB.

A burst of renewals (a thousand tokens due at once after a suspend) builds records, tokens and
responses faster than the oldest generation's threshold allows for, and each full pass walks
everything the burst kept: 11-17 ms in one go on the GUI thread (benchmarks/stall.py ``--many``).
``RenewalBurstCollector`` holds the full passes back while renewals run (the young generations
still collect as usual, and nothing frozen is added) and runs the one held back once the burst
is over, when nothing waits on the event loop.
"""

from __future__ import annotations

import gc

#: No renewal event for this long ends a burst.
BURST_QUIET_MS = 2000
#: The oldest generation's threshold while a burst runs: never reached in practice.
_HELD = 1 << 30


def pause_during_startup() -> None:
    gc.disable()


def settle_after_startup() -> None:
    """Freeze what start-up built and let the collector run again (idempotent)."""
    gc.freeze()
    gc.enable()


class RenewalBurstCollector:
    """Holds the collector's full passes while renewals run (``renewal_activity`` on each
    renewal event, on the GUI thread); one full pass once ``BURST_QUIET_MS`` went by without one."""

    def __init__(self) -> None:
        from PySide6.QtCore import QTimer

        self._timer = QTimer()
        self._timer.setSingleShot(True)
        self._timer.setInterval(BURST_QUIET_MS)
        self._timer.timeout.connect(self._burst_over)
        self._saved: tuple[int, int, int] | None = None

    @property
    def holding(self) -> bool:
        return self._saved is not None

    def renewal_activity(self, *_: object) -> None:
        if self._saved is None:
            self._saved = gc.get_threshold()
            gc.set_threshold(self._saved[0], self._saved[1], _HELD)
        self._timer.start()  # restarted: the burst goes on

    def _burst_over(self) -> None:
        self.close()
        if gc.isenabled():
            gc.collect()  # the pass held back, now that nothing is renewing

    def close(self) -> None:
        """Stop holding (the thresholds as they were), without a pass."""
        self._timer.stop()
        if self._saved is not None:
            gc.set_threshold(*self._saved)
            self._saved = None
