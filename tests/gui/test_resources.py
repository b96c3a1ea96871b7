"""The compiled resources: every icon the GUI names loads and paints, both style sheets load, the
generated ``_rc.py`` is up to date with ``resources/``, and the packaging PNGs exist."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QImage, QPalette

from musicauth_gui.gui import icons

ROOT = Path(__file__).resolve().parents[2]
RESOURCES = ROOT / "resources"

ICON_NAMES = (
    ["musicauth"]
    + [f"provider-{p}" for p in icons.PROVIDERS]
    + [f"state-{s}" for s in icons.STATES]
    + list(icons.ACTIONS)
)


def test_the_icon_lists_are_the_ones_the_gui_was_promised() -> None:
    assert set(icons.PROVIDERS) == {
        "groove", "groove-user", "musixmatch", "musicapi", "apple-music", "spotify", "soundcloud", "oauth2",
        "tidal", "musicbrainz", "genius", "deezer", "google", "apikey", "lastfm", "discogs",
    }  # fmt: skip
    assert set(icons.STATES) == {"valid", "renewing", "needs-sign-in", "error", "none", "expired"}
    assert set(icons.ACTIONS) == {
        "copy", "reveal", "hide", "key", "sign-in", "sign-out", "renew", "try", "add", "edit", "import",
        "export", "delete", "generate", "save", "discover", "filter", "settings", "devtoken", "tray", "info",
    }  # fmt: skip


def test_every_preset_has_its_own_icon(qapp) -> None:  # type: ignore[no-untyped-def]
    from musicauth_gui.core.presets import PRESETS

    generic = icons.provider_icon("oauth2").cacheKey()
    for preset_id in PRESETS:
        assert preset_id in icons.PROVIDERS, preset_id
        assert preset_id == "oauth2" or icons.provider_icon(preset_id).cacheKey() != generic, preset_id


@pytest.mark.parametrize("provider", icons.PROVIDERS)
@pytest.mark.parametrize("size", [16, 32])
def test_a_provider_icon_is_a_tile_with_a_glyph_readable_at_small_sizes(qapp, provider: str, size: int) -> None:  # type: ignore[no-untyped-def]
    """An opaque tile of its own colour (the same on light and dark themes) with a glyph that
    stands out from it: enough strongly contrasting pixels at 16 px to be seen."""
    image = icons.provider_icon(provider).pixmap(size, size).toImage().convertToFormat(QImage.Format.Format_ARGB32)
    tile = image.pixelColor(size // 2, round(size * 0.1))  # above every glyph, clear of the rounded corners
    assert tile.alpha() == 255
    glyph = [
        image.pixelColor(x, y)
        for y in range(size)
        for x in range(size)
        if image.pixelColor(x, y).alpha() == 255 and abs(image.pixelColor(x, y).lightness() - tile.lightness()) > 90
    ]
    assert len(glyph) > 0.06 * size * size, (provider, len(glyph))


def _opaque_pixels(image: QImage) -> int:
    image = image.convertToFormat(QImage.Format.Format_ARGB32)
    return sum(1 for y in range(image.height()) for x in range(image.width()) if image.pixelColor(x, y).alpha() > 32)


@pytest.mark.parametrize("name", ICON_NAMES)
def test_icon_loads_and_paints(qapp, name: str) -> None:  # type: ignore[no-untyped-def]
    icon = icons.icon(name)
    assert not icon.isNull()
    pixmap = icon.pixmap(32, 32)
    assert not pixmap.isNull()
    # Something visible, not a blank or a stray dot: at least 5 % of a 32 px square.
    assert _opaque_pixels(pixmap.toImage()) > 0.05 * 32 * 32


def test_every_svg_in_resources_is_compiled_in(qapp) -> None:  # type: ignore[no-untyped-def]
    on_disk = {p.stem for p in (RESOURCES / "icons").glob("*.svg")}
    assert on_disk == set(ICON_NAMES)


def test_helpers_fall_back_for_unknown_names(qapp) -> None:  # type: ignore[no-untyped-def]
    assert icons.provider_icon("my-own-server").cacheKey() == icons.provider_icon("oauth2").cacheKey()
    assert icons.state_icon("weird").cacheKey() == icons.state_icon("none").cacheKey()
    assert icons.provider_icon("spotify").cacheKey() == icons.icon("provider-spotify").cacheKey()
    assert not icons.app_icon().isNull()
    assert not icons.tray_icon().isNull()


def test_missing_icon_is_empty_and_logged(qapp, caplog) -> None:  # type: ignore[no-untyped-def]
    icons.icon.cache_clear()
    with caplog.at_level("WARNING", logger=icons.__name__):
        assert icons.icon("no-such-icon").isNull()
    assert "no-such-icon" in caplog.text
    caplog.clear()  # the warning was expected


@pytest.mark.parametrize("dark", [False, True])
def test_stylesheets_load(qapp, dark: bool) -> None:  # type: ignore[no-untyped-def]
    qss = icons.stylesheet(dark)
    assert qss.strip()
    assert "@heading_size@" not in qss
    for selector in (
        "QLabel#badge",
        "QLabel#countdown",
        "QProgressBar#expiry",
        "QProgressBar#expiry::chunk",
        'QFrame#banner[kind="error"]',
        'QFrame#banner[kind="info"]',
        'QLabel[role="heading"]',
        'QLabel[role="muted"]',
    ):
        assert selector in qss


def test_stylesheets_differ_in_colour_only(qapp) -> None:  # type: ignore[no-untyped-def]
    """The two files style the same selectors: a rule added to one must be added to the other."""
    import re

    def selectors(text: str) -> list[str]:
        text = re.sub(r"/\*.*?\*/", "", text, flags=re.S)
        return re.findall(r"([^{}]+)\{", text)

    assert selectors(icons.stylesheet(False)) == selectors(icons.stylesheet(True))


def test_stylesheet_applies_to_real_widgets(qapp, qtbot) -> None:  # type: ignore[no-untyped-def]
    from PySide6.QtWidgets import QFrame, QLabel, QProgressBar, QVBoxLayout, QWidget

    old = qapp.styleSheet()
    qapp.setStyleSheet(icons.stylesheet(False))
    try:
        root = QWidget()
        qtbot.addWidget(root)
        layout = QVBoxLayout(root)
        heading = QLabel("Profile")
        heading.setProperty("role", "heading")
        countdown = QLabel("12:00")
        countdown.setObjectName("countdown")
        bar = QProgressBar()
        bar.setObjectName("expiry")
        banner = QFrame()
        banner.setObjectName("banner")
        banner.setProperty("kind", "info")
        QVBoxLayout(banner).addWidget(QLabel("Waiting for the browser"))
        for w in (heading, countdown, bar, banner):
            layout.addWidget(w)
        # Polished and laid out without show(): the offscreen plugin warns on every shown window.
        root.ensurePolished()
        root.resize(root.sizeHint())
        layout.activate()
        assert heading.font().bold()
        assert heading.font().pointSizeF() > qapp.font().pointSizeF()
        assert countdown.fontInfo().fixedPitch()
        assert not bar.isTextVisible()
        assert bar.height() <= 8
        assert banner.height() > 4

        def background() -> QColor:
            return banner.grab().toImage().pixelColor(3, banner.height() // 2)

        info_bg = background()
        banner.setProperty("kind", "error")
        icons.repolish(banner)
        error_bg = background()
        assert info_bg != error_bg
        assert error_bg.red() > error_bg.blue()
    finally:
        qapp.setStyleSheet(old)


def palette_with(base: QPalette, window: str, text: str) -> QPalette:
    palette = QPalette(base)
    palette.setColor(QPalette.ColorRole.Window, QColor(window))
    palette.setColor(QPalette.ColorRole.WindowText, QColor(text))
    return palette


def test_is_dark_follows_the_palette(qapp) -> None:  # type: ignore[no-untyped-def]
    if qapp.styleHints().colorScheme() != Qt.ColorScheme.Unknown:
        pytest.skip("the platform reports a colour scheme; the palette fallback is not used")
    old = qapp.palette()
    try:
        qapp.setPalette(palette_with(old, "#202020", "#eeeeee"))
        assert icons.is_dark(qapp)
        qapp.setPalette(palette_with(old, "#f4f4f4", "#111111"))
        assert not icons.is_dark(qapp)
    finally:
        qapp.setPalette(old)


def test_apply_theme_sets_the_matching_sheet_and_follows_changes(qapp) -> None:  # type: ignore[no-untyped-def]
    old = qapp.styleSheet()
    try:
        dark = icons.apply_theme(qapp)
        assert qapp.styleSheet() == icons.stylesheet(dark)
        icons.apply_theme(qapp)  # idempotent: connects the change signal once
        icons._on_color_scheme_changed(qapp, Qt.ColorScheme.Dark)
        assert qapp.styleSheet() == icons.stylesheet(True)
        icons._on_color_scheme_changed(qapp, Qt.ColorScheme.Light)
        assert qapp.styleSheet() == icons.stylesheet(False)
    finally:
        qapp.setStyleSheet(old)


def test_the_initial_theme_follows_the_palette_and_apply_theme_settles_it(qapp) -> None:  # type: ignore[no-untyped-def]
    old_sheet, old_palette = qapp.styleSheet(), qapp.palette()
    try:
        qapp.setPalette(palette_with(old_palette, "#202020", "#eeeeee"))
        assert icons.apply_initial_theme(qapp)
        assert qapp.styleSheet() == icons.stylesheet(True)
        settled = icons.apply_theme(qapp)  # the colour scheme, where the platform reports one
        assert qapp.styleSheet() == icons.stylesheet(settled)
    finally:
        qapp.setPalette(old_palette)
        qapp.setStyleSheet(old_sheet)


def test_compiled_resources_are_up_to_date() -> None:
    """``resources/compile.py --check``: the .qrc lists the files, _rc.py matches them, PNGs exist."""
    proc = subprocess.run(
        [sys.executable, str(RESOURCES / "compile.py"), "--check"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr


@pytest.mark.parametrize("size", [16, 24, 32, 48, 64, 128, 256, 512])
def test_app_icon_pngs(qapp, size: int) -> None:  # type: ignore[no-untyped-def]
    path = RESOURCES / "icons" / "app" / f"musicauth-{size}.png"
    image = QImage(str(path))
    assert not image.isNull(), path
    assert (image.width(), image.height()) == (size, size)
    assert image.hasAlphaChannel()
    assert path.stat().st_size < 32 * 1024  # committed-size-friendly
