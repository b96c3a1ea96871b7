"""WCAG 2.x contrast, computed as the standard defines it (relative luminance, sRGB)."""

from __future__ import annotations

from PySide6.QtGui import QColor


def _luminance(colour: QColor | str) -> float:
    def channel(value: float) -> float:
        return value / 12.92 if value <= 0.03928 else ((value + 0.055) / 1.055) ** 2.4

    c = QColor(colour)
    return 0.2126 * channel(c.redF()) + 0.7152 * channel(c.greenF()) + 0.0722 * channel(c.blueF())


def contrast(foreground: QColor | str, background: QColor | str) -> float:
    """WCAG 2's contrast ratio, 1 to 21."""
    dark, light = sorted((_luminance(foreground), _luminance(background)))
    return (light + 0.05) / (dark + 0.05)
