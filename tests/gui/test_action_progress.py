"""Issue 12 items 2, 4 and 8 against the demo world (real emulators on 127.0.0.1, made slow with
``fail_next(path, "slow:N")``): every action shows it is running in the row and the pane and can
be cancelled where that is safe; a renewal that will be retried says when, keeps the token usable
and notifies once per problem; state that no longer holds is cleared."""

from __future__ import annotations

import dataclasses
import re

from PySide6.QtCore import Qt

from musicauth_gui.core.errors import Action, ProviderRejected, ProviderUnreachable, StoreError
from musicauth_gui.core.model import ProfileStatus
from musicauth_gui.gui.main_window import MainWindow
from musicauth_gui.gui.profile_model import Role
from musicauth_gui.gui.running_actions import Stop
from musicauth_gui.gui.tray import TrayIcon
from tests.gui.conftest import run
from tests.gui.test_main_window import get_token, select, stand_in_browser

#: Longer than any test waits: the emulators release a slow answer at once when they stop.
SLOW = "slow:25"


def row(window: MainWindow, name: str):  # type: ignore[no-untyped-def]
    return window.model.index(window.model.row_of(name))


def click(qtbot, button) -> None:  # type: ignore[no-untyped-def]
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


def test_a_slow_try_it_shows_running_everywhere_and_cancel_ends_it(qtbot, window) -> None:  # type: ignore[no-untyped-def]
    get_token(qtbot, window, "SoundCloud app")
    server = window.context.demo.sandbox.soundcloud
    server.fail_next("/me", SLOW)
    detail, actions = window.detail, window.profile_actions
    click(qtbot, detail.try_button)
    qtbot.waitUntil(lambda: detail.progress_banner.isVisible(), timeout=5000)
    # The pane: a progress line with what runs, a busy badge; the row says the same.
    assert detail.progress_text.text() == "Trying it…"
    assert detail.badge.text() == "trying it…" and detail.badge.property("state") == "renewing"
    assert row(window, "SoundCloud app").data(Role.RUNNING) == "trying it…"
    assert row(window, "SoundCloud app").data(Role.PAINT).badge == "trying it…"
    assert "trying it…" in row(window, "SoundCloud app").data(Qt.ItemDataRole.ToolTipRole)
    # What would start it twice is greyed out, through the actions' rules; the rest still works.
    assert not actions.try_it.isEnabled() and not detail.try_button.isEnabled()
    assert actions.copy_token.isEnabled() and actions.renew.isEnabled()
    assert actions.cancel_running.isVisible() and detail.cancel_running_button.isEnabled()
    # Nothing is spent by a Try it: its Cancel cancels.
    assert window.running.entries("SoundCloud app")[0].stop is Stop.CANCEL

    click(qtbot, detail.cancel_running_button)
    qtbot.waitUntil(lambda: detail.progress_banner.isHidden(), timeout=5000)
    assert window.running.entries("SoundCloud app") == []
    assert actions.try_it.isEnabled() and detail.try_button.isEnabled()
    assert not actions.cancel_running.isVisible() and detail.cancel_running_button.isHidden()
    assert row(window, "SoundCloud app").data(Role.RUNNING) is None
    assert row(window, "SoundCloud app").data(Role.STATE) == "valid" and detail.badge.text() == "valid"
    assert detail.answer_view.toPlainText() == ""  # cancelled: no answer
    assert window.statusBar().currentMessage() == "SoundCloud app: cancelled"


def test_a_slow_client_credentials_renewal_is_renewing_and_can_be_cancelled(qtbot, window) -> None:  # type: ignore[no-untyped-def]
    old = get_token(qtbot, window, "Musixmatch app")
    server = window.context.demo.sandbox.musixmatch
    server.fail_next("/oauth/token", SLOW)
    detail, actions = window.detail, window.profile_actions
    click(qtbot, detail.renew_button)
    qtbot.waitUntil(lambda: row(window, "Musixmatch app").data(Role.STATE) == "renewing", timeout=5000)
    assert row(window, "Musixmatch app").data(Role.RUNNING) == "renewing…"
    assert detail.progress_text.text() == "Renewing…" and detail.badge.text() == "renewing…"
    assert not actions.renew.isEnabled() and not actions.get_token.isEnabled() and not actions.sign_out.isEnabled()
    assert actions.cancel_running.isEnabled()  # no refresh token is spent: nothing is lost
    click(qtbot, detail.cancel_running_button)
    qtbot.waitUntil(lambda: actions.renew.isEnabled(), timeout=5000)
    assert row(window, "Musixmatch app").data(Role.STATE) == "valid"
    assert detail.progress_banner.isHidden() and detail.token_field.text() == old


