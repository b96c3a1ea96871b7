"""Each round-2 provider in the desktop app, against its emulator, as a person clicks through it:
sign in, renew where the provider renews (TIDAL keeps its refresh token, MusicBrainz does not
rotate; Genius and Deezer have none), an error in the app's own words, Try it showing the
answer, sign out. TIDAL, MusicBrainz, Genius and Deezer are the demo's profiles; Google's device
flow runs against a Google-style device emulator."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from musicauth_gui.core.errors import Action
from musicauth_gui.core.model import Profile, ProfileRecord
from musicauth_gui.gui.dialogs import prompts
from musicauth_gui.gui.main_window import MainWindow
from musicauth_gui.gui.profile_model import Role
from musicauth_gui.sandbox.device import DeviceAuthorizationServer
from tests.gui.conftest import record_window, run
from tests.gui.test_main_window import stand_in_browser


def click(qtbot, button) -> None:  # type: ignore[no-untyped-def]
    assert button.isVisible() and button.isEnabled(), button.objectName()
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


def select(qtbot, window: MainWindow, name: str) -> None:  # type: ignore[no-untyped-def]
    window.select(name)
    qtbot.waitUntil(lambda: window.detail.name == name)


def state(window: MainWindow, name: str) -> str:
    return window.model.index(window.model.row_of(name)).data(Role.STATE)


def idle(qtbot, window: MainWindow, name: str) -> None:  # type: ignore[no-untyped-def]
    qtbot.waitUntil(lambda: not window.running.entries(name), timeout=10000)


def sign_in(qtbot, window: MainWindow, name: str) -> None:  # type: ignore[no-untyped-def]
    select(qtbot, window, name)
    window.detail.open_browser = stand_in_browser
    click(qtbot, window.detail.sign_in_button)
    qtbot.waitUntil(lambda: window.model.record(name).token is not None, timeout=15000)
    qtbot.waitUntil(lambda: window.detail.sign_in_banner.isHidden(), timeout=5000)
    idle(qtbot, window, name)
    assert state(window, name) == "valid" and window.detail.token_field.text()


def fresh_token(qtbot, qloop, window: MainWindow, name: str):  # type: ignore[no-untyped-def]
    """The stored token with its refresh token (the window's cached records withhold it)."""
    return run(qtbot, qloop, window.context.engine.store.load(name, fresh=True)).token


def try_it(qtbot, window: MainWindow, expected: str) -> None:  # type: ignore[no-untyped-def]
    click(qtbot, window.detail.try_button)
    qtbot.waitUntil(lambda: expected in window.detail.answer_view.toPlainText(), timeout=10000)
    assert window.detail.answer_view.toPlainText().startswith("200"), window.detail.answer_view.toPlainText()[:80]
    assert window.detail.tabs.currentWidget() is window.detail.answer_page


def sign_out(qtbot, window: MainWindow, name: str, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr(prompts, "confirm", lambda parent, **kw: True)
    window.detail.open_browser = lambda url: None  # a logout page, where a provider has one
    click(qtbot, window.detail.sign_out_button)
    qtbot.waitUntil(lambda: window.model.record(name).token is None, timeout=10000)
    qtbot.waitUntil(lambda: state(window, name) == "needs-sign-in", timeout=5000)
    assert window.detail.sign_in_button.isVisible() and window.detail.token_field.text() == ""


def assert_gui_words(text: str) -> None:
    """The app's words: a line, with the window's own action; never a command or a file to edit."""
    assert text and "\n" not in text and "Traceback" not in text
    for cli in ("musicauth ", "login", "profiles.toml", "--"):
        assert cli not in text.replace(" — ", " "), text


# -- the browser sign-ins: TIDAL, MusicBrainz, Genius, Deezer ------------------------------------


def test_tidal_renewal_keeps_the_refresh_token(qtbot, qloop, window, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    server = window.context.demo.more["tidal"]
    sign_in(qtbot, window, "TIDAL")
    first = fresh_token(qtbot, qloop, window, "TIDAL")
    click(qtbot, window.detail.renew_button)
    qtbot.waitUntil(lambda: window.model.record("TIDAL").token.access_token != first.access_token, timeout=10000)
    idle(qtbot, window, "TIDAL")
    renewed = fresh_token(qtbot, qloop, window, "TIDAL")
    # TIDAL answers a refresh without a refresh token: the old one is kept, and still works.
    assert renewed.refresh_token is not None and renewed.refresh_token.reveal() == first.refresh_token.reveal()
    refresh = [r for r in server.requests if r.form.get("grant_type") == "refresh_token"][-1]
    assert refresh.form.get("scope")  # TIDAL wants the scope again
    assert server.is_access_token_active(renewed.access_token.reveal())
    try_it(qtbot, window, "searchResults")
    # The user withdrew consent at TIDAL: the next renewal fails, said in the app's words.
    server.revoke_all_for_user()
    click(qtbot, window.detail.renew_button)
    qtbot.waitUntil(lambda: bool(window.detail.error_label.text()), timeout=10000)
    assert_gui_words(window.detail.error_label.text())
    text = window.detail.error_label.text()
    assert "no longer accepts the refresh token" in text
    assert window.detail.error_line.button(Action.SIGN_IN) is not None  # the way out, as a button
    sign_out(qtbot, window, "TIDAL", monkeypatch)


def test_musicbrainz_renewal_does_not_rotate_and_sign_out_revokes(qtbot, qloop, window, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    server = window.context.demo.more["musicbrainz"]
    sign_in(qtbot, window, "MusicBrainz")
    first = fresh_token(qtbot, qloop, window, "MusicBrainz")
    click(qtbot, window.detail.renew_button)
    qtbot.waitUntil(lambda: window.model.record("MusicBrainz").token.access_token != first.access_token, timeout=10000)
    idle(qtbot, window, "MusicBrainz")
    renewed = fresh_token(qtbot, qloop, window, "MusicBrainz")
    assert renewed.refresh_token.reveal() == first.refresh_token.reveal()  # no rotation
    token_requests = [r for r in server.requests if r.path == "/oauth2/token"]
    assert all(r.headers.get("authorization") or r.form.get("client_secret") for r in token_requests)  # always the secret
    try_it(qtbot, window, "sandbox")
    refresh = renewed.refresh_token.reveal()
    sign_out(qtbot, window, "MusicBrainz", monkeypatch)
    assert any(r.path == "/oauth2/revoke" for r in server.requests)
    assert not server.is_refresh_token_active(refresh)  # revoking the refresh token removed the grant


def test_sign_out_says_when_the_provider_did_not_confirm_the_revocation(qtbot, window, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    server = window.context.demo.more["musicbrainz"]
    sign_in(qtbot, window, "MusicBrainz")
    server.fail_next("/oauth2/revoke", "500")
    said: list[str] = []
    window.detail.status_message.connect(said.append)
    sign_out(qtbot, window, "MusicBrainz", monkeypatch)
    qtbot.waitUntil(lambda: any(text.startswith("Signed out of MusicBrainz") for text in said), timeout=5000)
    text = next(text for text in said if text.startswith("Signed out of MusicBrainz"))
    assert "(tokens revoked)" not in text and "did not confirm the revocation" in text
    assert_gui_words(text)


@pytest.mark.parametrize(("name", "expected"), [("Genius", "sandbox-annotator"), ("Deezer", "sandbox")])
def test_genius_and_deezer_have_nothing_to_renew(qtbot, window, monkeypatch, name, expected) -> None:  # type: ignore[no-untyped-def]
    sign_in(qtbot, window, name)
    record = window.model.record(name)
    assert record.token.refresh_token is None
    assert not window.detail.renew_button.isVisible() or not window.detail.renew_button.isEnabled()
    try_it(qtbot, window, expected)
    sign_out(qtbot, window, name, monkeypatch)


@pytest.mark.parametrize("name", ["TIDAL", "MusicBrainz", "Genius", "Deezer"])
def test_a_denied_sign_in_says_so_in_the_apps_words(qtbot, window, name) -> None:  # type: ignore[no-untyped-def]
    server = window.context.demo.more[name.lower()]
    server.consent = "deny"
    select(qtbot, window, name)
    window.detail.open_browser = stand_in_browser
    click(qtbot, window.detail.sign_in_button)
    qtbot.waitUntil(lambda: "denied" in window.detail.error_label.text(), timeout=15000)
    assert_gui_words(window.detail.error_label.text())
    assert window.detail.error_label.text().endswith("nothing was stored")
    assert window.model.record(name).token is None and state(window, name) == "needs-sign-in"
    assert window.detail.sign_in_banner.isHidden() and window.detail.sign_in_button.isEnabled()


# -- Google's device flow ------------------------------------------------------------------------


@pytest.fixture
def google():  # type: ignore[no-untyped-def]
    with DeviceAuthorizationServer(interval=1, consent="interactive", google_style=True) as server:
        server.register_client("tv.apps.googleusercontent.com", "google-tv-secret")
        yield server


@pytest.fixture
def google_window(qtbot, qloop, memory_context, google):  # type: ignore[no-untyped-def]
    # Every endpoint on the emulator: nothing may reach Google itself.
    profile = Profile(
        name="YouTube TV", provider="google", flow="device", client_id="tv.apps.googleusercontent.com",
        scopes=("openid",), device_authorization_endpoint=google.url("/device/code"),
        token_endpoint=google.url("/token"), revocation_endpoint=google.url("/revoke"), try_url=google.url("/me"),
        auto_renew=False,
    )  # fmt: skip
    from musicauth_gui.core.secret import Secret

    record = ProfileRecord(profile=profile, client_secret=Secret("google-tv-secret"))
    yield from record_window(qtbot, qloop, memory_context, record)


def start_device_sign_in(qtbot, window: MainWindow) -> None:  # type: ignore[no-untyped-def]
    window.detail.open_browser = lambda url: None
    click(qtbot, window.detail.sign_in_button)
    qtbot.waitUntil(lambda: window.detail.device_box.isVisible(), timeout=5000)


def test_google_device_sign_in_renewal_try_and_sign_out(qtbot, google_window, google, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    window, detail = google_window, google_window.detail
    start_device_sign_in(qtbot, window)
    # Google says verification_url and gives no complete URI: the code to type, and no QR code.
    assert detail.device_box.code_label.text() == google.user_codes[0]
    assert google.url("/device") in detail.device_box.link_label.text() and detail.device_box.qr.qr is None
    qtbot.waitUntil(lambda: len(google.polls) >= 1, timeout=5000)  # answered 428, still pending
    google.approve()
    qtbot.waitUntil(lambda: window.model.record("YouTube TV").token is not None, timeout=10000)
    idle(qtbot, window, "YouTube TV")
    poll = next(r for r in google.requests if r.form.get("device_code"))
    assert poll.form.get("client_secret") == "google-tv-secret"  # Google wants it on every poll
    first = window.model.record("YouTube TV").token
    click(qtbot, detail.renew_button)
    qtbot.waitUntil(lambda: window.model.record("YouTube TV").token.access_token != first.access_token, timeout=10000)
    idle(qtbot, window, "YouTube TV")
    assert google.is_access_token_active(window.model.record("YouTube TV").token.access_token.reveal())
    try_it(qtbot, window, "sandbox")
    sign_out(qtbot, window, "YouTube TV", monkeypatch)
    assert any(r.path == "/revoke" for r in google.requests)


def test_google_device_denial_in_the_apps_words(qtbot, google_window, google) -> None:  # type: ignore[no-untyped-def]
    window = google_window
    start_device_sign_in(qtbot, window)
    qtbot.waitUntil(lambda: len(google.polls) >= 1, timeout=5000)
    google.deny()
    qtbot.waitUntil(lambda: "denied" in window.detail.error_label.text(), timeout=10000)
    assert_gui_words(window.detail.error_label.text())
    assert window.detail.error_label.text().endswith("nothing was stored")
    assert window.detail.error_line.button(Action.SIGN_IN) is not None
    assert window.detail.sign_in_banner.isHidden() and window.model.record("YouTube TV").token is None


# -- the demo's static keys ------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["API key (header)", "Musixmatch classic key", "Genius client token"])
def test_a_static_key_shows_after_get_token_and_tries(qtbot, window, name) -> None:  # type: ignore[no-untyped-def]
    api = window.context.demo.keyed[name]
    select(qtbot, window, name)
    detail = window.detail
    assert state(window, name) == "valid" and detail.subtitle.text().endswith("static")  # no dangling "·"
    assert detail.token_field.text() == "" and "keyring" in detail.token_field.placeholderText()
    assert not detail.auto_renew.isVisible()  # a static key never expires
    click(qtbot, detail.get_token_button)
    qtbot.waitUntil(lambda: detail.token_field.text() == api.key, timeout=5000)
    assert detail.token_field.echoMode() == detail.token_field.EchoMode.Password
    idle(qtbot, window, name)
    try_it(qtbot, window, "sandbox-user-1")
    assert detail.token_field.text() == api.key  # still shown after the answer came
    select(qtbot, window, "TIDAL")
    select(qtbot, window, name)
    assert detail.token_field.text() == ""  # shown again only when asked for


def test_the_device_banner_says_scan_where_there_is_a_qr_code(qtbot, window) -> None:  # type: ignore[no-untyped-def]
    from musicauth_gui.demo_world import DEMO_DEVICE_PROFILE

    select(qtbot, window, DEMO_DEVICE_PROFILE)
    window.detail.open_browser = lambda url: None
    click(qtbot, window.detail.sign_in_button)
    qtbot.waitUntil(lambda: window.detail.device_box.isVisible(), timeout=5000)
    assert window.detail.sign_in_text.text().startswith("Scan the QR code") and window.detail.device_box.qr.qr is not None
    click(qtbot, window.detail.cancel_button)
    qtbot.waitUntil(lambda: window.detail.sign_in_banner.isHidden(), timeout=5000)
