"""Which expiry values are believable, and the safe readings of the ones that are not.

A provider's ``expires_in`` is whatever JSON it sent: ``"nan"``, ``"inf"``, ``1e308``, or the
literal ``1e400`` that Python's ``json`` reads as infinity. Stored unchecked, one such value made
``profile list`` fail for every profile, stopped renewals for good (``now >= inf`` is never true)
and crashed the desktop app on every start (``int(nan)`` in a row's paint). So:

- on arrival, a lifetime that is not a finite, positive number of at most ``MAX_LIFETIME``
  seconds counts as *unknown* (``lifetime_seconds``);
- on load, a stored absolute time that is not a finite epoch within reach counts as unknown
  (``plausible_epoch``);
- every formatter reads times through ``usable_epoch``/``usable_seconds``, so that a bad value
  that got past both still prints as "unknown" instead of raising.

Unknown is a state the renewal policy already has (``core/renewal.py``): such a token is used
until the provider refuses it.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .model import TokenSet

#: Ten years. Apple's DevTokens may live six months and Spotify's refresh tokens as long; no
#: provider documents anything near ten years, so a longer claim is a bug or a hostile answer.
MAX_LIFETIME = 10 * 365 * 86400.0

#: 9999-12-31T23:59:59Z: the last second ``datetime`` can show. Formatters refuse anything later
#: (``datetime.fromtimestamp`` raises beyond it) and anything before 1970 (it raises on Windows).
LAST_DISPLAYABLE_EPOCH = 253402300799.0


def _real(value: object) -> float | None:
    """``value`` as a finite float when it is an int or a float (not a bool, not a string)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    try:
        number = float(value)
    except OverflowError:  # an int too large for a float
        return None
    return number if math.isfinite(number) else None


def lifetime_seconds(value: object) -> float | None:
    """A token endpoint's ``expires_in``-style value as seconds, or None when it is unusable.

    Numbers and numeric strings (some servers send ``"3600"``) are read; the result must be
    finite, positive and at most ``MAX_LIFETIME``. Everything else (absent, ``"soon"``, zero,
    negative, NaN, infinity, 1e308) is an unknown lifetime rather than an error: the answer that
    carries it may also carry a rotated refresh token that must not be thrown away.
    """
    if isinstance(value, str):
        try:
            value = float(value.strip())
        except ValueError:
            return None
    seconds = _real(value)
    if seconds is None or not 0 < seconds <= MAX_LIFETIME:
        return None
    return seconds


def plausible_epoch(value: object, *, now: float) -> float | None:
    """A stored absolute time (UTC epoch seconds), or None when no token could have it.

    Plausible: a finite number after 1970 and at most ``MAX_LIFETIME`` past ``now`` (nothing we
    store was ever further ahead than that when it was written, and time only moves on).
    """
    epoch = _real(value)
    if epoch is None or not 0 < epoch <= now + MAX_LIFETIME:
        return None
    return epoch


def usable_epoch(value: object) -> float | None:
    """An absolute time a formatter can show (``datetime`` can hold it), else None."""
    epoch = _real(value)
    if epoch is None or not 0 <= epoch <= LAST_DISPLAYABLE_EPOCH:
        return None
    return epoch


def usable_seconds(value: object) -> float | None:
    """A duration a formatter can show: finite and within ``MAX_LIFETIME`` either way, else None."""
    seconds = _real(value)
    if seconds is None or abs(seconds) > MAX_LIFETIME:
        return None
    return seconds


def remaining_fraction(token: TokenSet, now: float) -> float | None:
    """How much of the token's life is left, from 0 to 1, or None when that is not known."""
    expires_at, issued_at = usable_epoch(token.expires_at), usable_epoch(token.issued_at)
    if expires_at is None or issued_at is None:
        return None
    lifetime = usable_seconds(expires_at - issued_at)
    if lifetime is None or lifetime <= 0:
        return None
    return max(0.0, min(1.0, (expires_at - now) / lifetime))
