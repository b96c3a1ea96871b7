"""The profile list's state colours are readable on both themes: words at least 4.5:1 and markers
at least 3:1 against the row (WCAG 2.x 1.4.3 and 1.4.11), selected or not; computed from the
tables and measured on rows the real delegate paints."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QRect
from PySide6.QtGui import QColor, QImage, QPalette
from PySide6.QtWidgets import QListView

from musicauth_gui.core.clock import FakeClock
from musicauth_gui.core.model import Profile, ProfileRecord, ProfileStatus, TokenSet
from musicauth_gui.core.secret import Secret
from musicauth_gui.gui import palettes
from musicauth_gui.gui.profile_model import STATE_LABELS, ProfileListModel, Role
from musicauth_gui.gui.state_colours import DARK, LIGHT, bar_colour, row_colours
from musicauth_gui.gui.widgets.profile_delegate import PADDING_X, PADDING_Y, ROW_HEIGHT, ProfileDelegate, _content_area
from tests.support.wcag import contrast

THEMES = pytest.mark.parametrize("dark", [False, True], ids=["light", "dark"])
ROLE = QPalette.ColorRole


def backgrounds(palette: QPalette, *, selected: bool) -> list[QColor]:
    """What a row may be painted on: the highlight when selected, else the base (the list),
    the alternate base (a list with alternating rows) and the window (a style that paints
    item views in it)."""
    if selected:
        return [palette.color(ROLE.Highlight)]
    return [palette.color(ROLE.Base), palette.color(ROLE.AlternateBase), palette.color(ROLE.Window)]


def test_each_theme_colours_every_state_the_list_shows() -> None:
    assert set(LIGHT) == set(DARK) == set(STATE_LABELS)
    assert LIGHT["retrying"] == LIGHT["needs-sign-in"] and DARK["retrying"] == DARK["needs-sign-in"]  # amber
    assert all(LIGHT[state] != DARK[state] for state in STATE_LABELS)  # no state left in one theme's colours


@THEMES
@pytest.mark.parametrize("selected", [False, True], ids=["plain", "selected"])
def test_state_words_and_markers_meet_wcag_on_their_rows(dark: bool, selected: bool) -> None:
    palette = palettes.palette(dark)
    for state in STATE_LABELS:
        colours = row_colours(palette, state, selected=selected)
        for background in backgrounds(palette, selected=selected):
            assert contrast(colours.text, background) >= 4.5, (state, colours.text.name(), background.name())
            assert contrast(colours.marker, background) >= 3.0, (state, colours.marker.name(), background.name())
        assert contrast(colours.glyph, colours.marker) >= 3.0, state  # the tick stands out of its marker
    for low in (False, True):
        fill = bar_colour(palette, low=low, selected=selected)
        for background in backgrounds(palette, selected=selected):
            assert contrast(fill, background) >= 3.0, (low, fill.name(), background.name())


def record(name: str, now: float, *, lifetime: float = 3600) -> ProfileRecord:
    profile = Profile(name=name, provider="spotify", flow="client_credentials", client_id="c", token_endpoint="https://x/token")
    token = TokenSet(access_token=Secret("t-" + name), issued_at=now, expires_at=now + lifetime)
    status = ProfileStatus(needs_sign_in=name == "signin", reason="signed out" if name == "signin" else None)
    return ProfileRecord(profile=profile, client_secret=Secret("s"), token=token, status=status)


def painted_rows(qtbot, dark: bool) -> tuple[QListView, ProfileListModel]:  # type: ignore[no-untyped-def]
    """A list of rows in every colour the list uses (valid, retrying, error, needs sign-in,
    expired), in the theme's palette."""
    clock = FakeClock()
    model = ProfileListModel(clock=clock.now)
    model.set_ticking(False)
    rows = [record(name, clock.now()) for name in ("valid", "retrying", "error", "signin")]
    model.set_records([*rows, record("expired", clock.now(), lifetime=-10)])
    model.set_error("retrying", "the provider is down", next_attempt_at=clock.now() + 60)
    model.set_error("error", "the provider is down")
    view = QListView()
    qtbot.addWidget(view)
    view.setPalette(palettes.palette(dark))
    view.setModel(model)
    view.setItemDelegate(ProfileDelegate(view))
    view.resize(380, ROW_HEIGHT * 6)
    view.show()
    qtbot.waitExposed(view)
    return view, model


def row_image(view: QListView, row: int) -> tuple[QImage, QRect]:
    rect = view.visualRect(view.model().index(row, 0))
    view.viewport().repaint()
    image = view.viewport().grab(rect).toImage().convertToFormat(QImage.Format.Format_RGB32)
    return image, QRect(0, 0, rect.width(), rect.height())


def near(painted: QColor, expected: QColor) -> bool:
    """The same colour, but for a rendering's rounding."""
    return max(abs(a - b) for a, b in zip(painted.getRgb()[:3], expected.getRgb()[:3], strict=True)) <= 8


def strongest_contrast(image: QImage, area: QRect, background: QColor) -> float:
    """The most contrasting pixel in ``area``: for text, about its colour (antialiasing only
    blends the glyph edges towards the background)."""
    best = 1.0
    for y in range(area.top(), area.bottom() + 1):
        for x in range(area.left(), area.right() + 1):
            best = max(best, contrast(image.pixelColor(x, y), background))
    return best


@THEMES
@pytest.mark.parametrize("selected", [False, True], ids=["plain", "selected"])
def test_painted_rows_show_the_theme_colours_readably(qtbot, dark: bool, selected: bool) -> None:  # type: ignore[no-untyped-def]
    view, model = painted_rows(qtbot, dark)
    palette = view.palette()
    for row in range(model.rowCount()):
        state = model.index(row).data(Role.PAINT).state
        if selected:
            view.setCurrentIndex(model.index(row))
        image, rect = row_image(view, row)
        background = image.pixelColor(rect.right() - 2, 1)  # the row's own corner: base or highlight
        expected_background = palette.color(ROLE.Highlight if selected else ROLE.Base)
        assert background == expected_background, (state, background.name())
        content, text_left = _content_area(rect)
        colours = row_colours(palette, state, selected=selected)
        marker = image.pixelColor(text_left + 1, content.top() + 24 + 7)  # left in the circle, clear of the glyph
        assert near(marker, colours.marker), (state, marker.name(), colours.marker.name())
        assert contrast(marker, background) >= 3.0, state
        words = QRect(text_left + 18, content.top() + 22, 60, 18)  # the state's words, right of the marker
        assert strongest_contrast(image, words, background) >= 4.5, state
    shown = {model.index(row).data(Role.PAINT).state for row in range(model.rowCount())}
    assert shown == {"valid", "retrying", "error", "needs-sign-in", "expired"}
    assert PADDING_X > 2 and PADDING_Y > 1  # the corner sampled above is padding, never a painted part
