"""Damaged store entries: how the index is checked, and the one command that repairs each state.

Every error about a damaged entry names its repair, so the user never has to guess:

- a profile entry that cannot be decoded, or that the index names but the keyring lost:
  ``musicauth profile remove NAME`` (then import it again);
- a key entry likewise: ``musicauth key delete NAME --force`` (then generate or import it again;
  ``--force`` because profiles may still name the key);
- the index itself: ``musicauth store repair``.
"""

from __future__ import annotations

import shlex
from typing import Any

from ..errors import EntryDamaged

INDEX_KEY = "index"
INDEX_REPAIR = "musicauth store repair"
INDEX_REPAIR_HINT = f"run `{INDEX_REPAIR}`"


def missing_reason(entry: str) -> str:
    """Why a name the index lists cannot be used when the keyring no longer holds its entry:
    deleted with a keyring tool (Seahorse, Keychain Access), or a crash between two writes."""
    return f"the keyring entry {entry!r} is missing (deleted outside musicauth?)"


def profile_repair_hint(name: str) -> str:
    return f"run `musicauth profile remove {shlex.quote(name)}`, then import it again"


def key_repair_hint(name: str) -> str:
    return f"run `musicauth key delete {shlex.quote(name)} --force`, then generate or import it again"


def index_damaged(reason: str) -> EntryDamaged:
    return EntryDamaged(f"the store's index is damaged ({reason})", entry=INDEX_KEY, hint=INDEX_REPAIR_HINT)


def parse_index(data: dict[str, Any] | None) -> dict[str, Any]:
    """The index as stored (``{"v": 1, "profiles": [...], "keys": [...]}``), checked.

    A missing index is an empty one (a new store). Names must be strings: anything else would
    reach the listings as a crash, so it is reported here as damage. A name listed twice is
    listed once (harmless, and written back so on the next change).

    Raises:
        EntryDamaged: naming ``musicauth store repair``.
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
