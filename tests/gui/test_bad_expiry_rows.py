"""Fault suite, issue 10 item 2, GUI side: a record with a NaN or infinite expiry once crashed
the app on every start (a row's paint called int(nan)). Every formatter now shows "unknown"."""

from __future__ import annotations

import math
import time

import pytest
from PySide6.QtWidgets import QListView

from musicauth_gui.core.model import Profile, ProfileRecord, TokenSet
from musicauth_gui.core.secret import Secret
from musicauth_gui.gui.countdown import format_remaining
from musicauth_gui.gui.detail_pane import ProfileDetailPane, local_time
from musicauth_gui.gui.profile_model import ProfileListModel, Role, Row, row_state
from musicauth_gui.gui.widgets.profile_delegate import ROW_HEIGHT, ProfileDelegate, bar_fraction

from .conftest import run

BAD = [math.nan, math.inf, -math.inf, 1e308, -1e308]


def record_with(name: str, *, issued_at: float | None, expires_at: float | None, refresh_expires_at: float | None = None) -> ProfileRecord:
    profile = Profile(name=name, provider="musixmatch", flow="authorization_code", client_id="c")
    token = TokenSet(
        access_token=Secret("tok-" + name), issued_at=issued_at, expires_at=expires_at,
        refresh_token=Secret("r"), refresh_expires_at=refresh_expires_at,
    )
    return ProfileRecord(profile, token=token)


@pytest.mark.parametrize("bad", BAD)
def test_format_remaining_never_raises(bad: float) -> None:
    assert format_remaining(bad) in ("unknown", "expired")
    assert format_remaining(bad, precise=True) in ("unknown", "expired")


def test_format_remaining_reads_nan_and_infinities_as_unknown_and_keeps_good_values() -> None:
    assert [format_remaining(v) for v in (math.nan, math.inf, -math.inf, 1e308)] == ["unknown"] * 4
    assert format_remaining(None) == "no expiry"
    assert format_remaining(-5) == "expired"
    assert format_remaining(90) == "1m 30s"
    assert format_remaining(14 * 86400 - 1, precise=True) == "13d 23h 59m 59s"


@pytest.mark.parametrize("bad", BAD)
def test_local_time_never_raises(bad: float) -> None:
    assert local_time(bad) == "unknown"


def test_local_time_keeps_none_and_good_values() -> None:
    assert local_time(None) == "—"
    assert local_time(1_700_000_000.0).startswith("2023-11-1")


@pytest.mark.parametrize("bad", [*BAD, None])
def test_bar_fraction_and_row_state_never_raise(bad: float | None) -> None:
    assert bar_fraction(bad) in (None, 0.0, 1.0)
    now = time.time()
    record = record_with("p", issued_at=bad, expires_at=bad, refresh_expires_at=bad)
    assert row_state(Row(record), now) in ("valid", "expired")


def make_view(qtbot, model: ProfileListModel) -> QListView:  # type: ignore[no-untyped-def]
    view = QListView()
    qtbot.addWidget(view)
    view.setItemDelegate(ProfileDelegate(view))
    view.setModel(model)
    view.resize(360, ROW_HEIGHT * 8)
    view.show()
    qtbot.waitExposed(view)
    return view


def test_rows_with_nan_and_infinite_expiries_paint(qtbot) -> None:  # type: ignore[no-untyped-def]
    now = time.time()
    model = ProfileListModel(clock=lambda: now)
    model.set_ticking(False)
    records = [record_with(f"bad-{i}", issued_at=now, expires_at=bad) for i, bad in enumerate(BAD)]
    records.append(record_with("nan-issued", issued_at=math.nan, expires_at=now + 60))
    records.append(record_with("good", issued_at=now, expires_at=now + 90))
    model.set_records(records)
    view = make_view(qtbot, model)
    view.viewport().repaint()  # paints every row now: an exception in paint() used to end the app
    model._tick()
    view.viewport().repaint()
    image = view.viewport().grab().toImage()
    assert not image.isNull()

    countdowns = [model.index(i).data(Role.COUNTDOWN) for i in range(model.rowCount())]
    # NaN and infinities: no usable expiry at all ("no expiry", as for an unknown one); 1e308 and
    # -1e308 are numbers, but no token lives or died that long ago ("unknown").
    assert countdowns == ["no expiry", "no expiry", "no expiry", "unknown", "unknown", "1m 00s", "1m 30s"]
    fractions = [model.index(i).data(Role.FRACTION_LEFT) for i in range(model.rowCount())]
    assert fractions[:6] == [None, None, None, None, None, None] and fractions[6] == pytest.approx(1.0)


@pytest.mark.parametrize("bad", BAD)
def test_the_detail_pane_shows_unknown_times(qtbot, memory_context, bad: float) -> None:  # type: ignore[no-untyped-def]
    pane = ProfileDetailPane()
    qtbot.addWidget(pane)
    pane.set_context(memory_context)
    now = memory_context.engine.clock.now()
    pane.show_profile(record_with("p", issued_at=bad, expires_at=bad, refresh_expires_at=bad), "valid")
    assert pane.issued_label.text() == "unknown" and pane.expires_label.text() == "unknown"
    assert pane.refresh_label.text() == "unknown"
    assert pane.countdown.text() in ("no expiry", "unknown") and pane.expiry_bar.value() == 0
    pane.show_profile(record_with("p", issued_at=now, expires_at=now + 90), "valid")
    assert pane.countdown.text() in ("1m 30s", "1m 29s") and pane.expires_label.text() != "unknown"


def test_the_window_opens_over_a_stored_record_with_a_nan_expiry(qtbot, qloop, memory_context) -> None:  # type: ignore[no-untyped-def]
    from musicauth_gui.gui.main_window import MainWindow

    now = time.time()
    # Saved through the store as an older version would have: json.dumps writes NaN and Infinity.
    run(qtbot, qloop, memory_context.engine.store.save(record_with("nan", issued_at=now, expires_at=math.nan)))
    run(qtbot, qloop, memory_context.engine.store.save(record_with("inf", issued_at=math.inf, expires_at=math.inf)))
    window = MainWindow()
    qtbot.addWidget(window)
    run(qtbot, qloop, window.attach(memory_context))
    window.show()
    qtbot.waitExposed(window)
    assert window.model.names() == ["nan", "inf"]
    for name in ("nan", "inf"):
        token = window.model.record(name).token
        assert token.expires_at is None  # read back as unknown
        assert window.model.index(window.model.row_of(name)).data(Role.COUNTDOWN) == "no expiry"
    window._quitting = True
