"""The desktop app's device sign-in (RFC 8628) against the device emulator: the profile shows the
user code large and copyable, the link to open, the code's time left and Cancel; approving on
"another device" stores the token; Cancel stops the polling with nothing stored."""

from __future__ import annotations

import time

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication

from musicauth_gui.core.model import Profile, ProfileRecord
from musicauth_gui.gui.main_window import MainWindow
from musicauth_gui.gui.profile_model import Role
from musicauth_gui.sandbox.device import DeviceAuthorizationServer
from tests.gui.conftest import device_profile_window


@pytest.fixture
def device():  # type: ignore[no-untyped-def]
    with DeviceAuthorizationServer(interval=1, consent="interactive", device_code_ttl=600) as server:
        server.register_client("public-device-app")
        yield server


@pytest.fixture
def window(qtbot, qloop, memory_context, device):  # type: ignore[no-untyped-def]
    yield from device_profile_window(qtbot, qloop, memory_context, device)


def start(qtbot, window: MainWindow, opened: list[str]) -> None:  # type: ignore[no-untyped-def]
    detail = window.detail
    detail.open_browser = opened.append
    assert detail.sign_in_button.isVisible() and not detail.get_token_button.isVisible()
    qtbot.mouseClick(detail.sign_in_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: detail.device_box.isVisible(), timeout=5000)


def test_the_code_link_and_countdown_then_approval_stores_the_token(qtbot, window, device) -> None:  # type: ignore[no-untyped-def]
    detail = window.detail
    opened: list[str] = []
    start(qtbot, window, opened)
    user_code = device.user_codes[0]
    complete = f"{device.url('/device')}?user_code={user_code}"
    # The code, large; the link; the time left; the browser sent to the complete URI.
    assert detail.device_box.code_label.text() == user_code
    assert detail.device_box.code_label.font().pointSize() >= 2 * 10 and detail.device_box.code_label.font().bold()
    assert f'href="{complete}"' in detail.device_box.link_label.text()
    assert detail.device_box.expiry_label.text().startswith(("The code expires in 9m", "The code expires in 10m"))
    assert opened == [complete]
    assert detail.cancel_button.isVisible() and not detail.sign_in_button.isEnabled()
    assert window.model.index(window.model.row_of("TV")).data(Role.STATE) == "signing-in"
    # Copy the code; open the link from the pane.
    qtbot.mouseClick(detail.device_box.copy_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: QGuiApplication.clipboard().text() == user_code, timeout=3000)
    qtbot.mouseClick(detail.copy_url_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: QGuiApplication.clipboard().text() == complete, timeout=3000)
    detail.device_box.link_label.linkActivated.emit(complete)
    assert opened == [complete, complete]
    # The countdown runs.
    shown = detail.device_box.expiry_label.text()
    window.context.engine.clock = _Later(window.context.engine.clock, 120)
    detail.tick(window.model.record("TV"))
    assert detail.device_box.expiry_label.text() != shown and "7m" in detail.device_box.expiry_label.text()
    # Pending until approved elsewhere, polled no faster than the interval.
    qtbot.waitUntil(lambda: len(device.polls) >= 1, timeout=5000)
    device.approve()
    qtbot.waitUntil(lambda: window.model.record("TV").token is not None, timeout=10000)
    qtbot.waitUntil(lambda: detail.sign_in_banner.isHidden(), timeout=5000)
    token = window.model.record("TV").token
    assert device.is_access_token_active(token.access_token.reveal())
    assert [p.answer for p in device.polls][-1] == "token" and "slow_down" not in [p.answer for p in device.polls]
    assert window.model.index(window.model.row_of("TV")).data(Role.STATE) == "valid"


def test_cancel_stops_polling_and_stores_nothing(qtbot, window, device) -> None:  # type: ignore[no-untyped-def]
    detail = window.detail
    start(qtbot, window, [])
    qtbot.waitUntil(lambda: len(device.polls) >= 1, timeout=5000)
    qtbot.mouseClick(detail.cancel_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: window.context.engine.signing_in("TV") is None, timeout=5000)
    qtbot.waitUntil(lambda: detail.sign_in_banner.isHidden(), timeout=5000)
    qtbot.waitUntil(lambda: "cancelled" in detail.error_label.text(), timeout=5000)
    polls = len(device.polls)
    device.approve()
    deadline = time.monotonic() + 1.5
    qtbot.waitUntil(lambda: time.monotonic() > deadline, timeout=3000)
    assert len(device.polls) == polls
    assert window.model.record("TV").token is None
    assert window.model.index(window.model.row_of("TV")).data(Role.STATE) == "needs-sign-in"


def test_a_denial_says_so_in_the_pane(qtbot, window, device) -> None:  # type: ignore[no-untyped-def]
    start(qtbot, window, [])
    qtbot.waitUntil(lambda: len(device.polls) >= 1, timeout=5000)
    device.deny()
    qtbot.waitUntil(lambda: "denied" in window.detail.error_label.text(), timeout=5000)
    assert "slow_down" not in [p.answer for p in device.polls]  # never too early, Qt timers or not
    assert window.detail.sign_in_banner.isHidden()
    assert window.model.record("TV").token is None


class _Later:
    """The engine's clocks, ``seconds`` later on the wall (the code's countdown reads it)."""

    def __init__(self, clock, seconds: float) -> None:  # type: ignore[no-untyped-def]
        self._clock, self._seconds = clock, seconds

    def now(self) -> float:
        return self._clock.now() + self._seconds

    def monotonic(self) -> float:
        return self._clock.monotonic()


def test_the_editor_keeps_the_fields_it_has_no_rows_for(qtbot, memory_context) -> None:  # type: ignore[no-untyped-def]
    from musicauth_gui.core.secret import Secret
    from musicauth_gui.gui.dialogs.profile_editor import ProfileEditorDialog

    static = ProfileRecord(
        profile=Profile(name="key", provider="apikey", flow="static", placement="query", query_param="key"),
        static_token=Secret("k"),
    )
    device = ProfileRecord(
        profile=Profile(
            name="dev", provider="oauth2", flow="device", client_id="c",
            device_authorization_endpoint="https://id.example/device", token_endpoint="https://id.example/token",
        )
    )
    for record in (static, device):
        dialog = ProfileEditorDialog(memory_context, existing=record)
        qtbot.addWidget(dialog)
        assert dialog.validate().profile == record.profile
