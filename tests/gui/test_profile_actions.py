"""Issue 12 items 7, 11 and the tray half of 14: one set of profile actions, shown and enabled by
the selected profile's state in the Profile menu, the rows' context menu and the detail pane's
buttons; the tray's entries with their state; the filter's keys and its "no matches" state.

The profiles are records in an in-memory store, auto-renew off, so each state is exactly the one
a test sets (no emulator, no renewal running behind its back)."""

from __future__ import annotations

import time

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QContextMenuEvent, QGuiApplication
from PySide6.QtWidgets import QApplication, QMenu

from musicauth_gui.core.model import Profile, ProfileRecord, ProfileStatus, TokenSet
from musicauth_gui.core.secret import Secret
from musicauth_gui.core.state import DamagedEntry
from musicauth_gui.gui.main_window import MainWindow
from musicauth_gui.gui.profile_action_rules import ProfileAction
from musicauth_gui.gui.tray import TrayIcon

from .conftest import run

#: A popup menu grabs the keyboard, which the offscreen platform the suite runs on cannot do.
pytestmark = pytest.mark.qt_log_ignore("^This plugin does not support grabbing the keyboard$", extend=True)

A = ProfileAction


def token(name: str, *, left: float = 3600, refresh: bool = True) -> TokenSet:
    now = time.time()
    return TokenSet(
        access_token=Secret(f"tok-{name}"), issued_at=now - 60, expires_at=now + left,
        refresh_token=Secret(f"refresh-{name}") if refresh else None,
    )  # fmt: skip


def record(name: str, provider: str, flow: str, *, tok: TokenSet | None = None, status: ProfileStatus | None = None) -> ProfileRecord:
    profile = Profile(name=name, provider=provider, flow=flow, client_id="client", auto_renew=False)  # type: ignore[arg-type]
    return ProfileRecord(profile, client_secret=Secret(f"client-secret-of-{name}"), token=tok, status=status or ProfileStatus())


def records() -> list[ProfileRecord]:
    """Made per test: the times left count from now, not from when the module was collected."""
    return [
        record("mxm valid", "musixmatch", "authorization_code", tok=token("mxm")),
        record("mxm never", "musixmatch", "authorization_code"),
        record(
            "mxm revoked", "musixmatch", "authorization_code", tok=token("rev"),
            status=ProfileStatus(needs_sign_in=True, reason="the refresh token was revoked"),
        ),
        record("mxm expired, no refresh", "musixmatch", "authorization_code", tok=token("old", left=-60, refresh=False)),
        record("spotify valid", "spotify", "authorization_code", tok=token("spot")),
        record("groove app", "groove", "client_credentials"),
        record("groove app with token", "groove", "client_credentials", tok=token("grv", refresh=False)),
        record("musicapi", "musicapi", "devtoken"),
    ]  # fmt: skip


@pytest.fixture
def window(qtbot, qloop, memory_context):  # type: ignore[no-untyped-def]
    for rec in records():
        run(qtbot, qloop, memory_context.engine.store.save(rec))
    win = MainWindow()
    qtbot.addWidget(win)
    win.show()
    run(qtbot, qloop, win.attach(memory_context))
    tray = TrayIcon(show_window=win.bring_to_front, copy_token=win._copy_token_of, quit_app=win.quit, parent=win)
    win.tray = tray
    win._refresh_tray()
    yield win
    win._quitting = True


def select(qtbot, window: MainWindow, name: str) -> None:  # type: ignore[no-untyped-def]
    window.select(name)
    assert window.selected_name() == name


def offered(menu: QMenu) -> dict[ProfileAction, bool]:
    """The profile actions ``menu`` shows, and whether each is enabled."""
    names = {a.value: a for a in ProfileAction}
    return {names[q.objectName()]: q.isEnabled() for q in menu.actions() if q.objectName() in names and q.isVisible()}


def enabled(menu: QMenu) -> set[ProfileAction]:
    return {action for action, on in offered(menu).items() if on}


def tray_entry(window: MainWindow, name: str):  # type: ignore[no-untyped-def]
    assert window.tray is not None
    return next(a for a in window.tray.copy_actions() if a.data() == name)


