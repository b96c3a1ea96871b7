"""A third, informational floor: a window showing what the app's window shows at rest, with no
app code, on the at-rest libraries.

Run by ``benchmarks.startup`` beside the at-rest floor (``floor_libraries`` with
``MUSICAUTH_BENCH_AT_REST=1``), whose start it repeats: the bare window painted, then the
libraries a listed window at rest needs and PySide's Qt namespace. Then, with plain Qt widgets,
the visible content of the benchmark's window (``resources/screenshots/main-window.png`` is the
demo's): a menu bar of four menus, a toolbar of four actions with their SVG icons, a filter
field with its clear button, a ``QListView`` of 50 rows (two lines of text and a provider's SVG
icon each, the default delegate, the first selected), and beside it the detail pane's widgets (a
header of icon, title, subtitle and badge; a masked line edit with an eye action; three copy
buttons; a progress bar and a countdown; two dated rows and a check box in a form; five action
buttons; a tab widget of two read-only ``QPlainTextEdit`` with a line of text in the current
one), in a scroll area, a status-bar message, and the app's light style sheet and icons read from
``resources/`` (data, not code). It prints ``ready <t>`` once that content has painted. With
``MUSICAUTH_BENCH_ALL_LIBRARIES=1`` it imports all of ``floor_libraries.LIBRARIES`` instead
(the "everything loaded" row's floor). With ``MUSICAUTH_BENCH_APP_MODULES`` naming a file of
module names (``app_loaded.py`` writes the app's), it then imports those modules too, and runs
none of their code beyond their top level: the floor of that row with the app's code in memory.

What the app's peak RSS at rest has above this is its own (its modules, its records, its model,
its row painter's cached layers, the engine and scheduler, the qasync executor's threads); what
this has above the at-rest floor is the window's content, which the app cannot show for less
with the same widgets.
"""

import os
import sys
import time
from pathlib import Path

from .floor_libraries import QApplication, QTimer, Window, import_libraries  # first: PySide6 without its import hook

RESOURCES = Path(__file__).resolve().parent.parent / "resources"
ROWS = 50
PROVIDERS = (("musixmatch", "Musixmatch"), ("spotify", "Spotify"), ("soundcloud", "SoundCloud"), ("groove", "Groove app token"))


def _icon(name: str):  # type: ignore[no-untyped-def]
    from PySide6.QtGui import QIcon

    return QIcon(str(RESOURCES / "icons" / f"{name}.svg"))


def _sheet() -> str:
    from PySide6.QtWidgets import QApplication

    size = QApplication.font().pointSizeF()
    heading = f"{size * 1.3:.1f}pt" if size > 0 else "16px"
    return (RESOURCES / "styles" / "light.qss").read_text("utf-8").replace("@heading_size@", heading)


def _list_side():  # type: ignore[no-untyped-def]
    from PySide6.QtCore import QSize
    from PySide6.QtGui import QStandardItem, QStandardItemModel
    from PySide6.QtWidgets import QLineEdit, QListView, QVBoxLayout, QWidget

    left = QWidget()
    layout = QVBoxLayout(left)
    layout.setContentsMargins(8, 8, 0, 8)
    filter_edit = QLineEdit()
    filter_edit.setPlaceholderText("Filter profiles (Ctrl+F)")
    filter_edit.setClearButtonEnabled(True)
    layout.addWidget(filter_edit)
    view = QListView()
    view.setObjectName("profileList")
    view.setUniformItemSizes(True)
    view.setIconSize(QSize(32, 32))
    model = QStandardItemModel(view)
    icons = {key: _icon(f"provider-{key}") for key, _ in PROVIDERS}
    for i in range(ROWS):
        key, label = PROVIDERS[i % len(PROVIDERS)]
        item = QStandardItem(icons[key], f"bench-{i:04d}    29d 23h 58m\nvalid · {label}")
        item.setSizeHint(QSize(300, 58))
        item.setEditable(False)
        model.appendRow(item)
    view.setModel(model)
    view.setCurrentIndex(model.index(0, 0))
    layout.addWidget(view)
    return left


