"""One store, several processes: what the CLI does shows up in the open window."""

from __future__ import annotations

import pytest

from musicauth_gui.core.engine import TokenEngine
from musicauth_gui.core.store.profile_store import ProfileStore
from musicauth_gui.core.store.vault import KeyringVault
from musicauth_gui.gui.context import AppContext
from musicauth_gui.gui.main_window import MainWindow
from musicauth_gui.sandbox import MusixmatchServer
from tests.gui.conftest import run
from tests.support.cli import musicauth
from tests.support.file_keyring import FileKeyring


@pytest.fixture
def mxm():  # type: ignore[no-untyped-def]
    with MusixmatchServer() as server:
        server.register_client("cid", "csecret")
        yield server


def test_cli_import_and_refresh_appear_without_a_restart(qtbot, qloop, tmp_path, mxm) -> None:  # type: ignore[no-untyped-def]
    engine = TokenEngine(ProfileStore(KeyringVault(FileKeyring())))
    context = AppContext.for_engine(engine, watch_outside=True, poll_ms=200)
    window = MainWindow()
    qtbot.addWidget(window)
    run(qtbot, qloop, window.attach(context))
    assert window.model.names() == []

    profile = tmp_path / "p.toml"
    profile.write_text(
        f'[profiles.cli]\nprovider = "musixmatch"\nflow = "client_credentials"\nclient_id = "cid"\n'
        f'client_secret = "csecret"\ntoken_endpoint = "{mxm.url("/oauth/token")}"\n'
    )
    assert musicauth("profile", "import", str(profile)).returncode == 0
    qtbot.waitUntil(lambda: window.model.names() == ["cli"], timeout=5000)

    # The window's own scheduler fetched a token; now the CLI forces a new one.
    qtbot.waitUntil(lambda: window.model.record("cli").token is not None, timeout=5000)
    before = window.model.record("cli").token.access_token.reveal()
    assert musicauth("refresh", "cli").returncode == 0
    qtbot.waitUntil(lambda: window.model.record("cli").token.access_token.reveal() != before, timeout=5000)
    assert mxm.issued_count("client_credentials") == 2  # the window reused the CLI's token

    assert musicauth("profile", "remove", "cli").returncode == 0
    qtbot.waitUntil(lambda: window.model.names() == [], timeout=5000)
    window._quitting = True
    run(qtbot, qloop, context.close())
