"""``musicauth store repair``: make the index match what the keyring holds.

The index (``index`` entry) is the only list of names: keyring backends have no listing API.
So a repair can only look for entries by name, and it is honest about that:

- a sound index keeps every name whose entry is still there (readable or damaged: a damaged
  entry has its own repair, named in the report) and drops the names whose entries are gone;
- an index that cannot be read is rebuilt from the names that can still be picked out of it
  (the lists that are still lists, or the quoted strings of a value that is no longer JSON),
  plus the keys the found profiles name, plus any names the user gives; a name goes back into
  the index only when its entry is actually found. Whatever the index no longer named cannot be
  found: the report says so, and that re-importing a profiles file finds such a profile again
  with its tokens (import keeps the tokens of an entry that is still there).

The whole repair holds the store lock, so no other process writes in between.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal

from ..errors import ConfigError, EntryDamaged
from ..profiles_file import validate_name
from .damage import INDEX_KEY
from .key_store import KeyStore
from .profile_store import DamagedEntry, ProfileStore

Kind = Literal["profile", "key"]

# Quoted strings in a value that is no longer JSON (a truncated or hand-edited index).
_QUOTED = re.compile(r'"((?:[^"\\\x00-\x1f]|\\.){1,100})"')
# Each candidate costs a keyring round trip or two (about 20 ms on Secret Service); a damaged
# value full of strings must not turn a repair into minutes of calls.
MAX_CANDIDATES = 500


@dataclass
class RepairReport:
    """What ``repair_store`` found and did.

    Attributes:
        index_problem: why the index could not be read; None when it could.
        rewritten: whether the index was written.
        profiles, keys: the names the index lists now.
        dropped: names removed from the index because their entries are gone.
        found: names put back into an index that could not be read (their entries exist).
        damaged: entries kept in the index that cannot be used; each has its own repair.
    """

    index_problem: str | None = None
    rewritten: bool = False
    profiles: list[str] = field(default_factory=list)
    keys: list[str] = field(default_factory=list)
    dropped: list[tuple[Kind, str]] = field(default_factory=list)
    found: list[tuple[Kind, str]] = field(default_factory=list)
    damaged: list[DamagedEntry] = field(default_factory=list)


async def repair_store(profiles: ProfileStore, keys: KeyStore, names: list[str] | None = None) -> RepairReport:
    """Rewrite the index to match the keyring (see the module docstring).

    Args:
        names: more names to look for, as profiles and as keys (ones a damaged index lost).

    Raises:
        StoreError: the keyring itself cannot be used (locked, gone): nothing is changed then,
            because a locked keyring says nothing about which entries exist.
    """
    for name in names or []:
        validate_name(name, what="profile or key")
    return await profiles.run(profiles.locked, lambda: _repair(profiles, keys, list(names or [])))


def _repair(profiles: ProfileStore, keys: KeyStore, extra: list[str]) -> RepairReport:
    report = RepairReport()
    try:
        old: dict[str, Any] | None = profiles.read_index_unlocked()
    except EntryDamaged as exc:
        old = None
        report.index_problem = exc.message
    # A name a readable index lists is dropped only if its entry is gone; any other name (picked
    # out of a damaged index, named by a profile, given by the user) is put back only if its
    # entry is there.
    if old is not None:
        listed = {"profiles": old["profiles"], "keys": old["keys"], "both": []}
        trusted = {"profiles": set(old["profiles"]), "keys": set(old["keys"])}
    else:
        listed = _salvage(profiles)
        trusted = {"profiles": set(), "keys": set()}
    keys_named_by_profiles: list[str] = []

    def read_profile(name: str) -> object | None:
        record = profiles.read_profile_unlocked(name)
        if record is not None and record.profile.key:
            keys_named_by_profiles.append(record.profile.key)
        return record

    profile_names = _unique(listed["profiles"] + listed["both"] + extra)
    report.profiles = _check(report, "profile", profile_names, trusted["profiles"], read_profile)
    key_names = _unique(listed["keys"] + listed["both"] + keys_named_by_profiles + extra)
    report.keys = _check(report, "key", key_names, trusted["keys"], keys.read_key_unlocked)

    new = {**(old or {"v": 1}), "profiles": report.profiles, "keys": report.keys}
    if old is None or new != old:
        profiles.replace_index_unlocked(new)
        report.rewritten = True
    return report


def _check(
    report: RepairReport, kind: Kind, names: list[str], trusted: set[str], read: Callable[[str], object | None]
) -> list[str]:
    """The names to keep: those whose entry exists. Fills in dropped, found and damaged."""
    kept = []
    for name in names:
        try:
            present = read(name) is not None
        except EntryDamaged as exc:
            report.damaged.append(DamagedEntry(name, kind, exc.message))
            present = True
        if present:
            kept.append(name)
            if name not in trusted:
                report.found.append((kind, name))
        elif name in trusted:
            report.dropped.append((kind, name))
    return kept


def _salvage(profiles: ProfileStore) -> dict[str, list[str]]:
    """Candidate names from an index that cannot be read: by list where its lists survive,
    else ("both") every quoted string, to be looked for as a profile and as a key."""
    found: dict[str, list[str]] = {"profiles": [], "keys": [], "both": []}
    try:
        raw = profiles.vault.get(INDEX_KEY)
    except EntryDamaged:
        return found  # a damaged part marker: nothing of the value can be read
    if raw is None:
        return found
    try:
        data = json.loads(raw)
    except ValueError:
        found["both"] = [_unescape(s) for s in _QUOTED.findall(raw)]
    else:
        if isinstance(data, dict):
            for field_name in ("profiles", "keys"):
                value = data.get(field_name)
                if isinstance(value, list):
                    found[field_name] = [n for n in value if isinstance(n, str)]
    for kind, names in found.items():
        found[kind] = [n for n in _unique(names) if _plausible(n)][:MAX_CANDIDATES]
    return found


def _unescape(text: str) -> str:
    try:
        value = json.loads(f'"{text}"')
    except ValueError:
        return text
    return value if isinstance(value, str) else text


def _plausible(name: str) -> bool:
    if name in ("v", "profiles", "keys"):
        return False  # the index's own field names, when the strings come from a broken value
    try:
        validate_name(name)
    except ConfigError:
        return False
    return True


def _unique(names: list[str]) -> list[str]:
    return list(dict.fromkeys(names))
