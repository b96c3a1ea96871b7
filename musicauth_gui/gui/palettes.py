"""Explicit light and dark palettes, for a theme chosen against the desktop's own.

Qt 6.8's ``QStyleHints.setColorScheme`` asks the platform for a colour scheme, and Windows and
macOS honour it; many Linux sessions (no platform theme, plain X11, offscreen) do not, and the
palette stays as it was. There the app sets one of these. Colours match what the style sheets
were written against (``resources/styles/*.qss``: a #1e1e1e-#353535 dark window and base, a
white base and #efefef window when light), so their contrast figures hold.

Built from QPalette's own enums and hex strings only (no ``Qt`` namespace enum), so a chosen
theme can be set before the first paint.
"""

from __future__ import annotations

from PySide6.QtGui import QColor, QPalette

Role = QPalette.ColorRole
Group = QPalette.ColorGroup

DARK = {
    Role.Window: "#2b2b2b",
    Role.WindowText: "#e6e6e6",
    Role.Base: "#1e1e1e",
    Role.AlternateBase: "#353535",
    Role.ToolTipBase: "#353535",
    Role.ToolTipText: "#e6e6e6",
    Role.PlaceholderText: "#9aa0a6",
    Role.Text: "#e6e6e6",
    Role.Button: "#353535",
    Role.ButtonText: "#e6e6e6",
    Role.BrightText: "#ff7b72",
    Role.Light: "#4a4a4a",
    Role.Midlight: "#3e3e3e",
    Role.Mid: "#2f2f2f",
    Role.Dark: "#191919",
    Role.Shadow: "#0f0f0f",
    Role.Highlight: "#3d6fb4",
    Role.HighlightedText: "#ffffff",
    Role.Link: "#7cb3ff",
    Role.LinkVisited: "#c5a3ff",
}
DARK_DISABLED = {Role.WindowText: "#7d7d7d", Role.Text: "#7d7d7d", Role.ButtonText: "#7d7d7d", Role.Highlight: "#464646"}

LIGHT = {
    Role.Window: "#efefef",
    Role.WindowText: "#1f1f1f",
    Role.Base: "#ffffff",
    Role.AlternateBase: "#f6f6f6",
    Role.ToolTipBase: "#ffffdc",
    Role.ToolTipText: "#1f1f1f",
    Role.PlaceholderText: "#6b6b6b",
    Role.Text: "#1f1f1f",
    Role.Button: "#efefef",
    Role.ButtonText: "#1f1f1f",
    Role.BrightText: "#ffffff",
    Role.Light: "#ffffff",
    Role.Midlight: "#e3e3e3",
    Role.Mid: "#b8b8b8",
    Role.Dark: "#9f9f9f",
    Role.Shadow: "#767676",
    Role.Highlight: "#3072c4",
    Role.HighlightedText: "#ffffff",
    Role.Link: "#0b57d0",
    Role.LinkVisited: "#7a3fc0",
}
LIGHT_DISABLED = {Role.WindowText: "#8c8c8c", Role.Text: "#8c8c8c", Role.ButtonText: "#8c8c8c", Role.Highlight: "#c8c8c8"}


def palette(dark: bool) -> QPalette:
    """The dark or the light palette, every role of every group set."""
    colors, disabled = (DARK, DARK_DISABLED) if dark else (LIGHT, LIGHT_DISABLED)
    result = QPalette()
    for role, color in colors.items():
        result.setColor(Group.All, role, QColor(color))
    for role, color in disabled.items():
        result.setColor(Group.Disabled, role, QColor(color))
    return result