def open_row_menu(qtbot, window: MainWindow, name: str) -> QMenu:  # type: ignore[no-untyped-def]
    """Right-click the row of ``name``, as the platform delivers it (a context-menu event)."""
    index = window.proxy.mapFromSource(window.model.index(window.model.row_of(name)))
    pos = window.list_view.visualRect(index).center()
    viewport = window.list_view.viewport()
    event = QContextMenuEvent(QContextMenuEvent.Reason.Mouse, pos, viewport.mapToGlobal(pos))
    QApplication.sendEvent(viewport, event)
    qtbot.waitUntil(window.row_menu.isVisible)
    return window.row_menu


# Each state: what the menus show enabled, what they show greyed out, and whether the tray can copy.
CASES = {
    "valid (code flow, introspection)": (
        "mxm valid", None,
        {A.COPY_TOKEN, A.COPY_HEADER, A.COPY_CURL, A.SIGN_IN, A.RENEW, A.SIGN_OUT, A.TRY_IT, A.INTROSPECT, A.EDIT, A.REMOVE},
        set(), True,
    ),
    "needs sign-in, never signed in": (
        "mxm never", None,
        {A.SIGN_IN, A.EDIT, A.REMOVE},
        {A.COPY_TOKEN, A.COPY_HEADER, A.COPY_CURL, A.RENEW, A.SIGN_OUT, A.TRY_IT, A.INTROSPECT}, False,
    ),
    "needs sign-in, grant revoked (a token is still stored)": (
        "mxm revoked", None,
        {A.SIGN_IN, A.SIGN_OUT, A.EDIT, A.REMOVE},
        {A.COPY_TOKEN, A.COPY_HEADER, A.COPY_CURL, A.RENEW, A.TRY_IT, A.INTROSPECT}, False,
    ),
    "expired without a refresh token": (
        "mxm expired, no refresh", None,
        {A.SIGN_IN, A.SIGN_OUT, A.EDIT, A.REMOVE},
        {A.COPY_TOKEN, A.COPY_HEADER, A.COPY_CURL, A.RENEW, A.TRY_IT, A.INTROSPECT}, False,
    ),
    "no token yet (client credentials fetch their own)": (
        "groove app", None,
        {A.COPY_TOKEN, A.COPY_HEADER, A.COPY_CURL, A.GET_TOKEN, A.TRY_IT, A.EDIT, A.REMOVE},
        {A.RENEW, A.SIGN_OUT}, True,
    ),
    "renewing": (
        "groove app with token", "renewing",
        {A.COPY_TOKEN, A.COPY_HEADER, A.COPY_CURL, A.TRY_IT, A.EDIT, A.REMOVE},
        {A.GET_TOKEN, A.RENEW, A.SIGN_OUT}, True,
    ),
    "signing in": (
        "mxm never", "signing_in",
        {A.CANCEL_SIGN_IN, A.EDIT, A.REMOVE},
        {A.SIGN_IN, A.COPY_TOKEN, A.COPY_HEADER, A.COPY_CURL, A.RENEW, A.SIGN_OUT, A.TRY_IT, A.INTROSPECT}, False,
    ),
    "error, the token still valid": (
        "groove app with token", "error",
        {A.COPY_TOKEN, A.COPY_HEADER, A.COPY_CURL, A.GET_TOKEN, A.RENEW, A.SIGN_OUT, A.TRY_IT, A.EDIT, A.REMOVE},
        set(), True,
    ),
    "devtoken": (
        "musicapi", None,
        {A.COPY_TOKEN, A.COPY_HEADER, A.COPY_CURL, A.GET_TOKEN, A.TRY_IT, A.EDIT, A.REMOVE},
        {A.RENEW, A.SIGN_OUT}, True,
    ),
    "a provider without introspection": (
        "spotify valid", None,
        {A.COPY_TOKEN, A.COPY_HEADER, A.COPY_CURL, A.SIGN_IN, A.RENEW, A.SIGN_OUT, A.TRY_IT, A.EDIT, A.REMOVE},
        set(), True,
    ),
}  # fmt: skip


