"""How ``musicauth exec`` hands over to its command: by becoming it.

Once the credentials are in hand, the process is replaced (``execvpe``) by the command, with the
same pid, terminal, file descriptors 0-2 and process group. So everything passes through without
any relaying: a signal sent to ``musicauth`` (Ctrl-C, ``kill``, a CI runner stopping the job)
reaches the command itself, which decides what to do with it; its exit status, or the signal it
died of, is what the parent (a shell shows 128 + N for signal N) sees; and nothing of musicauth
stays behind to hold a token in memory. The token reaches the command through its environment
only: never through its argv (readable by every user in ``/proc/PID/cmdline``), never a file.

Before the exchange the caller must have closed the engine (the store's worker thread, its lock
files); Python's own descriptors are not inherited across exec (PEP 446).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections.abc import Mapping, Sequence

#: Signals the Python runtime ignores at start-up, which an exec'd program would inherit as
#: ignored (an ignored disposition survives exec; a handler does not). SIGPIPE above all: ``yes |
#: head`` relies on it ending ``yes``. The same list ``subprocess``'s ``restore_signals`` resets.
_PYTHON_IGNORES = tuple(getattr(signal, name) for name in ("SIGPIPE", "SIGXFZ", "SIGXFSZ") if hasattr(signal, name))


def become(argv: Sequence[str], env: Mapping[str, str]) -> int:
    """Replace this process with ``argv`` (searched on ``PATH``) and ``env``.

    Returns only where a process cannot be replaced (Windows: there ``execvpe`` starts a new
    process and ends this one at once, losing the exit status), with the command's exit status.

    Raises:
        FileNotFoundError: no such command (a shell's 127).
        OSError: found but not runnable: not executable, a folder, not a program (a shell's 126).
    """
    sys.stdout.flush()
    sys.stderr.flush()
    if os.name == "nt":
        return subprocess.call(list(argv), env=dict(env))
    for signum in _PYTHON_IGNORES:
        signal.signal(signum, signal.SIG_DFL)
    try:
        os.execvpe(argv[0], list(argv), dict(env))
    except BaseException:
        for signum in _PYTHON_IGNORES:
            signal.signal(signum, signal.SIG_IGN)
        raise
    raise AssertionError("execvpe returned")  # pragma: no cover - it never does
