"""Keyring round trips of one ``musicauth token NAME`` while the stored token is still valid.

The real command line in a subprocess, over the test FileKeyring (``PYTHON_KEYRING_BACKEND``),
which appends one line per backend call to ``$MUSICAUTH_TEST_KEYRING_COUNT``. The profile is
imported with ``musicauth profile import`` and a first ``musicauth token`` fetches and stores a
token from the Musixmatch emulator (client credentials); the second one is the one counted.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

from .common import PYTHON, ROOT, Row, isolated_env, temp_base

GOAL = 2


def _cli(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(
        [PYTHON, "-m", "musicauth_gui.cli", *args], env=env, cwd=str(ROOT), capture_output=True, text=True, timeout=60
    )
    if result.returncode != 0:
        raise RuntimeError(f"musicauth {' '.join(args)} failed: {result.stderr[-1000:]}")
    return result


def measure() -> tuple[list[Row], dict[str, object]]:
    from musicauth_gui.sandbox import MusixmatchServer

    with temp_base("keyring") as d, MusixmatchServer() as server:
        base = Path(d)
        server.register_client("bench-client", "bench-secret")
        counter = base / "calls.txt"
        env = isolated_env(base, MUSICAUTH_TEST_KEYRING_COUNT=str(counter))
        profiles = base / "profiles.toml"
        profiles.write_text(
            f"""
[profiles.mxm]
provider = "musixmatch"
flow = "client_credentials"
client_id = "bench-client"
client_secret = "bench-secret"
token_endpoint = "{server.url('/oauth/token')}"
"""
        )
        _cli(env, "profile", "import", str(profiles))
        first = _cli(env, "token", "mxm").stdout.strip()
        issued = server.issued_count("client_credentials")
        counter.write_text("")
        second = _cli(env, "token", "mxm").stdout.strip()
        calls = counter.read_text().split()
        reused = second == first and server.issued_count("client_credentials") == issued
    row = Row(
        "Keyring calls for one `musicauth token NAME` while the token is valid (FileKeyring backend, counted)",
        f"{len(calls)} ({', '.join(calls) or 'none'})" + ("" if reused else "; TOKEN NOT REUSED"),
        "none",
        "-",
        f"≤ {GOAL}",
        reused and len(calls) <= GOAL,
    )
    return [row], {"calls": calls, "reused": reused}


if __name__ == "__main__":
    rows, raw = measure()
    print(rows[0], raw)
