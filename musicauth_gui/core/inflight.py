"""In-flight markers: a note on disk that a refresh which spends a refresh token has begun.

A provider that rotates refresh tokens (Musixmatch, Spotify, SoundCloud, most OpenID
providers) invalidates the old one as it answers. If this process dies between that answer and
the keyring write (SIGKILL, power loss, a keyring that keeps failing), the only valid refresh
token is gone, and the next refresh meets ``invalid_grant`` ("already used"), which on its own
explains nothing. So before each such refresh the engine writes a marker, and removes it once
the new token is stored (or the provider has plainly refused, which spends nothing). A marker
found by the next refresh that meets ``invalid_grant`` says exactly what happened.

A marker holds the profile name, the start time, the pid and what became of the refresh when
the process could still tell; never a token. It lives in the state folder, which survives a
reboot (a power loss is one of the cases), and is written with fsync for the same reason.
Markers are only read and written under the profile's renewal lock, so a marker that is there
when a refresh starts belongs to an earlier one that did not finish.
"""

from __future__ import annotations

import json
import logging
import os
import time
from pathlib import Path
from typing import Literal

from .clock import SYSTEM_CLOCK
from .paths import state_dir
from .record import frozen_record

log = logging.getLogger(__name__)

#: What became of the refresh, when the process lived to say: ``None`` (it ended before it
#: could), no answer in time, an answer that could not be read, a new token it could not store.
Outcome = Literal["no_answer", "unreadable", "not_stored"] | None

_PHRASES = {
    None: "was interrupted before its new refresh token could be stored",
    "no_answer": "got no answer in time, so any new refresh token it was given never arrived",
    "unreadable": "got an answer that could not be read, so any new refresh token in it was lost",
    "not_stored": "got a new refresh token that could not be stored in the keyring",
}


@frozen_record
class InFlight:
    """An earlier refresh of ``profile`` that did not end with its token stored."""

    profile: str
    started_at: float
    pid: int
    outcome: Outcome = None

    def explanation(self, *, now: float | None = None) -> str:
        """One clause for the user: what happened, and that the provider has moved on."""
        local = time.localtime(self.started_at)
        recent = (now if now is not None else SYSTEM_CLOCK.now()) - self.started_at < 20 * 3600
        when = time.strftime("%H:%M:%S" if recent else "%Y-%m-%d %H:%M:%S", local)
        return f"a refresh at {when} {_PHRASES[self.outcome]}, and the provider has already replaced the old one"


def _path(profile: str) -> Path:
    # Hashed: a profile name may hold characters a file name cannot. Imported here, where a
    # refresh starts: hashlib loads OpenSSL (libcrypto), which a window at rest does without.
    import hashlib

    return state_dir() / "inflight" / (hashlib.sha256(profile.encode()).hexdigest()[:24] + ".json")


def begin(profile: str, *, now: float) -> InFlight | None:
    """Note that a refresh of ``profile`` is about to spend its refresh token; returns the
    marker an earlier refresh left (``read``), which this one replaces."""
    earlier = read(profile)
    _write(InFlight(profile=profile, started_at=now, pid=os.getpid()))
    return earlier


def abandon(profile: str, earlier: InFlight | None) -> None:
    """The refresh ``begin`` announced stopped before its request (nothing was spent): put
    back what was there before it."""
    if earlier is None:
        clear(profile)
    else:
        _write(earlier)


def note_outcome(profile: str, outcome: Outcome) -> None:
    """Record why the refresh under way did not store its token (the marker stays)."""
    current = read(profile)
    if current is not None and current.pid == os.getpid():
        _write(InFlight(current.profile, current.started_at, current.pid, outcome))


def read(profile: str) -> InFlight | None:
    """The marker of ``profile``, or None (also when it cannot be read: it is only a note)."""
    try:
        data = json.loads(_path(profile).read_text(encoding="utf-8"))
        marker = InFlight(
            profile=str(data["profile"]),
            started_at=float(data["started_at"]),
            pid=int(data["pid"]),
            outcome=data.get("outcome") if data.get("outcome") in _PHRASES else None,
        )
    except FileNotFoundError:
        return None
    except (OSError, ValueError, KeyError, TypeError):
        log.debug("ignoring an unreadable in-flight marker for %r", profile)
        return None
    return marker if marker.profile == profile else None


def clear(profile: str) -> None:
    """The refresh ended without loss (stored, or refused by the provider): forget it."""
    try:
        _path(profile).unlink()
    except FileNotFoundError:
        pass
    except OSError as exc:
        log.debug("could not remove the in-flight marker of %r: %s", profile, exc)


def _write(marker: InFlight) -> None:
    # A marker is a diagnostic: failing to write one (read-only home, full disk) must not stop
    # the refresh itself.
    try:
        path = _path(marker.profile)
        path.parent.mkdir(exist_ok=True, mode=0o700)
        tmp = path.with_suffix(f".{os.getpid()}.tmp")
        data = {"profile": marker.profile, "started_at": marker.started_at, "pid": marker.pid, "outcome": marker.outcome}
        with open(tmp, "w", encoding="utf-8") as fh:
            json.dump(data, fh)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
        _fsync_dir(path.parent)
    except OSError as exc:
        log.debug("could not write the in-flight marker of %r: %s", marker.profile, exc)


def _fsync_dir(folder: Path) -> None:
    # The rename itself must reach the disk for the marker to survive a power loss (POSIX;
    # Windows cannot open a folder this way and commits renames with the file).
    if os.name != "posix":
        return
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
