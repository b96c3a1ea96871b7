"""Damaged store entries: how the index is checked, and the one repair for each state.

Every error about a damaged entry carries its repair as data (``EntryDamaged`` derives it from
the entry's name), so the user never has to guess:

- a profile entry that cannot be decoded, or that the index names but the keyring lost:
  ``Action.REMOVE_ENTRY`` for the profile (``musicauth profile remove NAME``, then import it
  again);
- a key entry likewise: ``Action.REMOVE_ENTRY`` for the key (``musicauth key delete NAME
  --force``, then generate or import it again; ``--force`` because profiles may still name it);
- the index itself: ``Action.REPAIR_STORE`` (``musicauth store repair``).
"""

from __future__ import annotations

from typing import Any

from ..errors import EntryDamaged

INDEX_KEY = "index"


def missing_reason(entry: str) -> str:
    """Why a name the index lists cannot be used when the keyring no longer holds its entry:
    deleted with a keyring tool (Seahorse, Keychain Access), or a crash between two writes."""
    return f"the keyring entry {entry!r} is missing (deleted outside musicauth?)"


def index_damaged(reason: str) -> EntryDamaged:
    return EntryDamaged(f"the store's index is damaged ({reason})", entry=INDEX_KEY)


def parse_index(data: dict[str, Any] | None) -> dict[str, Any]:
    """The index as stored (``{"v": 1, "profiles": [...], "keys": [...]}``), checked.

    A missing index is an empty one (a new store). Names must be strings: anything else would
    reach the listings as a crash, so it is reported here as damage. A name listed twice is
    listed once (harmless, and written back so on the next change).

    Raises:
        EntryDamaged: for the index, whose repair is ``Action.REPAIR_STORE``.
    """
    index = dict(data or {})
    index.setdefault("v", 1)
    index.setdefault("profiles", [])
    index.setdefault("keys", [])
    for field in ("profiles", "keys"):
        names = index[field]
        if not isinstance(names, list) or not all(isinstance(n, str) for n in names):
            raise index_damaged(f"{field!r} is not a list of names")
        index[field] = list(dict.fromkeys(names))
    return index
