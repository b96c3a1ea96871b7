"""Which profile actions are offered, and which can be used, for one profile in one state.

One rule for every place that shows them (the Profile menu, the list's context menu, the detail
pane's buttons, the tray), decided from the ``ProfileState`` (core/state.py) and what the
profile's flow and provider can do, never from the words a badge shows. Qt-free, so that the
whole table can be read, and tested, in one place.

``offer(None)`` (nothing selected) keeps the usual readable-profile actions visible and greyed
out, so that the menu does not change shape under the user's pointer; a damaged entry offers
only Remove entry and Re-import, since nothing else can be done without a readable record.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from ..core.model import SIGN_IN_FLOWS, ProfileRecord
from ..core.presets import get_preset
from ..core.state import DamagedEntry, ProfileState, StateKind
from ..core.usage import try_url


class ProfileAction(enum.Enum):
    COPY_TOKEN = "copyToken"
    COPY_HEADER = "copyHeader"
    COPY_CURL = "copyCurl"
    GET_TOKEN = "getToken"
    SIGN_IN = "signIn"
    RENEW = "renew"
    CANCEL_SIGN_IN = "cancelSignIn"
    CANCEL_RUNNING = "cancelRunning"
    SIGN_OUT = "signOut"
    TRY_IT = "tryIt"
    INTROSPECT = "introspect"
    EDIT = "editProfile"
    REMOVE = "removeProfile"
    REMOVE_ENTRY = "removeEntry"
    REIMPORT = "reimportEntry"


class Availability(enum.Enum):
    HIDDEN = "hidden"
    DISABLED = "disabled"
    ENABLED = "enabled"


HIDDEN, DISABLED, ENABLED = Availability.HIDDEN, Availability.DISABLED, Availability.ENABLED

#: A sign-in or a renewal is under way: what would start either again waits for its end.
BUSY = frozenset({StateKind.RENEWING, StateKind.SIGNING_IN})

#: Running, they change or remove the token: nothing else that does may start meanwhile. (A copy
#: is only listed as running when it must renew first: gui/running_actions.py.)
TOKEN_WORK = frozenset({
    ProfileAction.GET_TOKEN, ProfileAction.SIGN_IN, ProfileAction.RENEW, ProfileAction.SIGN_OUT, ProfileAction.COPY_TOKEN,
})  # fmt: skip

#: Shown greyed out while nothing is selected (the rest is hidden).
IDLE_SHOWN = frozenset({
    ProfileAction.COPY_TOKEN, ProfileAction.COPY_HEADER, ProfileAction.COPY_CURL, ProfileAction.SIGN_IN,
    ProfileAction.RENEW, ProfileAction.SIGN_OUT, ProfileAction.TRY_IT, ProfileAction.EDIT, ProfileAction.REMOVE,
})  # fmt: skip


@dataclass(frozen=True)
class Subject:
    """A readable profile as the actions see it: its record, its state now, and the actions the
    user started on it that are still running (gui/running_actions.py)."""

    record: ProfileRecord
    state: ProfileState
    now: float
    running: frozenset[ProfileAction] = frozenset()
    #: Whether Cancel would stop one of them (or stop waiting for it).
    cancellable: bool = False


def _enabled(condition: bool) -> Availability:
    return ENABLED if condition else DISABLED


def token_obtainable(subject: Subject) -> bool:
    """Whether asking for a credential (``engine.credential``) can give one without a sign-in:
    a stored token still alive or renewable, or a flow that fetches its own (client credentials,
    a DevToken signed here)."""
    record, kind = subject.record, subject.state.kind
    if kind in (StateKind.NEEDS_SIGN_IN, StateKind.DAMAGED):
        return False
    if record.profile.flow not in SIGN_IN_FLOWS:
        return True
    token = record.token
    if token is None:
        return False
    left = token.expires_in(subject.now)
    return token.refresh_token is not None or left is None or left > 0


def offer(subject: Subject | DamagedEntry | None) -> dict[ProfileAction, Availability]:
    """What each action is for ``subject``: hidden, shown greyed out, or usable."""
    if subject is None:
        return {action: DISABLED if action in IDLE_SHOWN else HIDDEN for action in ProfileAction}
    if isinstance(subject, DamagedEntry):
        usable = (ProfileAction.REMOVE_ENTRY, ProfileAction.REIMPORT)
        return {action: ENABLED if action in usable else HIDDEN for action in ProfileAction}

    record, kind = subject.record, subject.state.kind
    profile = record.profile
    preset = get_preset(profile.provider)
    token = record.token
    code_flow = profile.flow in SIGN_IN_FLOWS  # signed in by a person: browser or device code
    running = subject.running
    busy = kind in BUSY or bool(running & TOKEN_WORK)
    # While the token is being signed out, nothing should use it; nothing starts twice.
    signing_out = ProfileAction.SIGN_OUT in running
    obtainable = token_obtainable(subject) and not signing_out
    copying = ProfileAction.COPY_TOKEN in running
    # Renewing needs something to renew from: a refresh token (code flow), or the client's own
    # credentials or key (the others: then it is "fetch a new one now").
    renewable = token is not None and (not code_flow or token.refresh_token is not None)
    # Try it: Musixmatch's is its token-metadata introspection (core/try_call.py).
    triable = bool(try_url(record)) or profile.provider == "musixmatch"
    # An API that takes its token in the URL (Deezer; Last.fm's signed calls) has no header to copy.
    headerless = preset.token_query_param is not None and profile.flow != "static"
    introspectable = bool(preset.introspection_style) or bool(profile.introspection_endpoint)

    A = ProfileAction
    return {
        A.COPY_TOKEN: _enabled(obtainable and not copying),
        A.COPY_HEADER: HIDDEN if headerless else _enabled(obtainable and not copying),
        A.COPY_CURL: _enabled(obtainable and not copying),
        # Whichever starts this flow: never both (they share Ctrl+L).
        A.GET_TOKEN: HIDDEN if code_flow else _enabled(not busy),
        A.SIGN_IN: _enabled(not busy) if code_flow else HIDDEN,
        A.RENEW: _enabled(renewable and not busy and kind is not StateKind.NEEDS_SIGN_IN),
        # The engine can cancel a sign-in; a renewal it finishes (a spent refresh token's answer
        # must be stored), so there is no Cancel for one.
        A.CANCEL_SIGN_IN: ENABLED if kind is StateKind.SIGNING_IN else HIDDEN,
        # The rest's Cancel (a sign-in has its own, above); greyed out while what runs can
        # neither be cancelled nor stopped waiting for (a sign-out, a renewal finishing).
        A.CANCEL_RUNNING: _enabled(subject.cancellable) if running - {A.SIGN_IN} else HIDDEN,
        A.SIGN_OUT: _enabled(token is not None and not busy),
        A.TRY_IT: _enabled(obtainable and A.TRY_IT not in running) if triable else HIDDEN,
        A.INTROSPECT: _enabled(obtainable and A.INTROSPECT not in running) if introspectable else HIDDEN,
        A.EDIT: ENABLED,
        A.REMOVE: ENABLED,
        A.REMOVE_ENTRY: HIDDEN,
        A.REIMPORT: HIDDEN,
    }
