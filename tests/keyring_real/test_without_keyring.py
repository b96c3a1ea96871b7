"""On a Secret Service desktop, reads need neither keyring nor secretstorage nor cryptography.

``KeyringVault`` reads through the jeepney reader (``secret_service_bulk``) and makes keyring's
backend only when a write, a delete, the unlock prompt or a read the reader leaves to keyring
needs it (benchmarks/README.md, "Start-up"). Each start-up rule here is checked in a fresh
interpreter, as a user starts the command or the app: this suite's own imports cannot mask a
leak.
"""

from __future__ import annotations

import dataclasses
import os
import subprocess
import sys
import time
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from musicauth_gui.core.model import Profile, ProfileRecord, TokenSet
from musicauth_gui.core.secret import Secret
from musicauth_gui.core.store.profile_store import ProfileStore, profile_key
from musicauth_gui.core.store.vault import KeyringVault

pytestmark = pytest.mark.real_keyring

#: What a read on the Secret Service no longer imports.
NOT_FOR_READS = ("keyring", "secretstorage", "cryptography")
#: And what `musicauth token` leaves out besides (benchmarks/README.md, "Start-up"): argparse
#: (plain words are read without it), hashlib (only a write's change stamps need it) and
#: datetime (only a printed time needs it), logging (configured where keyring is first needed),
#: pathlib and urllib.parse (only a vault file's path and a URL need them), threading (the locks
#: are _thread's) and base64 (only Basic authentication needs it), and on Python 3.11 inspect's
#: own imports (a stand-in there: dataclasses reads it for no record, cli.py; from 3.12
#: dataclasses reads it for every class).
NOT_FOR_TOKEN = (
    *NOT_FOR_READS, "argparse", "hashlib", "datetime", "logging", "pathlib", "urllib.parse", "ipaddress",
    "threading", "base64",
    *(("ast", "dis", "tokenize") if sys.version_info < (3, 12) else ()),
)
#: What this venv's editable install imports at every start (its .pth hook), which an installed
#: musicauth never does: forgotten first, so that only the command's own imports count.
EDITABLE_HOOK_IMPORTS = ("pathlib", "urllib.parse", "ipaddress")

REPORT_IMPORTS = (
    "import atexit, os, sys\n"
    f"for name in {EDITABLE_HOOK_IMPORTS!r}:\n"
    "    sys.modules.pop(name, None)\n"
    f"unwanted = {NOT_FOR_TOKEN!r}\n"
    "atexit.register(lambda: open(os.environ['LOADED_REPORT'], 'w').write("
    "' '.join(m for m in unwanted if m in sys.modules) + ' | ' + ' '.join(m for m in ('jeepney',) if m in sys.modules)))\n"
    "from musicauth_gui.cli import main\n"
    "sys.exit(main())\n"
)
# The same command with the jeepney reader answering nothing: every read is keyring's.
KEYRING_ONLY = (
    "import sys\n"
    "from musicauth_gui.core.store import secret_service_bulk as ss\n"
    "def refuse(*args, **kwargs):\n"
    "    raise ss.BulkReadUnavailable('switched off by the test')\n"
    "ss.SecretServiceReader.entry = refuse\n"
    "ss.SecretServiceReader.entries = refuse\n"
    "from musicauth_gui.cli import main\n"
    "sys.exit(main())\n"
)


def valid(name: str) -> ProfileRecord:
    now = time.time()
    return ProfileRecord(
        profile=Profile(
            name=name, provider="musixmatch", flow="client_credentials", client_id="cid", token_endpoint="http://127.0.0.1:9/token"
        ),
        client_secret=Secret("secret"),
        token=TokenSet(access_token=Secret(f"token-{name}"), issued_at=now, expires_at=now + 30 * 86400),
    )


@pytest.fixture
async def stored(secret_service) -> AsyncIterator[list[str]]:  # type: ignore[no-untyped-def]
    """Three profiles with valid tokens in the Secret Service, written through keyring."""
    names = [f"nokr-{os.getpid()}-{time.time_ns()}-{i}" for i in range(3)]
    writer = ProfileStore(KeyringVault(secret_service))
    for name in names:
        await writer.save(valid(name))
    yield names
    for name in names:
        await writer.delete(name)
    writer.close()


