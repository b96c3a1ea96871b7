"""A device sign-in's code (RFC 8628), in the detail pane's sign-in banner.

The user code large and copyable, the page to open, the time left before the code expires, and
beside them a QR code of the page with the code filled in, where the provider gives one (a
phone's camera opens it, nothing to type). The pane builds it at the first device sign-in it
shows: a window at rest has none (its widgets, the QR view's module, ~0.1 MB at rest).
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtGui import QFontDatabase
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from ..icons import icon
from .qr_code import QrCodeView


class DeviceCodeBox(QWidget):
    """The code, the page's link, the time left and the QR code of one device sign-in.

    Args:
        copy_code: what "Copy code" does.
        open_link: what following the page's link does (the pane's browser opener).
    """

    def __init__(self, *, copy_code: Callable[[], None], open_link: Callable[[str], None], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("deviceCodeBox")
        columns = QHBoxLayout(self)
        columns.setContentsMargins(0, 0, 0, 0)
        rows = QVBoxLayout()
        columns.addLayout(rows, 1)
        self.qr = QrCodeView()
        self.qr.setObjectName("deviceQrCode")
        columns.addWidget(self.qr, 0, Qt.AlignmentFlag.AlignTop)
        code_row = QHBoxLayout()
        self.code_label = QLabel()
        self.code_label.setObjectName("deviceCodeLabel")
        font = QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont)
        font.setPointSize(max(font.pointSize(), 10) * 2)
        font.setBold(True)
        self.code_label.setFont(font)
        self.code_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.code_label.setAccessibleName("User code")
        code_row.addWidget(self.code_label)
        self.copy_button = QPushButton(icon("copy"), "Copy &code")
        self.copy_button.setObjectName("copyDeviceCodeButton")
        self.copy_button.clicked.connect(copy_code)
        code_row.addWidget(self.copy_button)
        code_row.addStretch(1)
        rows.addLayout(code_row)
        self.link_label = QLabel()
        self.link_label.setObjectName("deviceLinkLabel")
        self.link_label.setTextFormat(Qt.TextFormat.RichText)
        self.link_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextBrowserInteraction)
        self.link_label.linkActivated.connect(open_link)
        rows.addWidget(self.link_label)
        self.expiry_label = QLabel()
        self.expiry_label.setObjectName("deviceExpiryLabel")
        rows.addWidget(self.expiry_label)
        rows.addStretch(1)  # the rows together at the top, however tall the QR code beside them