@pytest.mark.parametrize("case", list(CASES))
def test_each_state_offers_its_actions_in_the_menu_the_context_menu_the_pane_and_the_tray(qtbot, window, case: str) -> None:  # type: ignore[no-untyped-def]
    name, activity, usable, greyed, tray_copies = CASES[case]
    select(qtbot, window, name)
    if activity == "renewing":
        window._on_renewal_started(name)
    elif activity == "signing_in":
        window._on_sign_in_changed(name, True)
    elif activity == "error":
        window.model.set_error(name, "the provider answered 500", next_attempt_at=None)
        window._refresh_tray(name)

    assert offered(window.profile_menu) == {**{a: True for a in usable}, **{a: False for a in greyed}}
    assert enabled(window.profile_menu) == usable
    menu = open_row_menu(qtbot, window, name)
    assert offered(menu) == offered(window.profile_menu)
    menu.close()
    # Never both ways to a first token (they share Ctrl+L), never a damaged entry's actions here.
    assert not {A.GET_TOKEN, A.SIGN_IN} <= set(offered(menu)) and not {A.REMOVE_ENTRY, A.REIMPORT} & set(offered(menu))
    # The detail pane's buttons follow the same actions.
    detail = window.detail
    buttons = {
        A.COPY_TOKEN: detail.copy_token_button, A.RENEW: detail.renew_button, A.SIGN_IN: detail.sign_in_button,
        A.GET_TOKEN: detail.get_token_button, A.SIGN_OUT: detail.sign_out_button, A.TRY_IT: detail.try_button,
        A.INTROSPECT: detail.introspect_button,
    }  # fmt: skip
    for action, button in buttons.items():
        assert button.isVisibleTo(window) == (action in usable | greyed), action
        assert button.isEnabled() == (action in usable), action
    # The tray: the state in the entry's text, Copy only when a token can be had.
    entry = tray_entry(window, name)
    assert entry.isEnabled() == tray_copies
    assert entry.text().startswith(f"{name} — ")


def test_the_tray_says_each_profiles_state_and_time_left(qtbot, window) -> None:  # type: ignore[no-untyped-def]
    assert tray_entry(window, "mxm valid").text().startswith("mxm valid — valid, 59m")
    assert tray_entry(window, "mxm valid").text().endswith(" left")
    assert tray_entry(window, "mxm never").text() == "mxm never — needs sign-in"
    assert tray_entry(window, "groove app").text() == "groove app — no token"
    window._on_renewal_started("groove app")
    assert tray_entry(window, "groove app").text() == "groove app — renewing"


def test_a_damaged_entry_offers_only_remove_entry_and_reimport(qtbot, window) -> None:  # type: ignore[no-untyped-def]
    window.model.set_damaged(DamagedEntry("broken", "profile", "the keyring entry of 'broken' cannot be decoded"))
    select(qtbot, window, "broken")
    assert offered(window.profile_menu) == {A.REMOVE_ENTRY: True, A.REIMPORT: True}
    menu = open_row_menu(qtbot, window, "broken")
    assert offered(menu) == {A.REMOVE_ENTRY: True, A.REIMPORT: True}
    asked: list[str] = []
    window.import_profiles = lambda: asked.append("import")  # type: ignore[method-assign]
    next(a for a in menu.actions() if a.objectName() == "reimportEntry").trigger()
    menu.close()
    assert asked == ["import"]
    assert all(not entry.data() == "broken" for entry in window.tray.copy_actions())  # nothing to copy


def test_nothing_selected_greys_out_the_profile_actions(qtbot, window) -> None:  # type: ignore[no-untyped-def]
    qtbot.keyClicks(window.filter_edit, "no such profile")
    assert not window.list_view.currentIndex().isValid()
    assert enabled(window.profile_menu) == set()
    assert A.COPY_TOKEN in offered(window.profile_menu)  # shown, greyed out: the menu keeps its shape


def test_the_actions_follow_a_change_of_state_of_the_selected_profile(qtbot, qloop, window) -> None:  # type: ignore[no-untyped-def]
    select(qtbot, window, "mxm never")
    assert not window.profile_actions.copy_token.isEnabled() and window.profile_actions.sign_in.isEnabled()
    window._on_sign_in_changed("mxm never", True)
    assert not window.profile_actions.sign_in.isEnabled() and window.profile_actions.cancel_sign_in.isVisible()
    window._on_sign_in_changed("mxm never", False)
    assert window.profile_actions.sign_in.isEnabled() and not window.profile_actions.cancel_sign_in.isVisible()
    # Signed in (another process, say): the record changes, and so do the actions.
    engine = window.context.engine
    run(qtbot, qloop, engine.store.save(record("mxm never", "musixmatch", "authorization_code", tok=token("new"))))
    window._on_profile_changed("mxm never")
    assert window.profile_actions.copy_token.isEnabled() and window.detail.copy_token_button.isEnabled()
    assert tray_entry(window, "mxm never").isEnabled()


