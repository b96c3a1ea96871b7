"""``musicauth token`` has a lean path (cli.py ``_lean_token``, core/lean_token.py): with a valid
stored token it prints it after one keyring read, without importing the engine. It must say
exactly what the engine's path says: the same stdout, stderr and exit code, for a valid token,
a token due for renewal, and every way the read can fail.

Each case runs the real command line twice in subprocesses: as shipped, and with the lean path
switched off (the engine's path alone); the first run also reports which heavy modules it
imported.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.core.conftest import CLIENT_ID, CLIENT_SECRET, profiles_file
from tests.support.cli import browser_env, musicauth
from tests.support.file_keyring import FileKeyring

#: What the lean path must never import: the engine and what it stands on.
HEAVY = ("asyncio", "httpx", "jwt", "cryptography", "filelock", "musicauth_gui.core.engine")
AS_SHIPPED = (
    "import atexit, os, sys\n"
    f"heavy = {HEAVY!r}\n"
    "def report():\n"
    "    with open(os.environ['LOADED_REPORT'], 'w') as fh:\n"
    "        fh.write(' '.join(sorted(m for m in heavy if m in sys.modules)))\n"
    "atexit.register(report)\n"
    "from musicauth_gui.cli import main\n"
    "sys.exit(main())\n"
)
ENGINE_ONLY = "import sys\nimport musicauth_gui.cli as cli\ncli._lean_token = lambda args: None\nsys.exit(cli.main())\n"


def run(code: str, *args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", code, *args],
        env={**os.environ, **(env or {})},
        capture_output=True,
        text=True,
        timeout=60,
        stdin=subprocess.DEVNULL,
    )


def both(tmp_path: Path, *args: str, env: dict[str, str] | None = None) -> tuple[subprocess.CompletedProcess[str], str]:
    """Run ``musicauth ARGS`` as shipped, then with the engine alone; assert they say the same.

    Returns: the shipped run, and the heavy modules it imported (space-separated).
    """
    report = tmp_path / "loaded.txt"
    shipped = run(AS_SHIPPED, *args, env={**(env or {}), "LOADED_REPORT": str(report)})
    engine = run(ENGINE_ONLY, *args, env=env)
    assert (shipped.returncode, shipped.stderr) == (engine.returncode, engine.stderr)
    if "--format" in args and args[args.index("--format") + 1] == "json" and shipped.returncode == 0:
        lean_json, engine_json = json.loads(shipped.stdout), json.loads(engine.stdout)
        # Counted down from each run's own "now": a second may pass between the two runs.
        assert abs(lean_json.pop("expires_in") - engine_json.pop("expires_in")) <= 1
        assert lean_json == engine_json
    else:
        assert shipped.stdout == engine.stdout
    return shipped, report.read_text()


def import_profiles(tmp_path: Path, text: str) -> None:
    result = musicauth("profile", "import", str(profiles_file(tmp_path, text)))
    assert result.returncode == 0, result.stderr


def mxm_profiles(mxm) -> str:  # type: ignore[no-untyped-def]
    return f"""
[profiles.app]
provider = "musixmatch"
flow = "client_credentials"
client_id = "{CLIENT_ID}"
client_secret = "{CLIENT_SECRET}"
token_endpoint = "{mxm.url('/oauth/token')}"

[profiles.user]
provider = "musixmatch"
flow = "authorization_code"
client_id = "{CLIENT_ID}"
client_secret = "{CLIENT_SECRET}"
authorization_endpoint = "{mxm.url('/oauth/authorize')}"
token_endpoint = "{mxm.url('/oauth/token')}"

