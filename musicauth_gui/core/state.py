"""A profile's state: one model, one rule, for the CLI's ``profile list`` and the desktop rows.

The state is computed by ``profile_state`` from three things and nothing else:

- the stored record (its token and the "needs sign-in" flag with its reason);
- the clock (a token expires, then enters its renewal margin, with no write to the store);
- what the running engine and scheduler know and the record cannot: a renewal or a sign-in under
  way, a renewal that failed and when the next attempt is (``Activity``).

The front ends only choose words and colours for the ``StateKind``: ``cli.py`` keeps the words
scripts already read (``token_state``), the desktop app its badges.

The rule, first match wins::

    signing in     a browser sign-in is waiting for its answer
    renewing       a renewal is under way
    needs sign-in  the record says so (invalid_grant, expired refresh token), or a
                   sign-in profile (code or device flow) has never signed in (no reason then)
    retrying       the last renewal failed; another attempt is scheduled (``next_attempt_at``)
    error          the last renewal failed and nothing will retry it (``error``: the cause)
    no token       a profile that renews by itself and has not fetched a token yet
    expired        the token's expiry has passed
    expiring       inside the renewal margin (``renewal.renew_at``)
    static         a static profile (an API key) with its key, or a token whose expiry is
                   unknown: it is used until the provider refuses it
    valid          otherwise

A signed-in token that can neither be renewed nor tell when it expires (an Apple Music user
token, a Genius token) has no countdown to show: its state carries ``obtained_at`` instead, so
that the front ends show its age, and a new sign-in is the only way to replace it.

A damaged keyring entry has no record; ``damaged_state`` gives its state.
"""

from __future__ import annotations

import enum

from .errors import MusicAuthError
from .model import SIGN_IN_FLOWS, ProfileRecord
from .presets import get_preset
from .record import frozen_record
from .renewal import renew_at

# Re-exported for the front ends, which list damaged entries but never import the store.
from .store.profile_store import DamagedEntry

__all__ = ["Activity", "DamagedEntry", "Failure", "ProfileState", "StateKind", "damaged_state", "profile_state"]


class StateKind(enum.Enum):
    VALID = "valid"
    EXPIRING = "expiring"
    EXPIRED = "expired"
    STATIC = "static"
    NO_TOKEN = "no_token"
    RENEWING = "renewing"
    RETRYING = "retrying"
    NEEDS_SIGN_IN = "needs_sign_in"
    SIGNING_IN = "signing_in"
    ERROR = "error"
    DAMAGED = "damaged"


@frozen_record
class Failure:
    """A renewal that failed, as the scheduler saw it.

    Attributes:
        message: one line for the user (the error's own message, or what went wrong).
        error: the cause, when it is one of ours (None for a bug, which is logged instead).
        next_attempt_at: when the scheduler tries again (wall clock); None: it will not.
    """

    message: str
    error: MusicAuthError | None = None
    next_attempt_at: float | None = None


@frozen_record
class Activity:
    """What the engine and the scheduler know about a profile beyond its stored record."""

    renewing: bool = False
    signing_in: bool = False
    failure: Failure | None = None


IDLE = Activity()


@frozen_record
class ProfileState:
    """Attributes:
    kind: which state.
    expires_at: the token's expiry (wall clock), when there is a token with a known one.
    next_attempt_at: ``retrying``: when the next renewal attempt is due.
    reason: ``needs_sign_in`` (why, when known), ``retrying``/``error`` (the failure's
        message), ``damaged`` (what is wrong with the entry); else None.
    error: ``retrying``/``error``: the cause, when it is a MusicAuthError.
    obtained_at: when a signed-in token with no refresh token and no known expiry was obtained
        (see the module docstring); None for every other token.
    """

    kind: StateKind
    expires_at: float | None = None
    next_attempt_at: float | None = None
    reason: str | None = None
    error: MusicAuthError | None = None
    obtained_at: float | None = None

    @property
    def shows_age(self) -> bool:
        """Whether the token's life is shown as its age (and "sign in again") instead of a countdown."""
        return self.obtained_at is not None


def profile_state(record: ProfileRecord, now: float, activity: Activity = IDLE) -> ProfileState:
    """The state of ``record`` at ``now``; the rule is in the module docstring."""
    token = record.token
    expires_at = token.expires_at if token is not None else None
    if activity.signing_in:
        return ProfileState(StateKind.SIGNING_IN, expires_at)
    if activity.renewing:
        return ProfileState(StateKind.RENEWING, expires_at)
    if record.status.needs_sign_in:
        return ProfileState(StateKind.NEEDS_SIGN_IN, expires_at, reason=record.status.reason)
    failure = activity.failure
    if failure is not None:
        kind = StateKind.ERROR if failure.next_attempt_at is None else StateKind.RETRYING
        return ProfileState(kind, expires_at, failure.next_attempt_at, failure.message, failure.error)
    if record.profile.flow == "static":
        # An API key or personal token: it never expires and is never renewed.
        return ProfileState(StateKind.STATIC if record.static_token is not None else StateKind.NO_TOKEN)
    if token is None:
        if record.profile.flow in SIGN_IN_FLOWS:
            return ProfileState(StateKind.NEEDS_SIGN_IN)  # never signed in: no reason to give
        return ProfileState(StateKind.NO_TOKEN)
    left = token.expires_in(now)  # None when unknown, NaN and infinities included
    if left is None:
        # Its age is worth showing only where the expiry is unknown, not where there is none.
        never = get_preset(record.profile.provider).token_never_expires
        only_sign_in = record.profile.flow in SIGN_IN_FLOWS and token.refresh_token is None and not never
        return ProfileState(StateKind.STATIC, expires_at, obtained_at=token.issued_at if only_sign_in else None)
    if left <= 0:
        return ProfileState(StateKind.EXPIRED, expires_at)
    due = renew_at(token)
    if due is not None and now >= due:
        return ProfileState(StateKind.EXPIRING, expires_at)
    return ProfileState(StateKind.VALID, expires_at)


def damaged_state(entry: DamagedEntry) -> ProfileState:
    return ProfileState(StateKind.DAMAGED, reason=entry.reason)
