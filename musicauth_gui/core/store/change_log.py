"""Change stamps, so that a running desktop app sees what the CLI (or another process) wrote.

After every write the store touches a small stamp file in the runtime folder: one per profile
(named by a hash of the profile name) and one for the index. A stamp holds only the writer's
process id and a counter, never a name or a value: the watcher compares stamps, and reads the
keyring only for the profiles whose stamp changed. Polling the folder every couple of seconds
lists it and reads only the stamps that changed, where re-reading the keyring would cost 20 ms
a profile.
"""

from __future__ import annotations

import itertools
import os
from pathlib import Path

from ..paths import runtime_dir

_counter = itertools.count(1)
INDEX_STAMP = "index"


def stamp_name(profile: str) -> str:
    # Imported here: a read never stamps, and hashlib (OpenSSL's _hashlib) is ~1.5 ms of
    # `musicauth token` on the Secret Service, whose path imports this module through the store.
    import hashlib

    return "p-" + hashlib.sha256(profile.encode()).hexdigest()[:32]


def _folder() -> Path:
    folder = runtime_dir() / "changes"
    folder.mkdir(exist_ok=True, mode=0o700)
    return folder


#: The file signature of each stamp this process wrote last, so that its own watcher need not
#: read them back to tell them from another process's (a renewal burst rewrites hundreds).
_own_writes: dict[str, tuple[int, int, int]] = {}


def _signature(st: os.stat_result) -> tuple[int, int, int]:
    # A stamp is replaced by a rename, so a new write is a new inode; the mtime guards against a
    # freed inode number coming back.
    return (st.st_ino, st.st_mtime_ns, st.st_size)


def touch(*names: str) -> None:
    """Record that ``names`` (stamp names: ``stamp_name(p)`` or ``INDEX_STAMP``) changed."""
    try:
        folder = _folder()
        for name in names:
            tmp = folder / f".{name}.{os.getpid()}.tmp"
            tmp.write_text(f"{os.getpid()}:{next(_counter)}")
            signature = _signature(tmp.stat())
            tmp.replace(folder / name)
            _own_writes[name] = signature
    except OSError:
        pass  # stamps only speed up other processes' refresh; never fail a write for them


class ChangeWatcher:
    """Polls the stamps; reports the ones other processes changed since the last poll.

    A poll lists the folder and compares each stamp's inode, mtime and size with the last
    poll's; only a stamp that changed is read (to tell another process's write from ours). With
    a thousand profiles, reading every stamp every poll was 20-40 ms on the GUI thread, and
    more while a renewal burst rewrote them (benchmarks/stall.py).
    """

    def __init__(self) -> None:
        self._seen: dict[str, tuple[int, int, int]] = {}
        self._own = f"{os.getpid()}:"
        self._scan()  # what is there now is the baseline, not news

    def poll(self) -> set[str]:
        """Stamp names changed by another process since the previous poll."""
        changed: set[str] = set()
        for name, path in self._scan():
            if _own_writes.get(name) == self._seen[name]:
                continue  # our own latest write, known without reading it
            try:
                content = Path(path).read_text()
            except OSError:
                continue
            if not content.startswith(self._own):
                changed.add(name)
        return changed

    def _scan(self) -> list[tuple[str, str]]:
        """(name, path) of the stamps whose file changed since the last scan."""
        try:
            entries = list(os.scandir(_folder()))
        except OSError:
            return []
        news = []
        for entry in entries:
            if entry.name.startswith("."):
                continue
            try:
                signature = _signature(entry.stat())
            except OSError:
                continue
            if self._seen.get(entry.name) != signature:
                self._seen[entry.name] = signature
                news.append((entry.name, entry.path))
        return news