def _detail_side():  # type: ignore[no-untyped-def]
    from PySide6.QtCore import Qt
    from PySide6.QtGui import QAction, QFontDatabase
    from PySide6.QtWidgets import (
        QCheckBox,
        QFormLayout,
        QFrame,
        QHBoxLayout,
        QLabel,
        QLineEdit,
        QPlainTextEdit,
        QProgressBar,
        QPushButton,
        QScrollArea,
        QTabWidget,
        QVBoxLayout,
        QWidget,
    )

    scroll = QScrollArea()
    scroll.setWidgetResizable(True)
    scroll.setFrameShape(QFrame.Shape.NoFrame)
    scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
    body = QWidget()
    scroll.setWidget(body)
    outer = QVBoxLayout(body)
    outer.setContentsMargins(16, 12, 16, 12)
    outer.setSpacing(10)

    head = QHBoxLayout()
    icon = QLabel()
    icon.setFixedSize(40, 40)
    icon.setPixmap(_icon("provider-musixmatch").pixmap(40, 40))
    head.addWidget(icon)
    titles = QVBoxLayout()
    title = QLabel("bench-0000")
    title.setProperty("role", "heading")
    subtitle = QLabel("Musixmatch · client credentials · bench-client")
    subtitle.setProperty("role", "muted")
    for label in (title, subtitle):
        label.setWordWrap(True)
        titles.addWidget(label)
    head.addLayout(titles, 1)
    badge = QLabel("valid")
    badge.setObjectName("badge")
    badge.setProperty("state", "valid")
    head.addWidget(badge)
    outer.addLayout(head)

    mono = QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont)
    token = QLineEdit("token-0000-" + "x" * 40)
    token.setReadOnly(True)
    token.setEchoMode(QLineEdit.EchoMode.Password)
    token.setFont(mono)
    token.addAction(QAction(_icon("reveal"), "Show", token), QLineEdit.ActionPosition.TrailingPosition)
    outer.addWidget(token)

    def buttons(*faces: tuple[str, str]) -> QHBoxLayout:
        row = QHBoxLayout()
        for text, name in faces:
            row.addWidget(QPushButton(_icon(name), text))
        row.addStretch(1)
        return row

    outer.addLayout(buttons(("Copy &token", "copy"), ("Copy &header", "copy"), ("Copy c&url", "copy")))
    life = QHBoxLayout()
    bar = QProgressBar()
    bar.setObjectName("expiry")
    bar.setRange(0, 1000)
    bar.setValue(999)
    bar.setTextVisible(False)
    life.addWidget(bar, 1)
    countdown = QLabel("29d 23h 58m")
    countdown.setObjectName("countdown")
    countdown.setFont(mono)
    life.addWidget(countdown)
    outer.addLayout(life)
    form = QFormLayout()
    form.addRow("Issued:", QLabel("2026-11-30 17:14:04 UTC"))
    form.addRow("Expires:", QLabel("2026-12-30 17:14:04 UTC"))
    auto_renew = QCheckBox("&Auto-renew before expiry")
    auto_renew.setChecked(True)
    form.addRow("", auto_renew)
    outer.addLayout(form)
    outer.addLayout(
        buttons(("&Get token", "renew"), ("&Renew now", "renew"), ("Sign &out", "sign-out"), ("Tr&y it", "try"), ("&Introspect", "info"))
    )
    tabs = QTabWidget()
    claims = "The token is opaque (not a JWT): the provider alone knows what it holds."
    for name, text in (("Token claims", claims), ("Provider answer", "")):
        view = QPlainTextEdit(text)
        view.setReadOnly(True)
        view.setFont(mono)
        tabs.addTab(view, name)
    outer.addWidget(tabs, 1)
    return scroll


def _import_app_modules() -> None:
    """The modules named in ``MUSICAUTH_BENCH_APP_MODULES``'s file, if set: their code, classes
    and constants, as the app holds them, without a window of theirs."""
    listing = os.environ.get("MUSICAUTH_BENCH_APP_MODULES")
    if not listing:
        return
    import importlib

    for name in Path(listing).read_text("utf-8").split():
        importlib.import_module(name)


class ContentWindow(Window):
    def _report(self) -> None:
        print(f"first-paint {time.monotonic():.6f}", flush=True)
        import_libraries()
        _import_app_modules()
        from PySide6.QtCore import Qt
        from PySide6.QtWidgets import QSplitter, QToolBar

        Qt.AlignmentFlag.AlignLeft  # noqa: B018 - builds the Qt namespace, as the at-rest floor does
        app = QApplication.instance()
        assert isinstance(app, QApplication)
        app.setStyleSheet(_sheet())
        menus = self.menuBar()
        for title in ("&File", "&Profile", "&Tools", "&Help"):
            menus.addMenu(title).addAction(title.strip("&"))
        toolbar = QToolBar("Main")
        toolbar.setMovable(False)
        toolbar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        faces = (("New profile", "add"), ("Import profiles", "import"), ("Signing keys", "key"), ("DevToken generator", "devtoken"))
        for text, name in faces:
            toolbar.addAction(_icon(name), text)
        self.addToolBar(toolbar)
        splitter = QSplitter()
        splitter.addWidget(_list_side())
        splitter.addWidget(_detail_side())
        splitter.setStretchFactor(1, 1)
        splitter.setSizes([340, 700])
        self.setCentralWidget(splitter)
        self.statusBar().showMessage("50 profiles")
        self.repaint()  # the content painted before ready, as the app's rows and pane are
        print(f"ready {time.monotonic():.6f}", flush=True)
        if not os.environ.get("MUSICAUTH_BENCH_STAY"):  # the parent reads /proc, then ends it
            QApplication.quit()


def main() -> int:
    if not os.environ.get("MUSICAUTH_BENCH_ALL_LIBRARIES"):
        os.environ["MUSICAUTH_BENCH_AT_REST"] = "1"  # the at-rest floor's libraries
    app = QApplication(sys.argv[:1])
    window = ContentWindow()
    window.resize(1040, 680)
    window.show()
    if os.environ.get("MUSICAUTH_BENCH_GRAB"):  # a look at it: python -m benchmarks.floor_content
        QTimer.singleShot(1500, lambda: (window.grab().save(os.environ["MUSICAUTH_BENCH_GRAB"]), app.quit()))
    return app.exec()


if __name__ == "__main__":
    sys.exit(main())
