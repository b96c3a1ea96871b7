"""What happened in the core, told to whoever listens: typed events through one hub.

The engine and the scheduler ``emit`` small frozen events into ``TokenEngine.events``; the
desktop app's ``gui/bridge.py`` subscribes and re-emits each as a Qt signal, so that its slots
run on the GUI thread (Electrum's ``CallbackManager`` in ``electrum/util.py`` and
``QtEventListener`` in ``electrum/gui/common_qt/util.py`` are the model). Tests subscribe too.

Two rules make the hub safe to leave connected:

- Subscribers are held by weak reference (a bound method through ``weakref.WeakMethod``, a
  function through ``weakref.ref``): a window or dialog that is gone stops receiving events by
  itself, and the hub never keeps one alive. The flip side: a lambda nobody else holds is gone
  at once, so subscribe a method of an object you keep (or a function you keep a name for).
- A subscriber that raises is logged and skipped: the others still hear the event, and the
  engine or scheduler that emitted it goes on (a broken listener must not stop renewals).

Events carry names, times and errors, never a secret (the errors are ``MusicAuthError``s, which
never hold one either).
"""

from __future__ import annotations

import inspect
import logging
import threading
import types
import weakref
from collections.abc import Callable
from typing import Any, TypeVar

from .errors import MusicAuthError
from .record import frozen_record

log = logging.getLogger(__name__)


@frozen_record
class Event:
    """The base of every event (subscribe to it to hear them all)."""


@frozen_record
class ProfileEvent(Event):
    """Something about one profile.

    Attributes:
        profile: the profile's name.
    """

    profile: str


@frozen_record
class ProfileChanged(ProfileEvent):
    """This process changed the profile's stored record: imported, edited, a token stored,
    signed out, marked as needing sign-in, or removed (then the store no longer has it)."""


@frozen_record
class RenewalStarted(ProfileEvent):
    """Auto-renew started renewing the profile's token."""


@frozen_record
class TokenRenewed(ProfileEvent):
    """Auto-renew stored a new token for the profile."""


@frozen_record
class RenewalFailed(ProfileEvent):
    """Auto-renew could not renew the profile's token; nothing stored changed.

    Attributes:
        error: why (front ends choose the words: ``gui/messages.py``, ``cli.py``).
        failed_at: when, on the wall clock.
        retry_in: seconds from ``failed_at`` to the next attempt, None when it will not retry
            (the user must act: sign in, fix the profile).
    """

    error: MusicAuthError
    failed_at: float
    retry_in: float | None

    @property
    def retry_at(self) -> float | None:
        """Wall-clock time of the next attempt, or None."""
        return None if self.retry_in is None else self.failed_at + self.retry_in


@frozen_record
class ExpiryNear(ProfileEvent):
    """A token that cannot renew itself (no refresh token) will soon expire; said once.

    Attributes:
        expires_at: its expiry, on the wall clock.
        seconds_left: how long it had left when this was said.
    """

    expires_at: float
    seconds_left: float


@frozen_record
class StoreChangedElsewhere(Event):
    """Another process (the CLI, a second window) changed the store.

    Attributes:
        stamps: the change stamps it touched (``store.change_log``): ``stamp_name(profile)``
            for each profile, ``INDEX_STAMP`` when profiles were added or removed.
    """

    stamps: frozenset[str]


E = TypeVar("E", bound=Event)
_Ref = weakref.ref[Callable[[Any], object]] | weakref.WeakMethod[Callable[[Any], object]]


class EventHub:
    """Events to weakly held subscribers, by event type (a base type hears its subtypes).

    Emitting is synchronous: each subscriber runs in the emitter's thread before ``emit``
    returns (the engine and scheduler emit on the event loop's thread). A subscriber that needs
    another thread hops there itself, as the Qt bridge does.
    """

    def __init__(self) -> None:
        self._subscribers: dict[type[Event], list[_Ref]] = {}
        self._lock = threading.Lock()

    def subscribe(self, kind: type[E], callback: Callable[[E], object]) -> None:
        """Call ``callback(event)`` for every event of type ``kind`` (or a subtype), for as long
        as ``callback`` (or, for a bound method, its object) lives elsewhere.

        Raises:
            TypeError: ``callback`` cannot be held weakly in a useful way (a builtin bound
                method such as ``some_list.append`` is a new object at each access and would
                be gone at once).
        """
        ref = _weak(callback)
        with self._lock:
            alive = [r for r in self._subscribers.get(kind, []) if r() is not None]
            if not any(r() == callback for r in alive):
                alive.append(ref)
            self._subscribers[kind] = alive

    def unsubscribe(self, kind: type[E], callback: Callable[[E], object]) -> None:
        """Stop calling ``callback`` for ``kind``; nothing happens if it was not subscribed."""
        with self._lock:
            kept = [r for r in self._subscribers.get(kind, []) if r() is not None and r() != callback]
            self._subscribers[kind] = kept

    def subscriber_count(self, kind: type[Event]) -> int:
        """How many live subscribers ``kind`` has (its own, not its subtypes')."""
        with self._lock:
            return sum(1 for r in self._subscribers.get(kind, []) if r() is not None)

    def emit(self, event: Event) -> None:
        """Tell every live subscriber of ``event``'s type (and of its base types)."""
        callbacks: list[Callable[[Any], object]] = []
        with self._lock:
            for kind in type(event).__mro__:
                refs = self._subscribers.get(kind)
                if not refs:
                    continue
                live = [(r, r()) for r in refs]
                if any(cb is None for _, cb in live):  # collected meanwhile: forget them
                    self._subscribers[kind] = [r for r, cb in live if cb is not None]
                callbacks.extend(cb for _, cb in live if cb is not None)
        for callback in callbacks:
            try:
                callback(event)
            except Exception:  # one broken subscriber must not silence the others
                log.exception("a subscriber (%s) failed on %s", _name(callback), type(event).__name__)


def _weak(callback: Callable[..., object]) -> _Ref:
    if inspect.ismethod(callback):
        return weakref.WeakMethod(callback)
    if isinstance(callback, types.BuiltinMethodType) and not isinstance(callback.__self__, types.ModuleType):
        raise TypeError(
            f"{_name(callback)} is a builtin bound method, made anew at each access: the hub "
            "holds subscribers weakly, so it would be gone at once; subscribe a method of an "
            "object you keep"
        )
    return weakref.ref(callback)


def _name(callback: Callable[..., object]) -> str:
    return getattr(callback, "__qualname__", None) or type(callback).__name__
