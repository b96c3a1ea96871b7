"""When the desktop app lets Python's cyclic garbage collector run.

Start-up imports and builds tens of thousands of long-lived objects (modules, classes, Qt
wrappers). The collector walks all of them over and over while they are created (about 40
collections, ~10 ms, before the first paint), and afterwards every full collection walks them
again: 25-30 ms on the GUI thread, which the stall benchmark caught in the middle of a renewal
burst. So the collector rests until start-up is over, then those objects are frozen (moved to
a generation it never walks, ``gc.freeze``) and it runs again over what is created after.

Nothing is collected at the freeze itself (that would be the same 25-40 ms stall once): the few
hundred unreachable start-up objects stay, a few tens of KB.
"""

from __future__ import annotations

import gc


def pause_during_startup() -> None:
    gc.disable()


def settle_after_startup() -> None:
    """Freeze what start-up built and let the collector run again (idempotent)."""
    gc.freeze()
    gc.enable()
