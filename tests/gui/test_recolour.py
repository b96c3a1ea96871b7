"""``icons.recolour`` (a Polish event) restyles the state badge as ``icons.repolish`` (the
style's unpolish and polish) does: the same pixels for every state, in light and dark.

The badge is recoloured without asking for its style so that a window at rest never builds
PySide's QStyle class (tests/gui/test_startup_imports.py); that is only right while the badge's
state rules set colours alone, which this test holds the style sheets to.
"""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QApplication, QHBoxLayout, QWidget

from musicauth_gui.gui import icons
from musicauth_gui.gui.widgets.pane_header import pane_header

#: In an order that visits each state from several others (a state's rule must not linger).
STATES = ("valid", "renewing", "needs-sign-in", "error", "none", "expired", "valid", "error", "renewing", "valid")


def _badge_pane(qtbot) -> tuple[QWidget, QWidget]:
    pane = QWidget()
    qtbot.addWidget(pane)
    head = pane_header(title_object_name="recolourTitle")
    head.title.setText("A profile")
    head.badge.setText("valid")
    row = QHBoxLayout(pane)
    row.addLayout(head.layout)
    pane.resize(360, 80)
    pane.show()
    qtbot.waitExposed(pane)
    return pane, head.badge


@pytest.mark.parametrize("theme", ["light", "dark"])
def test_recolour_paints_what_repolish_paints(qtbot, qapp: QApplication, theme: str) -> None:
    before = qapp.styleSheet()
    icons.apply_theme(qapp, theme)
    try:
        repolished, repolished_badge = _badge_pane(qtbot)
        recoloured, recoloured_badge = _badge_pane(qtbot)
        for state in STATES:
            repolished_badge.setProperty("state", state)
            icons.repolish(repolished_badge)
            recoloured_badge.setProperty("state", state)
            icons.recolour(recoloured_badge)
            qapp.processEvents()
            assert recoloured.grab().toImage() == repolished.grab().toImage(), state
        # It cannot pass by painting nothing: the states differ.
        repolished_badge.setProperty("state", "error")
        icons.repolish(repolished_badge)
        qapp.processEvents()
        assert recoloured.grab().toImage() != repolished.grab().toImage()
    finally:
        icons.apply_theme(qapp, "system")
        if qapp.styleSheet() != before:
            qapp.setStyleSheet(before)