[profiles.key]
provider = "apikey"
flow = "static"
token = "static-key-value"
placement = "query"
query_param = "apikey"
"""


@pytest.mark.parametrize("fmt", ["raw", "header", "json", "curl"])
def test_a_valid_token_prints_the_same_without_the_engine_and_after_one_keyring_read(tmp_path, mxm, fmt) -> None:  # type: ignore[no-untyped-def]
    import_profiles(tmp_path, mxm_profiles(mxm))
    first = musicauth("token", "app")
    assert first.returncode == 0, first.stderr
    counter = tmp_path / "calls.txt"

    shipped, heavy = both(tmp_path, "token", "app", "--format", fmt, env={"MUSICAUTH_TEST_KEYRING_COUNT": str(counter)})

    assert shipped.returncode == 0 and first.stdout.strip() in shipped.stdout
    assert heavy == ""
    # The shipped run's one read, then the engine's: its load reads the record once too.
    assert counter.read_text().split() == ["get", "get"]
    assert mxm.issued_count("client_credentials") == 1


def test_a_static_key_and_a_scheme_the_provider_does_not_take(tmp_path, mxm) -> None:  # type: ignore[no-untyped-def]
    import_profiles(tmp_path, mxm_profiles(mxm))
    for args in (("token", "key", "--format", "curl"), ("token", "key", "--format", "header"), ("token", "key", "--scheme", "basic")):
        shipped, heavy = both(tmp_path, *args)
        assert heavy == "", args
    assert shipped.returncode == 1 and "MusicAPI" in shipped.stderr


def test_a_token_due_for_renewal_is_renewed_by_the_engine(tmp_path, mxm) -> None:  # type: ignore[no-untyped-def]
    import_profiles(tmp_path, mxm_profiles(mxm))
    mxm.answer_next_token_with({"expires_in": 2})  # renewed half-way through its life (renewal.py)
    login = musicauth("login", "user", env=browser_env())
    assert login.returncode == 0, login.stderr
    time.sleep(1.5)

    shipped, heavy = both(tmp_path, "token", "user")

    assert shipped.returncode == 0
    assert mxm.issued_count("refresh_token") == 1  # the shipped run renewed; the engine's reused it
    assert "musicauth_gui.core.engine" in heavy.split()


@pytest.mark.parametrize(
    ("case", "env", "exit_code"),
    [
        ("missing profile", {}, 1),
        ("damaged entry", {}, 1),
        ("locked keyring", {"MUSICAUTH_TEST_KEYRING_LOCKED": "1"}, 1),
        ("failing keyring", {"MUSICAUTH_TEST_KEYRING_FAIL": "get"}, 1),
        ("no keyring", {"PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring"}, 1),
        ("unknown store", {"MUSICAUTH_STORE": "cloud"}, 1),
        ("profiles file without the memory store", {"MUSICAUTH_PROFILES": "profiles.toml"}, 1),
    ],
)
def test_every_failure_reads_the_same(tmp_path, mxm, case, env, exit_code) -> None:  # type: ignore[no-untyped-def]
    import_profiles(tmp_path, mxm_profiles(mxm))
    assert musicauth("token", "app").returncode == 0
    FileKeyring().set_password("musicauth", "profile/bad", "{not json")
    name = {"missing profile": "nope", "damaged entry": "bad"}.get(case, "app")

    shipped, _ = both(tmp_path, "token", name, env=env)

    assert shipped.returncode == exit_code
    lines = shipped.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("musicauth: "), shipped.stderr
    assert shipped.stdout == ""


def test_the_vault_file_and_the_memory_store_go_through_the_engine(tmp_path, mxm) -> None:  # type: ignore[no-untyped-def]
    profiles = profiles_file(tmp_path, mxm_profiles(mxm))
    report = tmp_path / "loaded.txt"
    memory = {"MUSICAUTH_STORE": "memory", "MUSICAUTH_PROFILES": str(profiles), "LOADED_REPORT": str(report)}
    # A store that lives as long as the command: each run fetches its own token.
    shipped = run(AS_SHIPPED, "token", "app", env=memory)
    assert shipped.returncode == 0 and "musicauth_gui.core.engine" in report.read_text().split()
    vault = {"MUSICAUTH_STORE": "file", "MUSICAUTH_STORE_FILE": str(tmp_path / "vault"), "MUSICAUTH_PASSPHRASE": "pass phrase"}
    assert musicauth("profile", "import", str(profiles), env=vault).returncode == 0
    shipped, heavy = both(tmp_path, "token", "app", env=vault)
    assert shipped.returncode == 0 and "musicauth_gui.core.engine" in heavy.split()
