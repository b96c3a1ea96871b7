"""The event hub: typed events to weakly held subscribers, a failing one logged and skipped."""

from __future__ import annotations

import gc
import logging

import pytest

from musicauth_gui.core.errors import ProviderUnreachable
from musicauth_gui.core.events import (
    Event,
    EventHub,
    ProfileChanged,
    ProfileEvent,
    RenewalFailed,
    TokenRenewed,
)
from tests.support.events import EventLog


def test_each_subscriber_hears_its_own_type_and_a_base_type_hears_all() -> None:
    hub = EventHub()
    changed = EventLog(hub, ProfileChanged)
    everything = EventLog(hub, Event)
    about_profiles = EventLog(hub, ProfileEvent)
    hub.emit(ProfileChanged("a"))
    hub.emit(TokenRenewed("b"))
    assert changed.events == [ProfileChanged("a")]
    assert everything.events == about_profiles.events == [ProfileChanged("a"), TokenRenewed("b")]


def test_a_subscriber_that_is_garbage_collected_is_dropped() -> None:
    hub = EventHub()
    log = EventLog(hub, ProfileChanged)
    hub.emit(ProfileChanged("a"))
    assert hub.subscriber_count(ProfileChanged) == 1
    heard = log.events
    del log
    gc.collect()
    assert hub.subscriber_count(ProfileChanged) == 0
    hub.emit(ProfileChanged("b"))  # nothing to call, nothing raised
    assert heard == [ProfileChanged("a")]


def test_the_hub_does_not_keep_a_subscriber_alive() -> None:
    import weakref

    hub = EventHub()
    log = EventLog(hub, Event)
    watcher = weakref.ref(log)
    del log
    assert watcher() is None  # no reference cycle through the hub either: gone at once


@pytest.mark.allow_warning_logs(match=r"^a subscriber \(.*Broken\.on_event\) failed on ProfileChanged$")
def test_a_failing_subscriber_is_logged_and_does_not_stop_the_others(caplog) -> None:  # type: ignore[no-untyped-def]
    class Broken:
        def on_event(self, event: Event) -> None:
            raise RuntimeError("subscriber bug")

    hub = EventHub()
    before = EventLog(hub, ProfileChanged)
    broken = Broken()
    hub.subscribe(ProfileChanged, broken.on_event)
    after = EventLog(hub, ProfileChanged)
    hub.emit(ProfileChanged("a"))  # does not raise
    assert before.events == after.events == [ProfileChanged("a")]
    [record] = [r for r in caplog.records if r.name == "musicauth_gui.core.events"]
    assert record.levelno == logging.ERROR and record.exc_info is not None
    assert "subscriber bug" in str(record.exc_info[1])


def test_subscribing_twice_calls_once_and_unsubscribe_stops_it() -> None:
    hub = EventHub()
    log = EventLog(hub, ProfileChanged)
    hub.subscribe(ProfileChanged, log.record)
    hub.emit(ProfileChanged("a"))
    hub.unsubscribe(ProfileChanged, log.record)
    hub.emit(ProfileChanged("b"))
    assert log.events == [ProfileChanged("a")]


def test_a_plain_function_is_held_as_long_as_its_owner_keeps_it() -> None:
    hub = EventHub()
    heard: list[Event] = []

    def on_event(event: Event) -> None:
        heard.append(event)

    hub.subscribe(Event, on_event)
    hub.emit(ProfileChanged("a"))
    assert heard == [ProfileChanged("a")]


def test_a_builtin_bound_method_is_refused_instead_of_silently_dropped() -> None:
    hub = EventHub()
    heard: list[Event] = []
    with pytest.raises(TypeError, match="builtin bound method"):
        hub.subscribe(Event, heard.append)


def test_a_renewal_failure_carries_the_error_and_the_time_of_the_retry() -> None:
    error = ProviderUnreachable("the provider is down")
    failed = RenewalFailed("a", error, failed_at=1000.0, retry_in=5.0)
    assert failed.error is error and failed.retry_at == 1005.0
    assert RenewalFailed("a", error, failed_at=1000.0, retry_in=None).retry_at is None


async def test_the_engine_tells_the_hub_when_a_record_changes(mxm) -> None:  # type: ignore[no-untyped-def]
    from musicauth_gui.core.engine import TokenEngine
    from musicauth_gui.core.profiles_file import parse_profiles_text
    from musicauth_gui.core.store.profile_store import ProfileStore
    from musicauth_gui.core.store.vault import MemoryVault
    from tests.core.test_engine import mxm_cc

    engine = TokenEngine(ProfileStore(MemoryVault(), cross_process=False), cross_process=False)
    log = EventLog(engine.events)
    await engine.import_profiles(parse_profiles_text(mxm_cc(mxm, token_endpoint=mxm.url("/oauth/token"))))
    await engine.get_token("mxm")
    await engine.remove_profile("mxm")
    assert log.events == [ProfileChanged("mxm")] * 3  # imported, token stored, removed
    engine.store.close()
