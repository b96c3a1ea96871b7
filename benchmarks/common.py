"""Shared helpers: isolated environments for child processes, a pre-filled test keyring,
medians, and the result rows."""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FILE_KEYRING = "tests.support.file_keyring.FileKeyring"
#: In the folder of the venv ``_python_as_installed`` makes.
_MARK = "musicauth-benchmark-python"


def _python_as_installed() -> str:
    """The interpreter every child process runs: this one, started as an installed app's is.

    The project venv holds musicauth as an editable install, whose ``.pth`` hook imports
    ``pathlib`` (with ``re``, ``enum``, ``urllib.parse``, ``ipaddress``) at every start of that
    interpreter: half of ``python -c pass`` there (14.7 against 6.8 ms, 15 alternating rounds),
    which an installed musicauth (a wheel, pipx) never pays. Every ratio to ``python -c pass``
    was flattered by it (``musicauth token`` on the FileKeyring 3.02x there, 5.89x as installed;
    the window's rows moved by less than their noise: PySide imports pathlib itself). So the
    children run on a venv of their own without pip, whose one ``.pth`` line names this
    interpreter's site-packages (the libraries, the peers), with the checkout on ``PYTHONPATH``
    (``isolated_env``) as before: the same code and libraries, started the way an install starts.
    """
    import atexit
    import shutil
    import sysconfig

    if Path(sys.prefix, _MARK).exists():  # a child on one already (secret_service.py's inside)
        return sys.executable
    folder = Path(tempfile.mkdtemp(prefix="musicauth-bench-python-"))
    atexit.register(shutil.rmtree, folder, ignore_errors=True)
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(folder)], check=True)
    paths = sysconfig.get_paths()
    ask = [str(folder / "bin" / "python"), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"]
    site = Path(subprocess.run(ask, check=True, capture_output=True, text=True).stdout.strip())
    libraries = dict.fromkeys((paths["purelib"], paths["platlib"]))  # one line each, in order
    (site / "libraries-of-the-project-venv.pth").write_text("".join(f"{path}\n" for path in libraries))
    (folder / _MARK).touch()
    return str(folder / "bin" / "python")


PYTHON = _python_as_installed()


@dataclass
class Row:
    """One line of the table. ``ratio`` and ``goal`` are already formatted."""

    figure: str
    ours: str
    floor: str
    ratio: str
    goal: str
    met: bool | None  # None: informational, no goal


def median(values: list[float]) -> float:
    return statistics.median(values)


def isolated_env(base: Path, **extra: str) -> dict[str, str]:
    """An environment whose app state (runtime folder, cache, single-instance socket, test
    keyring) lives under ``base``, so a benchmark never meets the user's running app or keyring.

    The single-instance lock file and local socket live in the temp folder, so a ``TMPDIR`` of
    its own keeps the benchmark's window from bringing a real one to the front.
    """
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("MUSICAUTH_", "PYTHON_KEYRING", "XDG_", "BROWSER"))
    }
    runtime = base / "run"
    runtime.mkdir(parents=True, exist_ok=True, mode=0o700)
    env.update(
        QT_QPA_PLATFORM="offscreen",
        PYTHONPATH=str(ROOT),
        HOME=str(base / "home"),
        XDG_RUNTIME_DIR=str(runtime),
        XDG_CACHE_HOME=str(base / "cache"),
        XDG_CONFIG_HOME=str(base / "config"),
        XDG_DATA_HOME=str(base / "data"),
        TMPDIR=str(base),
        PYTHON_KEYRING_BACKEND=FILE_KEYRING,
        MUSICAUTH_TEST_KEYRING_DIR=str(base / "keyring"),
    )
    env.update(extra)
    return env


