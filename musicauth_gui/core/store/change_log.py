"""Change stamps, so that a running desktop app sees what the CLI (or another process) wrote.

After every write the store touches a small stamp file in the runtime folder: one per profile
(named by a hash of the profile name) and one for the index. A stamp holds only the writer's
process id and a counter, never a name or a value: the watcher compares stamps, and reads the
keyring only for the profiles whose stamp changed. Polling a folder of a few small files every
couple of seconds costs microseconds, where re-reading the keyring would cost 20 ms a profile.
"""

from __future__ import annotations

import hashlib
import itertools
import os
from pathlib import Path

from ..paths import runtime_dir

_counter = itertools.count(1)
INDEX_STAMP = "index"


def stamp_name(profile: str) -> str:
    return "p-" + hashlib.sha256(profile.encode()).hexdigest()[:32]


def _folder() -> Path:
    folder = runtime_dir() / "changes"
    folder.mkdir(exist_ok=True, mode=0o700)
    return folder


def touch(*names: str) -> None:
    """Record that ``names`` (stamp names: ``stamp_name(p)`` or ``INDEX_STAMP``) changed."""
    try:
        folder = _folder()
        for name in names:
            tmp = folder / f".{name}.{os.getpid()}.tmp"
            tmp.write_text(f"{os.getpid()}:{next(_counter)}")
            tmp.replace(folder / name)
    except OSError:
        pass  # stamps only speed up other processes' refresh; never fail a write for them


class ChangeWatcher:
    """Polls the stamps; reports the ones other processes changed since the last poll."""

    def __init__(self) -> None:
        self._seen: dict[str, str] = {}
        self._own = f"{os.getpid()}:"
        self.poll()

    def poll(self) -> set[str]:
        """Stamp names changed by another process since the previous poll."""
        changed: set[str] = set()
        try:
            entries = list(os.scandir(_folder()))
        except OSError:
            return changed
        for entry in entries:
            if entry.name.startswith("."):
                continue
            try:
                content = Path(entry.path).read_text()
            except OSError:
                continue
            if self._seen.get(entry.name) != content:
                self._seen[entry.name] = content
                if not content.startswith(self._own):
                    changed.add(entry.name)
        return changed
