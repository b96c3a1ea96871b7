"""The row delegate: its cached layer follows every change that shows, and stays bounded."""

from __future__ import annotations

from PySide6.QtCore import QRect
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QListView

from musicauth_gui.core.clock import FakeClock
from musicauth_gui.core.model import Profile, ProfileRecord, TokenSet
from musicauth_gui.core.secret import Secret
from musicauth_gui.gui.profile_model import ProfileListModel
from musicauth_gui.gui.widgets.profile_delegate import (
    LAYER_BOTTOM_ROOM,
    PADDING_X,
    PADDING_Y,
    ROW_HEIGHT,
    ProfileDelegate,
    cache_limit,
)


def record(name: str, now: float, lifetime: float = 3600) -> ProfileRecord:
    profile = Profile(name=name, provider="musixmatch", flow="client_credentials", client_id="c", token_endpoint="https://x/token")
    token = TokenSet(access_token=Secret("t-" + name), issued_at=now, expires_at=now + lifetime)
    return ProfileRecord(profile=profile, client_secret=Secret("s"), token=token)


def make_view(qtbot, clock: FakeClock, count: int) -> tuple[QListView, ProfileListModel, ProfileDelegate]:  # type: ignore[no-untyped-def]
    model = ProfileListModel(clock=clock.now)
    model.set_ticking(False)  # the test moves time by hand
    model.set_records([record(f"profile-{i:03d}", clock.now()) for i in range(count)])
    view = QListView()
    qtbot.addWidget(view)
    delegate = ProfileDelegate(view)
    view.setModel(model)
    view.setItemDelegate(delegate)
    view.resize(360, ROW_HEIGHT * 4)
    view.show()
    qtbot.waitExposed(view)
    return view, model, delegate


def row_image(view: QListView, row: int) -> QImage:
    view.viewport().repaint()
    return view.viewport().grab(view.visualRect(view.model().index(row, 0))).toImage()


def region(image: QImage, rect: QRect) -> QImage:
    return image.copy(rect)


def test_a_tick_changes_the_countdown_and_nothing_else(qtbot, fake_clock) -> None:  # type: ignore[no-untyped-def]
    clock = fake_clock
    view, model, _ = make_view(qtbot, clock, 3)
    before = row_image(view, 0)
    clock.advance(1)
    model._tick()
    after = row_image(view, 0)
    width = before.width()
    # Left: icon and name (static layer); right: the countdown text.
    assert region(before, QRect(0, 0, width // 2, 30)) == region(after, QRect(0, 0, width // 2, 30))
    assert region(before, QRect(width // 2, 0, width // 2, 30)) != region(after, QRect(width // 2, 0, width // 2, 30))


def test_a_state_change_repaints_the_cached_layer(qtbot, fake_clock) -> None:  # type: ignore[no-untyped-def]
    clock = fake_clock
    view, model, _ = make_view(qtbot, clock, 3)
    before = row_image(view, 1)
    model.set_error("profile-001", "the provider is down")
    assert row_image(view, 1) != before
    model.set_error("profile-001", None)
    assert row_image(view, 1) == before


def test_selection_repaints_the_cached_layer(qtbot, fake_clock) -> None:  # type: ignore[no-untyped-def]
    clock = fake_clock
    view, model, _ = make_view(qtbot, clock, 3)
    before = row_image(view, 0)
    view.setCurrentIndex(model.index(0))
    assert row_image(view, 0) != before


def test_the_layer_cache_is_bounded(qtbot, fake_clock) -> None:  # type: ignore[no-untyped-def]
    clock = fake_clock
    view, model, delegate = make_view(qtbot, clock, 60)
    qtbot.waitUntil(lambda: len(delegate._layers) > 0)  # the view lays out its rows later
    for row in range(0, model.rowCount(), 3):
        view.scrollTo(model.index(row))
        view.viewport().repaint()
    # Two screenfuls of a four-row view, not one layer per row ever painted.
    assert 8 <= len(delegate._layers) <= cache_limit(view) < 20


def test_layers_of_another_row_width_are_dropped(qtbot, fake_clock) -> None:  # type: ignore[no-untyped-def]
    clock = fake_clock
    view, _, delegate = make_view(qtbot, clock, 6)
    before = row_image(view, 1)
    qtbot.waitUntil(lambda: len(delegate._layers) > 0)
    widths = {key[9] for key in delegate._layers}
    view.resize(280, ROW_HEIGHT * 4)  # as when the detail pane takes its room at start-up

    def only_new_widths() -> bool:
        view.viewport().repaint()
        now = {key[9] for key in delegate._layers}
        return bool(now) and now.isdisjoint(widths)

    qtbot.waitUntil(only_new_widths)  # the view lays out its rows again later
    view.resize(360, ROW_HEIGHT * 4)
    assert row_image(view, 1) == before  # drawn again as it was


def test_a_layer_holds_the_content_above_the_life_bar_and_no_more(qtbot, fake_clock) -> None:  # type: ignore[no-untyped-def]
    """Not the padding around the content nor the bar's rows, which no layer is drawn into: a
    third of a full row's pixels, 0.2 MB at rest. The rows show the same pixels as before
    (the other tests here and tests/gui/test_row_state_colours.py look at them)."""
    view, _, delegate = make_view(qtbot, fake_clock, 3)
    qtbot.waitUntil(lambda: len(delegate._layers) > 0)
    row = view.visualRect(view.model().index(0, 0))
    ratio = view.devicePixelRatioF()
    for layer in delegate._layers.values():
        assert layer.width() == round((row.width() - 2 * PADDING_X) * ratio)
        assert layer.height() == round((ROW_HEIGHT - 2 * PADDING_Y - LAYER_BOTTOM_ROOM) * ratio)
