"""A QR code of one link, for a phone's camera: the device sign-in's ``verification_uri_complete``.

The symbol comes from segno (a QR encoder is easy to get subtly wrong); this widget only draws it:
dark modules on white whatever the theme (phone scanners want dark on light, and a dark theme's
inverted code fails on many of them), a quiet zone of four modules (ISO/IEC 18004 §6.3.8), and
whole device pixels per module, so that the edges stay sharp at any scale factor.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QPoint, QRect, QSize, Qt
from PySide6.QtGui import QColor, QImage, QPainter, QPaintEvent
from PySide6.QtWidgets import QSizePolicy, QWidget

if TYPE_CHECKING:
    import segno

#: ISO/IEC 18004: at least four light modules around the symbol, or scanners miss it.
QUIET_ZONE = 4
#: Logical pixels per module: a version-4 code (a loopback URI with a user code) is then about
#: 160 px, big enough for a phone a metre away and small enough for the sign-in banner.
MODULE_SIZE = 4
DARK = QColor(0, 0, 0)
LIGHT = QColor(255, 255, 255)


class QrCodeView(QWidget):
    """Shows the QR code of ``text`` (``set_text``), or nothing; a fixed, square size."""

    def __init__(self, *, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        #: The segno symbol shown (None: no code); tests compare its matrix with the pixels.
        self.qr: segno.QRCode | None = None
        self._image: QImage | None = None
        self._text: str | None = None
        self.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)
        self.setAccessibleName("QR code of the sign-in link")

    def set_text(self, text: str | None) -> None:
        """Encode ``text`` (None or empty: show nothing and take no room)."""
        if self.qr is not None and text == self._text:
            return  # the sign-in state is shown again on every change: encode once
        self._text = text
        if not text:
            self.qr, self._image = None, None
            self.setFixedSize(0, 0)
            self.setToolTip("")
            self.update()
            return
        import segno  # here, not at the top: only a device sign-in needs it (start-up time)

        # Error correction M at least (segno raises it further when the version has room): a
        # phone reads a screen at an angle, through glare.
        self.qr = segno.make_qr(text, error="m")
        self._image = _module_image(self.qr)
        side = self._image.width() * MODULE_SIZE
        self.setFixedSize(side, side)
        self.setAccessibleDescription(text)
        self.setToolTip("Scan with a phone to open the sign-in link")
        self.update()

    @property
    def modules_across(self) -> int:
        """Modules per side, quiet zone included (0 without a code)."""
        return 0 if self._image is None else self._image.width()

    def module_rect(self, row: int, column: int) -> QRect:
        """Where the symbol's module (``row``, ``column``) is drawn, in logical pixels (the
        quiet zone is outside: row 0, column 0 is the top-left finder pattern's corner)."""
        step = self._step()
        origin = self._origin(step)
        return QRect(
            origin + QPoint((column + QUIET_ZONE) * step, (row + QUIET_ZONE) * step), QSize(step, step)
        )

    def paintEvent(self, event: QPaintEvent) -> None:
        if self._image is None:
            return
        painter = QPainter(self)
        # Light behind everything, the margins left by rounding included: the quiet zone must
        # stay light on a dark theme.
        painter.fillRect(self.rect(), LIGHT)
        ratio = self.devicePixelRatioF()
        step = self._step()
        # Whole device pixels per module, scaled without smoothing: sharp edges at 1.25x too.
        device_step = max(1, int(step * ratio))
        across = self._image.width()
        scaled = self._image.scaled(
            across * device_step, across * device_step, Qt.AspectRatioMode.IgnoreAspectRatio,
            Qt.TransformationMode.FastTransformation,
        )  # fmt: skip
        scaled.setDevicePixelRatio(ratio)
        painter.drawImage(self._origin(step), scaled)
        painter.end()

    def _step(self) -> int:
        across = max(1, self.modules_across)
        return max(1, min(self.width(), self.height()) // across)

    def _origin(self, step: int) -> QPoint:
        side = step * self.modules_across
        return QPoint((self.width() - side) // 2, (self.height() - side) // 2)


def _module_image(qr: segno.QRCode) -> QImage:
    """One pixel per module, quiet zone included: dark modules black, the rest white."""
    rows = [list(row) for row in qr.matrix_iter(scale=1, border=QUIET_ZONE)]
    image = QImage(len(rows[0]), len(rows), QImage.Format.Format_RGB32)
    image.fill(LIGHT)
    for y, row in enumerate(rows):
        for x, dark in enumerate(row):
            if dark:
                image.setPixelColor(x, y, DARK)
    return image
