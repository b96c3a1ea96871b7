"""The core's events (core/events.py) re-emitted as Qt signals, so that slots always run on the
GUI thread.

Electrum's ``QtEventListener`` is the model: the hub calls the bridge in whatever thread emitted
(the event loop's, which under qasync is the GUI thread); the bridge passes the event through a
private signal of its own, which Qt delivers on the bridge's thread (queued when it comes from
another thread, at once when it does not), and only there emits the public signal.

Also polls the store's change stamps every ``poll_ms`` (default 2 s): a token the CLI renewed,
or a profile it imported, shows up in the open window without a restart.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject, QTimer, Signal

from ..core.events import (
    Event,
    EventHub,
    ExpiryNear,
    ProfileChanged,
    RenewalFailed,
    RenewalStarted,
    StoreChangedElsewhere,
    TokenRenewed,
)


class EngineBridge(QObject):
    """Signals:
        profile_changed(str): this process changed the profile's stored record (the store's
            cache has the new one, or no longer has the profile if it was removed).
        renewal_started(str): auto-renew started renewing the profile's token.
        token_renewed(str): auto-renew stored a new token for the profile.
        renewal_failed(str, object, float): the profile, the ``MusicAuthError`` (words for it
            come from ``gui/messages.py``), seconds until the next attempt (-1: none).
        expiry_neared(str, float): a token that cannot renew itself has this many seconds left.
        store_changed_elsewhere(set): another process changed the store; the change stamps it
            touched, for the window to reload just those.
    """

    profile_changed = Signal(str)
    renewal_started = Signal(str)
    token_renewed = Signal(str)
    renewal_failed = Signal(str, object, float)
    expiry_neared = Signal(str, float)
    store_changed_elsewhere = Signal(set)
    #: Private: carries each event to the bridge's own thread (see the module docstring).
    _event_arrived = Signal(object)

    def __init__(
        self,
        hub: EventHub,
        *,
        poll_outside: Callable[[], None] | None = None,
        poll_ms: int = 2000,
        parent: QObject | None = None,
    ) -> None:
        """Args:
        hub: the engine's events.
        poll_outside: called every ``poll_ms`` to notice other processes' changes
            (from ``TokenEngine.watch_outside_changes``, which emits through the hub); None: do not.
        """
        super().__init__(parent)
        self._hub = hub
        self._event_arrived.connect(self._deliver)
        # A bound method: the hub holds it weakly, so a bridge that is gone stops listening.
        hub.subscribe(Event, self._on_event)
        self._timer: QTimer | None = None
        if poll_outside is not None:
            self._timer = QTimer(self)
            self._timer.setInterval(poll_ms)
            self._timer.timeout.connect(poll_outside)
            self._timer.start()

    def close(self) -> None:
        """Stop listening to the hub and polling (the app is closing)."""
        self._hub.unsubscribe(Event, self._on_event)
        if self._timer is not None:
            self._timer.stop()

    def _on_event(self, event: Event) -> None:
        # Any thread: hop to the bridge's own (a direct call when already there).
        self._event_arrived.emit(event)

    def _deliver(self, event: Event) -> None:
        match event:
            case ProfileChanged(profile=name):
                self.profile_changed.emit(name)
            case RenewalStarted(profile=name):
                self.renewal_started.emit(name)
            case TokenRenewed(profile=name):
                self.token_renewed.emit(name)
            case RenewalFailed(profile=name, error=error, retry_in=retry_in):
                self.renewal_failed.emit(name, error, -1.0 if retry_in is None else retry_in)
            case ExpiryNear(profile=name, seconds_left=left):
                self.expiry_neared.emit(name, left)
            case StoreChangedElsewhere(stamps=stamps):
                self.store_changed_elsewhere.emit(set(stamps))