def bench_records(
    count: int, *, token_endpoint: str, expires_in: float, provider: str | None = None, spread: float = 10
) -> list[tuple[str, str]]:
    """``count`` client-credentials profiles with a token expiring in about ``expires_in``
    seconds, as (keyring key, JSON value) pairs in the store's own layout, index last."""
    from musicauth_gui.core.model import Profile, ProfileRecord, TokenSet
    from musicauth_gui.core.secret import Secret

    now = time.time()
    providers = (provider,) if provider else ("musixmatch", "spotify", "soundcloud", "groove")
    entries = []
    names = []
    for i in range(count):
        name = f"bench-{i:04d}"
        record = ProfileRecord(
            profile=Profile(
                name=name,
                provider=providers[i % len(providers)],
                flow="client_credentials",
                client_id="bench-client",
                token_endpoint=token_endpoint,
            ),
            client_secret=Secret("bench-secret"),
            # Spread the expiries a little so the countdowns differ, as they would for real.
            token=TokenSet(
                access_token=Secret(f"token-{i:04d}-" + "x" * 40),
                # At least an hour-long lifetime: with ``expires_in`` under its renewal margin
                # (6 min for an hour) the token is due at once.
                issued_at=now + min(0.0, expires_in - 3600),
                expires_at=now + expires_in + spread * (i % 10) / 10,
            ),
        )
        entries.append((f"profile/{name}", json.dumps(record.to_json(), separators=(",", ":"))))
        names.append(name)
    entries.append(("index", json.dumps({"v": 1, "profiles": names, "keys": []}, separators=(",", ":"))))
    return entries


def fill_file_keyring(folder: Path, count: int, *, token_endpoint: str, expires_in: float = 30 * 86400) -> None:
    """Write ``count`` profiles with a valid token into the test FileKeyring in ``folder``.

    The token endpoint may be unreachable: the tokens stay valid for ``expires_in`` seconds, so
    nothing is fetched while a benchmark runs.
    """
    from tests.support.file_keyring import FileKeyring

    saved = os.environ.get("MUSICAUTH_TEST_KEYRING_DIR")
    os.environ["MUSICAUTH_TEST_KEYRING_DIR"] = str(folder)
    try:
        backend = FileKeyring()
        for key, value in bench_records(count, token_endpoint=token_endpoint, expires_in=expires_in):
            backend.set_password("musicauth", key, value)
    finally:
        if saved is None:
            os.environ.pop("MUSICAUTH_TEST_KEYRING_DIR", None)
        else:
            os.environ["MUSICAUTH_TEST_KEYRING_DIR"] = saved


def run_until_lines(
    cmd: list[str], env: dict[str, str], want: tuple[str, ...], timeout: float = 60
) -> tuple[dict[str, float], float, float, subprocess.Popen[str]]:
    """Spawn ``cmd``; read stdout until a line starting with each word of ``want`` arrived.

    Returns: ({word: monotonic time printed by the child}, spawn time, parent-observed time of
    the last line, the process (still running or exiting)).
    """
    err_file = tempfile.TemporaryFile(mode="w+")  # a file, not a pipe: a chatty child never blocks
    t0 = time.monotonic()
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=err_file, text=True, cwd=str(ROOT))
    seen: dict[str, float] = {}
    watchdog = threading.Timer(timeout, proc.kill)  # a silent, hung child ends the readline below
    watchdog.start()
    assert proc.stdout is not None
    try:
        while set(want) - set(seen):
            line = proc.stdout.readline()
            if not line:
                proc.wait()
                err_file.seek(0)
                err = err_file.read()
                raise RuntimeError(f"{cmd} ended (or timed out) before {set(want) - set(seen)}: {err[-2000:]}")
            word, _, value = line.strip().partition(" ")
            if word in want:
                seen[word] = float(value)
    finally:
        watchdog.cancel()
        err_file.close()
    return seen, t0, time.monotonic(), proc


def wait_rusage(proc: subprocess.Popen[str], timeout: float = 30) -> float:
    """Reap ``proc`` and return its own peak RSS in MB (``wait4``: this child only)."""
    deadline = time.monotonic() + timeout
    while True:
        pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
        if pid:
            proc.returncode = os.waitstatus_to_exitcode(status)
            if proc.stdout is not None:
                proc.stdout.close()
            return usage.ru_maxrss / 1024
        if time.monotonic() > deadline:
            proc.kill()
        time.sleep(0.005)


def temp_base(prefix: str) -> tempfile.TemporaryDirectory[str]:
    return tempfile.TemporaryDirectory(prefix=f"musicauth-bench-{prefix}-")