def test_copy_from_the_context_menu_goes_through_engine_credential(qtbot, window) -> None:  # type: ignore[no-untyped-def]
    engine = window.context.engine
    asked: list[str] = []
    real = engine.credential

    async def credential(name: str, scheme: str | None = None):  # type: ignore[no-untyped-def]
        asked.append(name)
        return await real(name, scheme)

    engine.credential = credential
    select(qtbot, window, "groove app")  # the row right-clicked is the one acted on, not this one
    menu = open_row_menu(qtbot, window, "spotify valid")
    assert window.selected_name() == "spotify valid"
    next(a for a in menu.actions() if a.objectName() == "copyToken").trigger()
    menu.close()
    qtbot.waitUntil(lambda: QGuiApplication.clipboard().text() == "tok-spot", timeout=5000)
    assert asked == ["spotify valid"]
    menu = open_row_menu(qtbot, window, "spotify valid")
    next(a for a in menu.actions() if a.objectName() == "copyHeader").trigger()
    menu.close()
    qtbot.waitUntil(lambda: QGuiApplication.clipboard().text() == "Authorization: Bearer tok-spot", timeout=5000)
    assert asked == ["spotify valid", "spotify valid"]


def test_the_keyboard_opens_the_context_menu_on_the_selected_row(qtbot, window) -> None:  # type: ignore[no-untyped-def]
    select(qtbot, window, "mxm valid")
    window.list_view.setFocus()
    for key, modifiers in ((Qt.Key.Key_Menu, Qt.KeyboardModifier.NoModifier), (Qt.Key.Key_F10, Qt.KeyboardModifier.ShiftModifier)):
        qtbot.keyClick(window.list_view, key, modifiers)
        qtbot.waitUntil(window.row_menu.isVisible)
        assert A.INTROSPECT in enabled(window.row_menu)
        window.row_menu.close()
        qtbot.waitUntil(lambda: not window.row_menu.isVisible())


def test_a_right_click_below_the_rows_opens_no_menu(qtbot, window) -> None:  # type: ignore[no-untyped-def]
    viewport = window.list_view.viewport()
    pos = QPoint(5, viewport.height() - 2)
    assert not window.list_view.indexAt(pos).isValid()
    QApplication.sendEvent(viewport, QContextMenuEvent(QContextMenuEvent.Reason.Mouse, pos, viewport.mapToGlobal(pos)))
    QApplication.processEvents()
    assert not window.row_menu.isVisible()


def test_the_shortcuts_users_rely_on_stay(window) -> None:  # type: ignore[no-untyped-def]
    actions = window.profile_actions
    shortcuts = {
        actions.copy_token: "Ctrl+C", actions.copy_header: "Ctrl+Shift+C", actions.sign_in: "Ctrl+L",
        actions.get_token: "Ctrl+L", actions.renew: "Ctrl+R", actions.try_it: "Ctrl+T", actions.edit: "Ctrl+E",
    }  # fmt: skip
    for action, keys in shortcuts.items():
        assert action.shortcut().toString() == keys, action.objectName()
    # Ctrl+C copies (and Del removes) only while the list has the focus: in the filter they edit text.
    assert actions.copy_token in window.list_view.actions() and actions.remove in window.list_view.actions()
    assert actions.copy_token.shortcutContext() == Qt.ShortcutContext.WidgetShortcut


def test_ctrl_l_signs_in_or_gets_the_token_whichever_the_flow_needs(qtbot, window) -> None:  # type: ignore[no-untyped-def]
    started: list[str] = []
    window.detail.sign_in = lambda: started.append(f"sign in {window.detail.name}")
    window.detail.run_action = lambda action: started.append(f"{action} {window.detail.name}")
    for name in ("mxm never", "groove app"):
        select(qtbot, window, name)
        window.list_view.setFocus()
        qtbot.keyClick(window.list_view, Qt.Key.Key_L, Qt.KeyboardModifier.ControlModifier)
    assert started == ["sign in mxm never", "get groove app"]
    assert window.detail.renew_button.toolTip() == "Renew now (Ctrl+R)"


