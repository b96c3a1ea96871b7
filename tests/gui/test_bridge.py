"""The bridge: core events become Qt signals, delivered on the GUI thread."""

from __future__ import annotations

import threading

from PySide6.QtCore import QObject, Signal

from musicauth_gui.core.errors import NeedsSignIn, ProviderUnreachable
from musicauth_gui.core.events import (
    Event,
    EventHub,
    ExpiryNear,
    ProfileChanged,
    RenewalFailed,
    RenewalStarted,
    StoreChangedElsewhere,
    TokenRenewed,
)
from musicauth_gui.gui.bridge import EngineBridge


def test_each_event_becomes_its_signal(qtbot) -> None:  # type: ignore[no-untyped-def]
    hub = EventHub()
    bridge = EngineBridge(hub)
    down = ProviderUnreachable("the provider is down")
    cases = [
        (ProfileChanged("a"), bridge.profile_changed, ["a"]),
        (RenewalStarted("a"), bridge.renewal_started, ["a"]),
        (TokenRenewed("a"), bridge.token_renewed, ["a"]),
        (RenewalFailed("a", down, failed_at=100.0, retry_in=5.0), bridge.renewal_failed, ["a", down, 5.0]),
        (ExpiryNear("a", expires_at=400.0, seconds_left=300.0), bridge.expiry_neared, ["a", 300.0]),
        (StoreChangedElsewhere(frozenset({"index"})), bridge.store_changed_elsewhere, [{"index"}]),
    ]
    for event, signal, args in cases:
        with qtbot.waitSignal(signal, timeout=1000) as blocker:
            hub.emit(event)
        assert blocker.args == args, event
    gone = NeedsSignIn("sign in again")
    with qtbot.waitSignal(bridge.renewal_failed, timeout=1000) as blocker:
        hub.emit(RenewalFailed("a", gone, failed_at=100.0, retry_in=None))
    assert blocker.args == ["a", gone, -1.0]  # no retry


def test_every_public_signal_is_emitted_for_some_event() -> None:
    """No signal that slots connect to and nothing ever emits (``profiles_changed`` was one)."""
    import inspect

    from musicauth_gui.gui import bridge as module

    source = inspect.getsource(module.EngineBridge)
    public = [name for name, value in vars(EngineBridge).items() if isinstance(value, Signal) and not name.startswith("_")]
    assert len(public) == 6
    for name in public:
        assert f"self.{name}.emit(" in source, name
        assert f"{name}(" in (EngineBridge.__doc__ or ""), f"{name} is missing from the Signals: section"


def test_events_from_another_thread_arrive_on_the_gui_thread(qtbot) -> None:  # type: ignore[no-untyped-def]
    hub = EventHub()
    bridge = EngineBridge(hub)

    class Receiver(QObject):
        def __init__(self) -> None:
            super().__init__()
            self.threads: list[int] = []

        def on_bridge_token_renewed(self, name: str) -> None:
            self.threads.append(threading.get_ident())

    receiver = Receiver()
    bridge.token_renewed.connect(receiver.on_bridge_token_renewed)
    heard_in: list[int] = []
    bridge.token_renewed.connect(lambda name: heard_in.append(threading.get_ident()))  # no QObject of its own
    worker = threading.Thread(target=hub.emit, args=(TokenRenewed("a"),))
    worker.start()
    worker.join()
    qtbot.waitUntil(lambda: len(receiver.threads) == 1 and len(heard_in) == 1, timeout=2000)
    gui_thread = threading.get_ident()
    assert receiver.threads == [gui_thread] and heard_in == [gui_thread]


def test_a_closed_bridge_stops_listening_and_a_collected_one_is_dropped(qtbot) -> None:  # type: ignore[no-untyped-def]
    import gc

    hub = EventHub()
    bridge = EngineBridge(hub)
    assert hub.subscriber_count(Event) == 1  # the bridge hears every event
    bridge.close()
    assert hub.subscriber_count(Event) == 0
    second = EngineBridge(hub)
    assert hub.subscriber_count(Event) == 1
    del second
    gc.collect()
    hub.emit(ProfileChanged("a"))  # no dead bridge is called (it would raise, and be logged)
    assert hub.subscriber_count(Event) == 0
