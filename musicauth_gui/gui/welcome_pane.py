"""The first run's pane: what musicauth does, and the three ways to begin.

Shown in the detail pane's place while there is no profile at all (a store just made, or every
profile removed): a new profile (the providers people use today first, Groove last), an import
of a profiles file, or the demo in a window of its own. Built on first need, after the first
paint: a start with profiles never builds it.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QLabel, QMenu, QPushButton, QVBoxLayout, QWidget

from ..core.presets import PRESETS
from .icons import icon, provider_icon

WELCOME_TITLE = "Welcome to musicauth"
WELCOME_TEXT = (
    "Tokens for the music APIs you build on: app tokens, OAuth 2.0 sign-in through your browser, "
    "Apple Music and MusicAPI developer tokens.\n"
    "Kept in your system's keyring, renewed before they expire, copied in one click."
)


class WelcomePane(QWidget):
    """Signals:
        new_profile_requested(str): the provider chosen for a new profile (a preset id).
        import_requested(): "Import profiles…".
        demo_requested(): "Try the demo".

    Args:
        demo: this is the demo already; no "Try the demo" button.
    """

    new_profile_requested = Signal(str)
    import_requested = Signal()
    demo_requested = Signal()

    def __init__(self, *, demo: bool = False, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("welcomePane")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(24, 24, 24, 24)
        layout.setSpacing(12)
        title = QLabel(WELCOME_TITLE)
        title.setObjectName("welcomeTitle")
        title.setProperty("role", "heading")
        text = QLabel(WELCOME_TEXT)
        text.setObjectName("welcomeText")
        text.setWordWrap(True)
        layout.addWidget(title)
        layout.addWidget(text)

        self.new_button = QPushButton(icon("add"), "&New profile…")
        self.new_button.setObjectName("welcomeNewButton")
        self.new_button.setToolTip("Choose the provider; the editor opens with its endpoints and scopes filled in")
        self.provider_menu = QMenu(self.new_button)
        self.provider_menu.setObjectName("welcomeProviderMenu")
        for preset in PRESETS.values():  # in the offered order: live services first, Groove last
            action = QAction(provider_icon(preset.id), preset.label, self.provider_menu)
            action.setData(preset.id)
            action.triggered.connect(lambda _=False, provider=preset.id: self.new_profile_requested.emit(provider))
            self.provider_menu.addAction(action)
        self.new_button.setMenu(self.provider_menu)
        self.import_button = QPushButton(icon("import"), "&Import profiles…")
        self.import_button.setObjectName("welcomeImportButton")
        self.import_button.setToolTip("Read profiles from a profiles file (TOML); secrets go to the keyring")
        self.import_button.clicked.connect(lambda _=False: self.import_requested.emit())
        self.demo_button = QPushButton(icon("try"), "Try the &demo")
        self.demo_button.setObjectName("welcomeDemoButton")
        self.demo_button.setToolTip("Start musicauth in demo mode in a window of its own: sandbox providers, your store is not touched")
        self.demo_button.clicked.connect(lambda _=False: self.demo_requested.emit())
        self.demo_button.setVisible(not demo)
        for button in (self.new_button, self.import_button, self.demo_button):
            layout.addWidget(button, 0, Qt.AlignmentFlag.AlignLeft)
        layout.addStretch(1)

    def providers(self) -> list[str]:
        """The preset ids of the provider menu, in its order."""
        return [action.data() for action in self.provider_menu.actions()]