def test_ctrl_c_in_the_list_copies_the_selected_token(qtbot, window) -> None:  # type: ignore[no-untyped-def]
    select(qtbot, window, "mxm valid")
    window.list_view.setFocus()
    qtbot.keyClick(window.list_view, Qt.Key.Key_C, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: QGuiApplication.clipboard().text() == "tok-mxm", timeout=5000)


# -- the filter ------------------------------------------------------------------------------------


def test_a_filter_matching_nothing_says_so(qtbot, window) -> None:  # type: ignore[no-untyped-def]
    qtbot.keyClicks(window.filter_edit, "zzz")
    assert window.proxy.rowCount() == 0
    assert window.empty_label.isVisible() and not window.list_view.isVisible()  # in the list's place
    assert "No profile matches “zzz”" in window.empty_label.text() and "Ctrl+N" not in window.empty_label.text()
    assert not window.detail.badge.isVisible()
    assert "Ctrl+N" not in window.detail.subtitle.text() and "filter" in window.detail.subtitle.text()
    qtbot.keyClick(window.filter_edit, Qt.Key.Key_Backspace)
    qtbot.keyClick(window.filter_edit, Qt.Key.Key_Backspace)
    qtbot.keyClick(window.filter_edit, Qt.Key.Key_Backspace)
    assert window.proxy.rowCount() == len(records()) and not window.empty_label.isVisible() and window.list_view.isVisible()


def test_esc_clears_the_filter_and_keeps_the_selection(qtbot, window) -> None:  # type: ignore[no-untyped-def]
    select(qtbot, window, "spotify valid")
    window.filter_edit.setFocus()
    qtbot.keyClicks(window.filter_edit, "spot")
    assert window.proxy.rowCount() == 1 and window.selected_name() == "spotify valid"
    qtbot.keyClick(window.filter_edit, Qt.Key.Key_Escape)
    assert window.filter_edit.text() == "" and window.proxy.rowCount() == len(records())
    assert window.selected_name() == "spotify valid" and window.detail.name == "spotify valid"


def test_the_chosen_profile_stays_chosen_while_the_filter_hides_it(qtbot, window) -> None:  # type: ignore[no-untyped-def]
    select(qtbot, window, "spotify valid")
    qtbot.keyClicks(window.filter_edit, "groove")
    assert window.proxy.rowCount() == 2
    # Hidden: nothing else is selected in its place, and the pane says why.
    assert window.selected_name() is None
    assert "spotify valid" in window.detail.subtitle.text() and "hidden by the filter" in window.detail.subtitle.text()
    assert not window.profile_actions.copy_token.isEnabled()
    window.filter_edit.setText("spot")
    assert window.selected_name() == "spotify valid"
    window.filter_edit.clear()
    assert window.selected_name() == "spotify valid"


def test_down_moves_from_the_filter_into_the_list(qtbot, window) -> None:  # type: ignore[no-untyped-def]
    select(qtbot, window, "spotify valid")
    window.filter_edit.setFocus()
    qtbot.keyClicks(window.filter_edit, "mxm")  # matched by name (no provider is called that); hides Spotify
    assert window.selected_name() is None
    qtbot.keyClick(window.filter_edit, Qt.Key.Key_Down)
    assert window.list_view.hasFocus()
    assert window.selected_name() == "mxm valid"  # the first match, now the user's choice
    qtbot.keyClick(window.list_view, Qt.Key.Key_Down)
    assert window.selected_name() == "mxm never"
    window.filter_edit.clear()
    assert window.selected_name() == "mxm never"  # clearing the filter keeps the selection


def test_esc_in_an_empty_filter_goes_back_to_the_list(qtbot, window) -> None:  # type: ignore[no-untyped-def]
    window.filter_edit.setFocus()
    qtbot.keyClick(window.filter_edit, Qt.Key.Key_Escape)
    assert window.list_view.hasFocus()

