"""The profile list's state colours: one table per theme, each readable on its own rows.

One fixed set of colours cannot serve both themes: GitHub's greens and reds, chosen for white,
fall to about 2:1 on a #1e1e1e row. So each theme has its own, chosen against the rows it paints
on (the palettes' base and alternate base, ``gui/palettes.py``, and the window colour around
them) to meet WCAG 2.x: state words at least 4.5:1 (1.4.3), the state marker and the life bar
at least 3:1 (1.4.11, non-text). ``tests/gui/test_row_state_colours.py`` computes every figure.

A selected row is painted in the palette's highlighted-text colour on its highlight, words and
marker alike: no state colour reaches 3:1 on every highlight a desktop may choose, and the
selection says "this one" more loudly than any state does.

The marker's glyph (the tick, the clock) is cut out in the row's own background colour, so it
stands out of the marker by the marker's own contrast, whatever the theme.
"""

from __future__ import annotations

from typing import NamedTuple

from PySide6.QtGui import QColor, QPalette


class StateColours(NamedTuple):
    text: str  # the state's words ("valid", "retrying at 14:03:22")
    marker: str  # the round state marker and the life bar's fill


#: Against a white to #efefef row.
LIGHT: dict[str, StateColours] = {
    "valid": StateColours("#116329", "#1a7f37"),
    "renewing": StateColours("#0550ae", "#0969da"),
    "signing-in": StateColours("#0550ae", "#0969da"),
    "needs-sign-in": StateColours("#7d4e00", "#b35900"),
    "retrying": StateColours("#7d4e00", "#b35900"),  # amber: a warning, the token still works
    "error": StateColours("#a40e26", "#cf222e"),
    "damaged": StateColours("#a40e26", "#cf222e"),
    "expired": StateColours("#57606a", "#6e7781"),
    "none": StateColours("#57606a", "#7d8590"),
}
#: Against a #1e1e1e to #353535 row.
DARK: dict[str, StateColours] = {
    "valid": StateColours("#6fdd8b", "#3fb950"),
    "renewing": StateColours("#8cc4ff", "#58a6ff"),
    "signing-in": StateColours("#8cc4ff", "#58a6ff"),
    "needs-sign-in": StateColours("#f2c55c", "#d29922"),
    "retrying": StateColours("#f2c55c", "#d29922"),
    "error": StateColours("#ff9492", "#ff6a63"),
    "damaged": StateColours("#ff9492", "#ff6a63"),
    "expired": StateColours("#b1bac4", "#8b949e"),
    "none": StateColours("#b1bac4", "#8b949e"),
}
#: The life bar's fill when less than a tenth of the token's life is left.
LOW_LIFE = "needs-sign-in"

_BASE, _TEXT = QPalette.ColorRole.Base, QPalette.ColorRole.Text
_HIGHLIGHT, _HIGHLIGHTED_TEXT = QPalette.ColorRole.Highlight, QPalette.ColorRole.HighlightedText


class RowColours(NamedTuple):
    """What one row paints its state in."""

    text: QColor
    marker: QColor
    glyph: QColor  # the marker's glyph: the row's background showing through


def is_dark_rows(palette: QPalette) -> bool:
    """Whether rows in ``palette`` are light text on a dark base (the list paints on Base, and a
    desktop's own dark palette is dark there whatever the app's theme preference says)."""
    return palette.color(_BASE).lightness() < palette.color(_TEXT).lightness()


def theme_table(dark: bool) -> dict[str, StateColours]:
    return DARK if dark else LIGHT


def row_colours(palette: QPalette, state: str, *, selected: bool) -> RowColours:
    """The colours of a row in ``state`` (an unknown state: ``none``'s), in ``palette``."""
    if selected:
        ink = palette.color(_HIGHLIGHTED_TEXT)
        return RowColours(ink, ink, palette.color(_HIGHLIGHT))
    table = theme_table(is_dark_rows(palette))
    colours = table.get(state, table["none"])
    return RowColours(QColor(colours.text), QColor(colours.marker), palette.color(_BASE))


def bar_colour(palette: QPalette, *, low: bool, selected: bool) -> QColor:
    """The life bar's fill: the valid marker's colour, amber when ``low``."""
    return row_colours(palette, LOW_LIFE if low else "valid", selected=selected).marker