def test_a_renewal_spending_a_refresh_token_is_stored_though_cancelled(qtbot, window) -> None:  # type: ignore[no-untyped-def]
    select(qtbot, window, "Musixmatch")
    window.detail.open_browser = stand_in_browser
    click(qtbot, window.detail.sign_in_button)
    qtbot.waitUntil(lambda: window.model.record("Musixmatch").token is not None, timeout=15000)
    qtbot.waitUntil(lambda: window.running.entries("Musixmatch") == [], timeout=5000)
    signed_in = window.model.record("Musixmatch").token
    server = window.context.demo.sandbox.musixmatch
    asked = len(server.requests)
    server.fail_next("/oauth/token", "slow:2")
    detail, actions = window.detail, window.profile_actions
    click(qtbot, detail.renew_button)
    # Cancelled once the refresh token went out: past the point where it can be dropped.
    qtbot.waitUntil(lambda: any(r.path == "/oauth/token" for r in server.requests[asked:]), timeout=5000)
    assert window.running.entries("Musixmatch")[0].stop is Stop.STOP_WAITING and actions.cancel_running.isEnabled()
    click(qtbot, detail.cancel_running_button)
    assert detail.progress_text.text() == "Finishing the renewal (its new refresh token must be stored)…"
    assert not detail.cancel_running_button.isEnabled() and not actions.renew.isEnabled()
    assert "no longer waiting" in window.statusBar().currentMessage()
    qtbot.waitUntil(lambda: window.running.entries("Musixmatch") == [], timeout=10000)
    renewed = window.context.engine.record("Musixmatch").token
    assert renewed.issued_at > signed_in.issued_at  # the renewal's answer was stored
    assert server.is_access_token_active(renewed.access_token.reveal())
    qtbot.waitUntil(lambda: actions.renew.isEnabled() and detail.progress_banner.isHidden(), timeout=5000)


def test_retrying_says_when_keeps_the_token_usable_and_notifies_once(qtbot, qloop, window) -> None:  # type: ignore[no-untyped-def]
    get_token(qtbot, window, "SoundCloud app")
    tray = TrayIcon(show_window=window.bring_to_front, copy_token=window._copy_token_of, quit_app=window.quit, parent=window)
    notified: list[tuple[str, str]] = []
    tray.notify = lambda title, message, warning=False: notified.append((title, message)) or True  # type: ignore[method-assign]
    window.tray = tray
    bridge = window.context.bridge
    for retry_in in (5.0, 20.0, 40.0):
        bridge.renewal_failed.emit("SoundCloud app", ProviderUnreachable("the provider is down"), retry_in)
    assert len(notified) == 1 and "The token still works; retrying at " in notified[0][1]
    index = row(window, "SoundCloud app")
    assert index.data(Role.STATE) == "retrying"
    at = re.fullmatch(r"retrying at (\d\d:\d\d:\d\d)", index.data(Role.PAINT).badge)
    assert at is not None
    detail = window.detail
    assert detail.badge.text() == f"retrying at {at[1]}" and detail.badge.property("state") != "error"
    assert detail.error_line.property("kind") == "warning"
    assert detail.error_label.text().endswith(f"The token still works; retrying at {at[1]}.")
    assert window.profile_actions.copy_token.isEnabled() and re.fullmatch(r"\d+m \d\ds", detail.countdown.text())
    assert f"retrying at {at[1]}" in window.statusBar().currentMessage()
    assert re.fullmatch(rf"SoundCloud app — retrying at {at[1]}, \d+m \d\ds left", tray_text(tray, "SoundCloud app"))

    # Another problem is news; so is the token running out while the retries go on.
    bridge.renewal_failed.emit("SoundCloud app", StoreError("the keyring is locked"), 80.0)
    assert len(notified) == 2
    engine = window.context.engine
    expired_at = engine.clock.now() - 1

    def expire(record):  # type: ignore[no-untyped-def]
        return dataclasses.replace(record, token=dataclasses.replace(record.token, expires_at=expired_at))

    run(qtbot, qloop, engine.store.update("SoundCloud app", expire))
    window.model.upsert(engine.record("SoundCloud app"))  # as a reload would, keeping the failure
    bridge.renewal_failed.emit("SoundCloud app", StoreError("the keyring is locked"), 160.0)
    assert len(notified) == 3 and "no working token" in notified[2][0]
    assert row(window, "SoundCloud app").data(Role.STATE) == "error"  # no token left to use: now it is one
    bridge.renewal_failed.emit("SoundCloud app", StoreError("the keyring is locked"), 300.0)
    assert len(notified) == 3

    # The notifications preference is honoured.
    window.preferences.notifications = False
    bridge.renewal_failed.emit("SoundCloud app", ProviderUnreachable("the provider is down"), 300.0)
    assert len(notified) == 3


