"""The device sign-in's QR code: what is drawn is segno's symbol of ``verification_uri_complete``
(every module sampled on screen, dark on white with a quiet zone, on a dark theme too), and no
code shows where the provider gives no complete URI (Google)."""

from __future__ import annotations

import subprocess
import sys

import pytest
import segno
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QPalette

from musicauth_gui.gui.widgets.qr_code import QUIET_ZONE, QrCodeView
from musicauth_gui.sandbox.device import DeviceAuthorizationServer
from tests.gui.conftest import device_profile_window


def shown_modules(view: QrCodeView) -> list[list[bool]]:
    """The symbol as read back from the widget's pixels: the centre of each module, dark or not."""
    image = view.grab().toImage()
    ratio = image.devicePixelRatio()
    size = len(view.qr.matrix)
    rows = []
    for r in range(size):
        row = []
        for c in range(size):
            centre = view.module_rect(r, c).center()
            pixel = image.pixelColor(round(centre.x() * ratio), round(centre.y() * ratio))
            row.append(pixel.lightness() < 128)
        rows.append(row)
    return rows


def assert_quiet_zone_is_white(view: QrCodeView) -> None:
    image = view.grab().toImage()
    ratio = image.devicePixelRatio()
    first = view.module_rect(0, 0)
    inside_margin = [(first.left() - 1, first.top() - 1), (first.left() - QUIET_ZONE * first.width() + 1, first.center().y())]
    for x, y in inside_margin:
        assert image.pixelColor(round(x * ratio), round(y * ratio)) == QColor("white"), (x, y)


def test_the_widget_draws_segnos_symbol_dark_on_white_even_on_a_dark_theme(qtbot) -> None:  # type: ignore[no-untyped-def]
    uri = "http://127.0.0.1:41234/device?user_code=BCDF-GHJK"
    view = QrCodeView()
    qtbot.addWidget(view)
    dark = QPalette()
    for role in (QPalette.ColorRole.Window, QPalette.ColorRole.Base):
        dark.setColor(role, QColor("#202020"))
    view.setPalette(dark)
    view.setAutoFillBackground(True)
    view.set_text(uri)
    view.show()
    expected = [[bool(m) for m in row] for row in segno.make_qr(uri, error="m").matrix]
    assert [[bool(m) for m in row] for row in view.qr.matrix] == expected
    assert shown_modules(view) == expected
    assert_quiet_zone_is_white(view)
    # Big enough for a camera: at least 3 px a module, quiet zone included in the size.
    assert view.module_rect(0, 0).width() >= 3
    assert view.width() == view.height() == (len(expected) + 2 * QUIET_ZONE) * view.module_rect(0, 0).width()
    # Cleared: nothing drawn, no room taken.
    view.set_text(None)
    assert view.qr is None and view.width() == 0


@pytest.fixture(params=["rfc8628", "google"])
def device(request):  # type: ignore[no-untyped-def]
    with DeviceAuthorizationServer(
        interval=1, consent="interactive", device_code_ttl=600, google_style=request.param == "google"
    ) as server:
        server.register_client("public-device-app")
        yield server


@pytest.fixture
def window(qtbot, qloop, memory_context, device):  # type: ignore[no-untyped-def]
    yield from device_profile_window(qtbot, qloop, memory_context, device)


def test_the_pane_shows_a_qr_code_only_for_a_complete_uri(qtbot, window, device) -> None:  # type: ignore[no-untyped-def]
    detail = window.detail
    detail.open_browser = lambda url: None
    assert not detail.device_box.qr.isVisible()
    qtbot.mouseClick(detail.sign_in_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: detail.device_box.isVisible(), timeout=5000)
    user_code = device.user_codes[0]
    if device.google_style:
        # Google gives the bare page only: the code must be typed, so no QR code.
        assert detail.device_box.qr.qr is None and detail.device_box.qr.width() == 0
    else:
        complete = f"{device.url('/device')}?user_code={user_code}"
        assert detail.device_box.qr.isVisible()
        expected = [[bool(m) for m in row] for row in segno.make_qr(complete, error="m").matrix]
        assert shown_modules(detail.device_box.qr) == expected
    # Cancelled: the code goes with the banner.
    qtbot.mouseClick(detail.cancel_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: detail.sign_in_banner.isHidden(), timeout=5000)
    assert detail.device_box.qr.qr is None


def test_segno_is_not_imported_before_a_qr_code_is_drawn() -> None:
    # Start-up time (benchmarks/README.md): the window's modules must not pull segno in.
    code = "import sys, musicauth_gui.gui.main_window; print('segno' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60)
    assert out.stdout.strip() == "False"
