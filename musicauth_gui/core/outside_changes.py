"""What another process (the CLI, a second window) changed in the store, re-read for a window.

The change stamps (``store/change_log.py``) say which profiles, or the index, another process
wrote. ``reread`` turns them into what a profile list must do: drop the names that are gone,
show the records that changed or appeared, mark the entries now damaged. Only those records
are read, never the whole store, so a CLI renewal costs the window one keyring read.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import field

from .errors import EntryDamaged, ProfileNotFound
from .model import ProfileRecord
from .record import frozen_record
from .store import change_log
from .store.profile_store import DamagedEntry, ProfileStore


@frozen_record
class OutsideChanges:
    """Attributes:
    gone: shown names the index no longer lists.
    removed: names whose entries vanished while being read (removed meanwhile).
    records: the changed or new readable profiles, freshly read.
    damaged: the changed profiles that can no longer be read.
    """

    gone: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    records: list[ProfileRecord] = field(default_factory=list)
    damaged: list[DamagedEntry] = field(default_factory=list)


async def reread(store: ProfileStore, stamps: Collection[str], shown: Collection[str]) -> OutsideChanges:
    """Re-read what ``stamps`` name, for a list that shows the profiles ``shown``.

    Raises:
        StoreError: the keyring could not be read (locked, failing); a damaged or vanished
            entry is not an error but part of the answer.
    """
    known = {change_log.stamp_name(n): n for n in shown}
    names = {known[s] for s in stamps if s in known}
    changes = OutsideChanges()
    if change_log.INDEX_STAMP in stamps or any(s not in known for s in stamps):
        current = await store.names()
        changes.gone.extend(n for n in shown if n not in current)
        names |= set(current) - set(shown)
    for name in sorted(names):
        try:
            changes.records.append(await store.load(name, fresh=True))
        except EntryDamaged as exc:  # damaged by another process, or still damaged
            changes.damaged.append(DamagedEntry(name, "profile", exc.message))
        except ProfileNotFound:  # removed meanwhile; any other error (locked) is raised
            changes.removed.append(name)
    return changes
