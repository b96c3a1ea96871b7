"""The head row of a right-hand pane: an icon, a title over a muted subtitle, and a state badge.

The profile's detail pane and the damaged entry's pane share it, so that switching between a
healthy row and a damaged one does not move anything on screen.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtWidgets import QHBoxLayout, QLabel, QVBoxLayout


@dataclass(frozen=True)
class PaneHeader:
    layout: QHBoxLayout
    icon: QLabel
    title: QLabel
    subtitle: QLabel
    badge: QLabel


def pane_header(*, title_object_name: str) -> PaneHeader:
    """A new head row; the caller sets the icon, the texts and the badge's state."""
    layout = QHBoxLayout()
    icon = QLabel()
    icon.setFixedSize(40, 40)
    layout.addWidget(icon)
    titles = QVBoxLayout()
    title = QLabel()
    title.setProperty("role", "heading")
    title.setObjectName(title_object_name)
    subtitle = QLabel()
    subtitle.setProperty("role", "muted")
    # Wrapped, not one line: a long name or client id must not set the pane's minimum width.
    for label in (title, subtitle):
        label.setWordWrap(True)
    titles.addWidget(title)
    titles.addWidget(subtitle)
    layout.addLayout(titles, 1)
    badge = QLabel()
    badge.setObjectName("badge")
    layout.addWidget(badge)
    return PaneHeader(layout, icon, title, subtitle, badge)