def test_a_retrying_renewal_says_retry_once_in_the_status_bar(qtbot, qloop, window) -> None:  # type: ignore[no-untyped-def]
    get_token(qtbot, window, "SoundCloud app")
    # A 5xx answer: its action is Retry ("Retry later"), which the scheduler does by itself.
    trouble = ProviderRejected("token request: 127.0.0.1 had a server error (503)", status=503, actions=(Action.RETRY,))
    bridge = window.context.bridge
    bridge.renewal_failed.emit("SoundCloud app", trouble, 30.0)
    status = window.statusBar().currentMessage()
    said = r"SoundCloud app: token request: 127\.0\.0\.1 had a server error \(503\); retrying at \d\d:\d\d:\d\d"
    assert re.fullmatch(said, status), status
    # Not retried by the app (no next attempt): then the Retry is the user's, and is said.
    bridge.renewal_failed.emit("SoundCloud app", trouble, -1.0)
    assert window.statusBar().currentMessage() == "SoundCloud app: token request: 127.0.0.1 had a server error (503) — Retry later"


def tray_text(tray: TrayIcon, name: str) -> str:
    return next(a.text() for a in tray.copy_actions() if a.data() == name)


def test_a_revoked_grant_shows_no_refresh_expiry_countdown_or_copies(qtbot, qloop, window) -> None:  # type: ignore[no-untyped-def]
    engine = window.context.engine
    get_token(qtbot, window, "SoundCloud app")

    def revoked(record):  # type: ignore[no-untyped-def]
        now = engine.clock.now()
        token = dataclasses.replace(record.token, refresh_token=record.token.access_token, refresh_expires_at=now + 86400)
        return dataclasses.replace(record, token=token, status=ProfileStatus(needs_sign_in=True, reason="the grant was revoked"))

    run(qtbot, qloop, engine.store.update("SoundCloud app", revoked))
    window._on_profile_changed("SoundCloud app")
    detail = window.detail
    assert detail.badge.text() == "needs sign-in"
    assert detail.refresh_label.isHidden() and detail.refresh_row_label.isHidden()
    assert detail.countdown.text() == "" and detail.expiry_bar.value() == 0
    qtbot.wait(1100)  # a countdown tick must not bring it back
    assert detail.countdown.text() == ""
    assert row(window, "SoundCloud app").data(Role.COUNTDOWN) == "" and row(window, "SoundCloud app").data(Role.FRACTION_LEFT) is None
    assert not detail.copy_token_button.isEnabled() and not window.profile_actions.copy_header.isEnabled()


def test_the_provider_answer_goes_with_its_token_and_old_errors_with_a_new_action(qtbot, window) -> None:  # type: ignore[no-untyped-def]
    old = get_token(qtbot, window, "SoundCloud app")
    detail = window.detail
    click(qtbot, detail.try_button)
    qtbot.waitUntil(lambda: detail.answer_view.toPlainText() != "", timeout=10000)
    click(qtbot, detail.renew_button)
    qtbot.waitUntil(lambda: detail.token_field.text() not in ("", old), timeout=10000)
    assert detail.answer_view.toPlainText() == ""  # it was the old token's answer

    click(qtbot, detail.try_button)
    qtbot.waitUntil(lambda: detail.answer_view.toPlainText() != "", timeout=10000)
    qtbot.waitUntil(lambda: window.profile_actions.sign_out.isEnabled(), timeout=5000)
    signed_out = []
    window.context.bridge.profile_changed.connect(lambda name: signed_out.append(window.model.record(name).token is None))
    click(qtbot, detail.sign_out_button)
    qtbot.waitUntil(lambda: any(signed_out), timeout=10000)  # (auto-renew then fetches a new one)
    assert detail.answer_view.toPlainText() == ""

    # A failed action's error goes when the next one starts.
    get_token(qtbot, window, "Musixmatch app")
    server = window.context.demo.sandbox.musixmatch
    server.fail_next("/oauth/token", "500")
    click(qtbot, detail.renew_button)
    qtbot.waitUntil(lambda: "server error (500)" in detail.error_label.text() and detail.error_label.isVisible(), timeout=10000)
    server.fail_next("/oauth/token-metadata", SLOW)
    qtbot.waitUntil(lambda: window.profile_actions.introspect.isEnabled(), timeout=5000)
    click(qtbot, detail.introspect_button)
    qtbot.waitUntil(lambda: detail.progress_banner.isVisible(), timeout=5000)
    assert detail.progress_text.text() == "Introspecting…" and detail.error_label.isHidden()
    click(qtbot, detail.cancel_running_button)
    qtbot.waitUntil(lambda: detail.progress_banner.isHidden(), timeout=5000)