def desktop_env(**extra: str) -> dict[str, str]:
    """The environment of a desktop session: no PYTHON_KEYRING_BACKEND (the fixture removed it)."""
    assert "PYTHON_KEYRING_BACKEND" not in os.environ
    return {**os.environ, "XDG_CURRENT_DESKTOP": "GNOME", **extra}


def test_token_reads_without_keyring_and_prints_what_keyring_reads_print(stored: list[str], tmp_path: Path) -> None:
    report = tmp_path / "loaded"
    cases = [
        [stored[0], "--format", "header"],
        [stored[1]],
        [f"{stored[0]}-not-there"],  # ProfileNotFound: the same message and exit code
    ]
    for args in cases:
        env = desktop_env(LOADED_REPORT=str(report))
        ours = subprocess.run([sys.executable, "-c", REPORT_IMPORTS, "token", *args], env=env, capture_output=True, text=True, timeout=60)
        unwanted, _, wanted = report.read_text().partition(" | ")
        assert unwanted.split() == [], args
        assert wanted.split() == ["jeepney"], args  # it cannot pass by reading nothing
        theirs = subprocess.run([sys.executable, "-c", KEYRING_ONLY, "token", *args], env=env, capture_output=True, text=True, timeout=60)
        assert (ours.returncode, ours.stdout, ours.stderr) == (theirs.returncode, theirs.stdout, theirs.stderr), args
    assert ours.returncode != 0 and stored[0] in ours.stderr


APP = """
import sys
from musicauth_gui.gui.app import main
status = main(["--no-tray"])
print("modules", " ".join(sorted(sys.modules)))
sys.exit(status)
"""


def test_the_window_is_listed_without_keyring(stored: list[str], tmp_path: Path) -> None:
    """The app until "ready" (listed, auto-renew running), then quit: what it imported by then.

    A module stays in sys.modules once imported, so what is absent after the quit was absent at
    ready."""
    env = desktop_env(TMPDIR=str(tmp_path), MUSICAUTH_BENCH="quit", QT_QPA_PLATFORM="offscreen")
    result = subprocess.run([sys.executable, "-c", APP], env=env, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    lines = dict(line.partition(" ")[::2] for line in result.stdout.splitlines())
    assert "ready" in lines, result.stdout
    modules = set(lines["modules"].split())
    # It cannot pass by listing nothing: the engine, the scheduler and the reader are there.
    reader = "musicauth_gui.core.store.secret_service_bulk"
    assert {"musicauth_gui.core.engine", "musicauth_gui.core.scheduler", reader, "jeepney"} <= modules
    assert sorted(m for m in modules if m.split(".")[0] in NOT_FOR_READS) == []


async def test_a_write_after_the_listing_lands_in_the_secret_service_without_keyring(
    stored: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """As a renewal after start: the listing reads through jeepney, the write goes through
    jeepney too (``secret_service_write``), keyring's backend is still not made, and the value is
    in the Secret Service for keyring to read."""
    import keyring.core

    monkeypatch.setattr(keyring.core, "_keyring_backend", None)  # nothing chosen yet, as in a fresh app
    vault = KeyringVault()
    assert vault._backend is None, "keyring's backend was made before it was needed"
    store = ProfileStore(vault)
    try:
        listing = await store.scan()
        assert set(stored) <= {r.name for r in listing.records}
        assert vault._backend is None, "the listing made keyring's backend"
        renewed = Secret("renewed-token")

        def renew(record: ProfileRecord) -> ProfileRecord:
            assert record.token is not None
            return dataclasses.replace(record, token=dataclasses.replace(record.token, access_token=renewed))

        await store.update(stored[0], renew)
        assert vault._backend is None, "the write made keyring's backend"
        assert vault.backend_name == "keyring.backends.SecretService.Keyring"
    finally:
        store.close()
    from keyring.backends import SecretService

    raw = SecretService.Keyring().get_password("musicauth", profile_key(stored[0]))  # type: ignore[no-untyped-call]
    assert raw is not None and "renewed-token" in raw
