"""``store migrate``: move every profile, token and key from one vault to the other.

Nothing is lost on a failure, and running it again finishes the job:

1. read everything the source's index names (a keyring cannot be listed, so the index is the
   list), before anything is written: a damaged or unreadable entry stops it here;
2. refuse if the destination holds one of those names with other contents (both stores were
   used: which one is right is the user's call);
3. copy each entry, then write the destination's index (its own names first, then the source's);
4. read everything back from the destination (the vault file from the disk) and compare;
5. only then delete from the source: the entries, then its index.

A failure in 1-4 leaves the source as it was; a failure in 5 leaves entries in both, and the
next run finds them already copied (an entry the source's index still names but no longer holds
is one an earlier run moved). The caller holds the store lock throughout.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any, Literal

from ..errors import EntryDamaged, StoreError, StoresDisagree
from .damage import INDEX_KEY, parse_index
from .vault import SecretVault


@dataclass
class MigrationReport:
    """What moved.

    Attributes:
        profiles, keys: the names now in the destination and no longer in the source.
        missing: (kind, name) the source's index named without an entry in either store
            (damage: the name is dropped, as ``store repair`` would drop it).
        kept: names the destination held already, of its own (left as they were).
        source, destination: which stores, for a message ("the keyring", "the vault file PATH").
    """

    profiles: list[str] = field(default_factory=list)
    keys: list[str] = field(default_factory=list)
    missing: list[tuple[Literal["profile", "key"], str]] = field(default_factory=list)
    kept: list[str] = field(default_factory=list)
    source: str = ""
    destination: str = ""


def migrate(source: SecretVault, destination: SecretVault) -> MigrationReport:
    """Move everything ``source``'s index names to ``destination``. Blocking; hold the store lock.

    Raises:
        StoresDisagree: a name is in both with different contents; nothing was changed.
        EntryDamaged: the source's index cannot be read, or an entry cannot be (nothing changed).
        StoreError: a write or the read-back failed; the source still holds everything.
    """
    source_index = _index(source)
    destination_index = _index(destination)
    report = MigrationReport(source=describe(source), destination=describe(destination))
    moves: dict[str, str] = {}
    conflicts: list[str] = []
    for kind, plural in (("profile", "profiles"), ("key", "keys")):
        for name in source_index[plural]:
            entry = f"{kind}/{name}"
            value, there = source.get(entry), destination.get(entry)
            if value is None:
                if there is None:
                    report.missing.append((kind, name))  # type: ignore[arg-type]  # the two literals
                else:  # moved by an earlier run that stopped before deleting the source's index
                    getattr(report, plural).append(name)
                continue
            if there is not None and there != value:
                conflicts.append(f"{kind} {name!r}")
            moves[entry] = value
            getattr(report, plural).append(name)
    if conflicts:
        raise StoresDisagree(f"both stores hold {', '.join(conflicts)}, with different contents; nothing was moved")
    report.kept = [n for n in destination_index["profiles"] + destination_index["keys"] if n not in report.profiles + report.keys]

    for entry, value in moves.items():
        if destination.get(entry) != value:
            destination.set(entry, value)
    merged = {
        "v": 1,
        "profiles": _union(destination_index["profiles"], report.profiles),
        "keys": _union(destination_index["keys"], report.keys),
    }
    destination.set(INDEX_KEY, json.dumps(merged, separators=(",", ":")))

    _verify(destination, moves, merged)
    for entry in moves:
        source.delete(entry)
    source.delete(INDEX_KEY)
    return report


def _verify(destination: SecretVault, moves: dict[str, str], index: dict[str, Any]) -> None:
    reread = getattr(destination, "reread", None)
    if reread is not None:
        reread()  # the vault file: decrypt it from the disk, not from what this process holds
    wrong = [entry for entry, value in moves.items() if destination.get(entry) != value]
    if _index(destination) != parse_index(index):
        wrong.append(INDEX_KEY)
    if wrong:
        raise StoreError(f"the copy did not read back the same ({', '.join(wrong)}); nothing was deleted from the source")


def _index(vault: SecretVault) -> dict[str, Any]:
    raw = vault.get(INDEX_KEY)
    try:
        data = None if raw is None else json.loads(raw)
    except ValueError as exc:
        raise EntryDamaged("the store's index is damaged (not JSON)", entry=INDEX_KEY) from exc
    if data is not None and not isinstance(data, dict):
        raise EntryDamaged("the store's index is damaged (not a JSON object)", entry=INDEX_KEY)
    return parse_index(data)


def _union(first: list[str], then: list[str]) -> list[str]:
    return list(dict.fromkeys([*first, *then]))


def describe(vault: SecretVault) -> str:
    """The store ``vault`` is, as a message names it."""
    path = getattr(vault, "path", None)
    return f"the vault file {path}" if path is not None else "the keyring"
