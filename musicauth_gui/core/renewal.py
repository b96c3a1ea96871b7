"""When to renew a token, and how to wait for that moment safely.

Policy: renew when less than max(60 s, 10 % of the token's lifetime) remains, but never earlier
than half-way through its life (a 30 s token would otherwise be renewed on every use). The lifetime
comes from the provider's ``expires_in`` (or a JWT's ``exp``), never from a constant: Groove says
24 h today and warns that it may change.

Waiting: under qasync every timer is a Qt timer, and a delay past 2**31-1 ms (24.8 days)
raises OverflowError; DevTokens may live six months. The scheduler therefore arms its timer at
most ``MAX_SLEEP_STEP`` ahead and re-reads the wall clock when it fires, which also copes with a
suspended laptop.
"""

from __future__ import annotations

import math

from .model import TokenSet

MIN_MARGIN = 60.0
MARGIN_FRACTION = 0.10
# Well under 2**31-1 ms; an hour also bounds how late a wake-up after suspend can be noticed.
MAX_SLEEP_STEP = 3600.0


def renewal_margin(lifetime: float | None) -> float:
    """Seconds before expiry at which a token of this lifetime is renewed."""
    if lifetime is None or lifetime <= 0:
        return MIN_MARGIN
    return min(max(MIN_MARGIN, MARGIN_FRACTION * lifetime), lifetime / 2)


def renew_at(token: TokenSet) -> float | None:
    """The absolute time to renew ``token``, or None when its expiry is unknown."""
    if token.expires_at is None or not math.isfinite(token.expires_at):
        return None  # NaN or infinity got past validation: no timer may be armed for it
    return token.expires_at - renewal_margin(token.lifetime)


def needs_renewal(token: TokenSet | None, now: float) -> bool:
    """True when ``token`` is missing or inside its renewal margin.

    A token whose expiry is unknown (no ``expires_in``, not a JWT) is used until the provider
    rejects it: guessing a lifetime would be a hard-coded one.
    """
    if token is None:
        return True
    due = renew_at(token)
    return due is not None and now >= due
