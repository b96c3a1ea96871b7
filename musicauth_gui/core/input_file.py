"""Reading a file the user names (a key, a profiles file), with a size limit and a deadline.

What a user may hand us is not always a regular file: ``/dev/zero`` never ends, a named pipe
(FIFO) with no writer blocks ``open()`` forever, ``<(cat key.pem)`` is a pipe that fills as the
other process writes, and ``-`` means stdin. So:

- at most ``limit`` bytes are kept: reads go in chunks and stop at ``limit + 1`` bytes, and a
  regular file is judged by its size before any read;
- the file is opened without blocking (``O_NONBLOCK``: a FIFO opens at once even with no writer)
  and each chunk is awaited with ``poll`` for at most ``idle_timeout`` seconds, so a FIFO that
  nobody writes to is one clear line after a bounded wait, while a slow pipe that keeps
  producing is read to its end;
- stdin on a terminal has no deadline (a person is typing, and Ctrl-D or Ctrl-C ends it), and
  stdin is never switched to non-blocking mode (that flag would be shared with the shell).
"""

from __future__ import annotations

import os
import select
import stat
import sys

from .errors import Action, ConfigError

#: Key files and profiles files: a P-256 PEM is about 250 bytes, a profile a few hundred.
MAX_INPUT_BYTES = 1 << 20
#: Seconds to wait for the next chunk from a pipe or device before giving up.
DEFAULT_IDLE_TIMEOUT = 30.0
_CHUNK = 64 * 1024
STDIN = "-"


def idle_timeout_from_env() -> float:
    """``MUSICAUTH_INPUT_TIMEOUT`` (seconds) or the default; tests shorten it."""
    raw = os.environ.get("MUSICAUTH_INPUT_TIMEOUT")
    try:
        value = float(raw) if raw else DEFAULT_IDLE_TIMEOUT
    except ValueError:
        return DEFAULT_IDLE_TIMEOUT
    return value if value > 0 else DEFAULT_IDLE_TIMEOUT


def read_input(
    path: str, *, what: str, limit: int = MAX_INPUT_BYTES, idle_timeout: float | None = None
) -> bytes:
    """The bytes of ``path`` (``-``: stdin), at most ``limit`` of them.

    Args:
        what: the file's role for messages ("key file", "profiles file").
        idle_timeout: seconds to wait for each chunk of a pipe or device; default
            ``idle_timeout_from_env()``.

    Raises:
        ConfigError: missing, unreadable, larger than ``limit``, or nothing came in time.
    """
    wait = idle_timeout if idle_timeout is not None else idle_timeout_from_env()
    if path == STDIN:
        fd = sys.stdin.fileno()
        return _read_fd(fd, path="stdin", what=what, limit=limit, wait=None if os.isatty(fd) else wait)
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0))
    except FileNotFoundError:
        raise ConfigError(f"no such file: {path}") from None
    except OSError as exc:
        raise ConfigError(f"cannot read {what} {path}: {exc.strerror}") from None
    try:
        info = os.fstat(fd)
        if stat.S_ISDIR(info.st_mode):
            raise ConfigError(f"{what} {path} is a folder, not a file")
        if stat.S_ISREG(info.st_mode) and info.st_size > limit:
            raise _too_large(what, path, limit)
        return _read_fd(fd, path=path, what=what, limit=limit, wait=None if stat.S_ISREG(info.st_mode) else wait)
    finally:
        os.close(fd)


def _read_fd(fd: int, *, path: str, what: str, limit: int, wait: float | None) -> bytes:
    chunks: list[bytes] = []
    size = 0
    poller = _poller(fd) if wait is not None else None
    while size <= limit:
        if poller is not None and wait is not None:
            if not poller.poll(wait * 1000):
                # No data, and no writer either: poll reports POLLHUP only once a writer that
                # had opened the pipe closes it, so a FIFO nobody opened just stays silent.
                raise ConfigError(
                    f"nothing came from {what} {path} within {wait:.0f} s (a named pipe needs a writer)",
                    actions=(Action.CHOOSE_ANOTHER_FILE,),
                )
        try:
            chunk = os.read(fd, min(_CHUNK, limit + 1 - size))
        except BlockingIOError:
            continue  # woken without data (another reader took it, or a spurious wake-up)
        except OSError as exc:
            raise ConfigError(f"cannot read {what} {path}: {exc.strerror}") from None
        if not chunk:
            break
        chunks.append(chunk)
        size += len(chunk)
    if size > limit:
        raise _too_large(what, path, limit)
    return b"".join(chunks)


def _poller(fd: int) -> select.poll | None:
    if not hasattr(select, "poll"):  # Windows: no poll on files; reads block as before
        return None
    poller = select.poll()
    poller.register(fd, select.POLLIN | select.POLLPRI)
    return poller


def _too_large(what: str, path: str, limit: int) -> ConfigError:
    return ConfigError(f"{what} {path} is larger than {_size(limit)}, the limit for a {what}")


def _size(n: int) -> str:
    return f"{n // (1 << 20)} MB" if n >= 1 << 20 and n % (1 << 20) == 0 else f"{n:,} bytes"
