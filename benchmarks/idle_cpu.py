"""CPU used by the desktop app at idle with 1,000 profiles showing live countdowns.

The real app (``python -m musicauth_gui`` with ``MUSICAUTH_BENCH=stay``, offscreen) over the test
FileKeyring holding 1,000 profiles whose tokens have about 23 hours left (the countdowns show
seconds, as for Groove's 24-hour tokens, and none is due for renewal), so nothing renews: what
runs is the 1 s countdown tick repainting the visible rows, the 2 s poll of the change stamps,
and a thousand sleeping renewal tasks. Once it reports ``ready`` and has settled, the CPU time
of all its threads (``/proc/PID/task/*/schedstat``, nanoseconds) is read at the start and end of
a 10 s window.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

from .common import PYTHON, Row, fill_file_keyring, isolated_env, run_until_lines, temp_base, wait_rusage

PROFILES = 1000
WINDOW = 10.0
SETTLE = 2.0
GOAL_PERCENT = 1.0


def _cpu_seconds(pid: int) -> float:
    total = 0
    for task in os.listdir(f"/proc/{pid}/task"):
        try:
            with open(f"/proc/{pid}/task/{task}/schedstat") as fh:
                total += int(fh.read().split()[0])
        except (FileNotFoundError, ProcessLookupError):
            pass  # a thread that just ended
    return total / 1e9


def measure() -> tuple[list[Row], dict[str, object]]:
    with temp_base("idle") as d:
        base = Path(d)
        env = isolated_env(base, MUSICAUTH_BENCH="stay")
        fill_file_keyring(
            Path(env["MUSICAUTH_TEST_KEYRING_DIR"]), PROFILES, token_endpoint="http://127.0.0.1:9/token", expires_in=23 * 3600
        )
        seen, t0, _, proc = run_until_lines([PYTHON, "-m", "musicauth_gui"], env, ("first-paint", "ready"), timeout=120)
        try:
            time.sleep(SETTLE)
            cpu0, wall0 = _cpu_seconds(proc.pid), time.monotonic()
            time.sleep(WINDOW)
            cpu1, wall1 = _cpu_seconds(proc.pid), time.monotonic()
            threads = len(os.listdir(f"/proc/{proc.pid}/task"))
        finally:
            proc.terminate()
            wait_rusage(proc)
    percent = (cpu1 - cpu0) / (wall1 - wall0) * 100
    row = Row(
        f"CPU at idle, {PROFILES:,} profiles with live countdowns, over {WINDOW:.0f} s",
        f"{percent:.2f} % of one core",
        "none",
        "-",
        f"< {GOAL_PERCENT:g} %",
        percent < GOAL_PERCENT,
    )
    raw = {"cpu_seconds": cpu1 - cpu0, "wall": wall1 - wall0, "threads": threads, "ready_after": seen["ready"] - t0}
    return [row], raw


if __name__ == "__main__":
    rows, raw = measure()
    print(rows[0], raw)
