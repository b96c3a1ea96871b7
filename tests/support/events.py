"""Recording the core's events in tests."""

from __future__ import annotations

from typing import TypeVar

from musicauth_gui.core.events import Event, EventHub, ProfileEvent

E = TypeVar("E", bound=Event)


class EventLog:
    """Every event of ``kinds`` the hub emits, in order.

    The hub holds subscribers weakly: keep the log in a variable for as long as it should listen.
    """

    def __init__(self, hub: EventHub, *kinds: type[Event]) -> None:
        self.events: list[Event] = []
        for kind in kinds or (Event,):
            hub.subscribe(kind, self.record)

    def record(self, event: Event) -> None:
        self.events.append(event)

    def of(self, kind: type[E]) -> list[E]:
        return [e for e in self.events if isinstance(e, kind)]

    def names(self, kind: type[ProfileEvent]) -> list[str]:
        """The profile names of the events of ``kind``, in order."""
        return [e.profile for e in self.of(kind)]
