"""Times as the window shows them: the local zone, with a word where there is no time to show."""

from __future__ import annotations

import time

from ..core.expiry import usable_epoch


def local_time(epoch: float | None) -> str:
    """The time in the local zone; "—" when there is none, "unknown" when it cannot be shown."""
    if epoch is None:
        return "—"
    usable = usable_epoch(epoch)
    if usable is None:
        return "unknown"
    try:
        # time's, not datetime's (the same text: %Z is the zone's name at that instant either
        # way): a window at rest imports no datetime (its pure-Python module runs in full before
        # the C one replaces it).
        return time.strftime("%Y-%m-%d %H:%M:%S %Z", time.localtime(usable))
    except (OverflowError, OSError, ValueError):  # local zones near year 1 or 9999; platform limits
        return "unknown"
