"""Times as the window shows them: the local zone, with a word where there is no time to show."""

from __future__ import annotations

from datetime import datetime

from ..core.expiry import usable_epoch


def local_time(epoch: float | None) -> str:
    """The time in the local zone; "—" when there is none, "unknown" when it cannot be shown."""
    if epoch is None:
        return "—"
    usable = usable_epoch(epoch)
    if usable is None:
        return "unknown"
    try:
        return datetime.fromtimestamp(usable).astimezone().strftime("%Y-%m-%d %H:%M:%S %Z")
    except (OverflowError, OSError, ValueError):  # local zones near year 1 or 9999; platform limits
        return "unknown"
