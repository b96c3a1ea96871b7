"""Remaining-life text: ``23h 59m 12s``, ``13d 23h 59m``, ``expired``, ``unknown``."""

from __future__ import annotations

from ..core.expiry import usable_seconds


def format_remaining(seconds: float | None, *, precise: bool = False) -> str:
    """A compact countdown; with days, the seconds only when ``precise`` (a list of many
    tokens does not need them; the DevToken dialog shows one token and does)."""
    if seconds is None:
        return "no expiry"
    # Checked, not trusted: this runs inside a row's paint, where an exception (int(nan) once)
    # takes the whole app down; NaN, infinities and decades-long values read "unknown".
    usable = usable_seconds(seconds)
    if usable is None:
        return "unknown"
    if usable <= 0:
        return "expired"
    total = int(usable)
    days, rest = divmod(total, 86400)
    hours, rest = divmod(rest, 3600)
    minutes, secs = divmod(rest, 60)
    if days:
        return f"{days}d {hours}h {minutes:02d}m" + (f" {secs:02d}s" if precise else "")
    if hours:
        return f"{hours}h {minutes:02d}m {secs:02d}s"
    if minutes:
        return f"{minutes}m {secs:02d}s"
    return f"{secs}s"


def format_age(seconds: float) -> str:
    """How long ago a token was obtained, for a token with no known expiry and no refresh (an
    Apple Music user token): ``obtained 3d 4h 05m ago``, ``obtained just now``."""
    usable = usable_seconds(seconds)
    if usable is None:
        return "obtained at an unknown time"
    if usable < 60:
        return "obtained just now"
    return f"obtained {format_remaining(usable)} ago"


def clock_time(epoch: float) -> str:
    """``epoch`` as the local time of day, ``14:03:22`` ("retrying at ..."): a time to look at
    the clock for, which a countdown would make the user compute; "unknown" if it cannot be shown."""
    from datetime import datetime

    from ..core.expiry import usable_epoch

    usable = usable_epoch(epoch)
    if usable is None:
        return "unknown"
    try:
        return datetime.fromtimestamp(usable).strftime("%H:%M:%S")
    except (OverflowError, OSError, ValueError):  # platform limits near year 1 or 9999
        return "unknown"
