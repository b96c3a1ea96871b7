"""The detail pane for keys and tokens that never expire (a static key, a Last.fm session key, a
Discogs OAuth 1.0a token): the words "never expires", no empty life bar, no "Issued: —" row;
an Apple Music user token (expiry unknown, not absent) keeps showing its age."""

from __future__ import annotations

from PySide6.QtCore import Qt

from musicauth_gui.gui.detail_pane import NEVER_EXPIRES, NEVER_EXPIRES_KEY, NEVER_EXPIRES_SIGNED_IN
from musicauth_gui.gui.profile_model import Role
from tests.gui.test_discogs_sign_in import approve_in_browser
from tests.gui.test_main_window import get_token, select, stand_in_browser


def issued_row_shown(detail) -> bool:  # type: ignore[no-untyped-def]
    return detail._times_form.isRowVisible(detail.issued_label)


def test_a_static_key_says_it_never_expires(qtbot, window) -> None:  # type: ignore[no-untyped-def]
    detail = window.detail
    select(qtbot, window, "API key (header)")
    assert detail.countdown.text() == NEVER_EXPIRES and detail.expires_label.text() == NEVER_EXPIRES_KEY
    assert not detail.expiry_bar.isVisible() and not issued_row_shown(detail)
    assert get_token(qtbot, window, "API key (header)")  # the key shown changes none of it
    assert detail.countdown.text() == NEVER_EXPIRES and not detail.expiry_bar.isVisible() and not issued_row_shown(detail)
    # Another profile with an expiry brings the bar and the row back.
    get_token(qtbot, window, "SoundCloud app")
    assert detail.expiry_bar.isVisible() and issued_row_shown(detail) and detail.countdown.text() != NEVER_EXPIRES


def test_a_lastfm_session_key_never_expires(qtbot, window) -> None:  # type: ignore[no-untyped-def]
    detail = window.detail
    select(qtbot, window, "Last.fm")
    assert detail.countdown.text() == "" and detail.expires_label.text() == "—"  # not signed in yet
    assert not detail.expiry_bar.isVisible() and not issued_row_shown(detail)
    detail.open_browser = stand_in_browser
    qtbot.mouseClick(detail.sign_in_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: detail.countdown.text() == NEVER_EXPIRES, timeout=15000)
    assert detail.expires_label.text() == NEVER_EXPIRES_SIGNED_IN and not detail.expiry_bar.isVisible()
    assert issued_row_shown(detail) and detail.issued_label.text() != "—"  # when it was signed in
    assert detail.sign_in_button.text() == "&Sign in"  # not "again": nothing ran out


def test_a_discogs_token_never_expires(qtbot, window) -> None:  # type: ignore[no-untyped-def]
    detail = window.detail
    select(qtbot, window, "Discogs")
    detail.open_browser = approve_in_browser
    qtbot.mouseClick(detail.sign_in_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: window.model.record("Discogs").token is not None, timeout=15000)
    qtbot.waitUntil(lambda: detail.countdown.text() == NEVER_EXPIRES, timeout=5000)
    assert detail.expires_label.text() == NEVER_EXPIRES_SIGNED_IN and not detail.expiry_bar.isVisible()
    # The list agrees: no age of a token that cannot run out.
    row = window.model.index(window.model.row_of("Discogs"))
    assert row.data(Role.COUNTDOWN) == "no expiry" and row.data(Role.STATE) == "valid"
