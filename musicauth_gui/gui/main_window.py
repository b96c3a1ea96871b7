"""The main window: the profile list (filterable, live countdowns) and the selected profile.

Start-up (see ``benchmarks/``): with ``lazy=True`` the constructor builds only what the first
paint shows (menus, toolbar, filter field, an empty list) and imports no core module: the core
pulls in asyncio, httpx, cryptography and PyJWT, which together cost more than the bare window.
``complete()`` builds the rest (the model, the row delegate, the detail pane) once the window is
on screen; ``attach()`` calls it too, so the order can never be wrong. The app's start goes one
step further: ``complete_list()`` builds the list alone, ``attach()`` lists the profiles into it,
and ``complete()`` builds the panes (the detail pane's modules and widgets, ~15 ms here) just
after, selecting the profile to show: the list and auto-renew do not wait for them.

The window remembers itself (``gui/settings.py``): geometry, splitter and filter text are put
back before the first paint (reading them costs well under a millisecond, and a window that
jumps after it appeared is worse), the selected profile once the profiles are listed; all of it
is saved when the window is closed or the app quits.

Keyring trouble never closes the window: a locked or failing keyring is a banner with Retry (and
Unlock where the backend can prompt), a damaged profile entry is a row of its own with Remove and
Re-import, and the readable profiles work meanwhile.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

# Only what the first paint needs is imported here; each PySide6 class costs its Python type's
# creation on first use (QMessageBox, the tray and the proxy model are imported where used).
# Not ``Qt`` either: its first use builds every enum of the Qt namespace (~25 ms), so the code
# before the first paint uses none, and methods that run later import it themselves.
from PySide6.QtCore import QByteArray, QTimer, Signal
from PySide6.QtGui import QAction, QCloseEvent, QHideEvent, QPaintEvent, QShowEvent
from PySide6.QtWidgets import (
    QLabel,
    QListView,
    QMainWindow,
    QSplitter,
    QToolBar,
    QVBoxLayout,
    QWidget,
)

from .. import APP_NAME, __version__
from .countdown import clock_time, format_remaining
from .icons import app_icon, icon
from .settings import Preferences
from .shortcuts import Shortcut, StandardKey, key_sequence
from .widgets.filter_field import FilterField
from .widgets.store_banner import StoreBanner

if TYPE_CHECKING:
    from pathlib import Path

    from PySide6.QtCore import QSortFilterProxyModel
    from PySide6.QtWidgets import QPushButton

    from ..core.errors import MusicAuthError
    from ..core.model import ProfileRecord
    from ..core.state import DamagedEntry, ProfileState
    from .context import AppContext
    from .damaged_pane import DamagedEntryPane
    from .detail_pane import ProfileDetailPane
    from .error_actions import ErrorActions
    from .profile_action_rules import Subject
    from .profile_model import ProfileListModel
    from .running_actions import RunningActions
    from .tray import TrayIcon
    from .welcome_pane import WelcomePane
    from .widgets.change_probe import FontAndStyleProbe
    from .widgets.profile_delegate import ProfileDelegate


def _shortened(text: str, limit: int = 40) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def spawn(*args: Any, **kwargs: Any) -> Any:
    """``tasks.spawn``, imported on first use (it imports asyncio)."""
    from .tasks import spawn as _spawn

    return _spawn(*args, **kwargs)


class MainWindow(QMainWindow):
    """Signals:
        first_painted(): emitted once, after the window's first paint (start-up measurement).
        quit_requested(): the user chose Quit (the tray keeps the app alive on close).
    """

    first_painted = Signal()
    quit_requested = Signal()

    model: ProfileListModel
    proxy: QSortFilterProxyModel
    detail: ProfileDetailPane
    running: RunningActions
    _delegate: ProfileDelegate
    _change_probe: FontAndStyleProbe

    def __init__(
        self,
        *,
        demo: bool = False,
        clock: Callable[[], float] = time.time,
        lazy: bool = False,
        preferences: Preferences | None = None,
    ) -> None:
        """Args:
            demo: the title says so.
            clock: wall clock for the countdowns (tests freeze it).
            lazy: build only what the first paint needs; ``complete()`` builds the rest.
            preferences: the app's (``Preferences.open(demo=demo)`` unless given).
        """
        super().__init__()
        self.preferences = preferences if preferences is not None else Preferences.open(demo=demo)
        self.preferences.changed.connect(self._on_preference_changed)
        self._pending_selection: str | None = None
        self._splitter_state: QByteArray | None = None
        self.context: AppContext | None = None
        self.demo = demo
        self.tray: TrayIcon | None = None
        self._clock = clock
        self._painted = False
        self._quitting = False
        self._complete = False  # the panes too: complete() has run
        #: The countdown tick stopped (the window hidden): logind must tell a wake-up then.
        self._tick_resting = False
        self._list_built = False  # the model, the proxy, the rows: complete_list() has run
        #: The profile the user chose last: it stays chosen while the filter hides it, and is
        #: selected again when the filter shows it (``_apply_filter``).
        self._chosen: str | None = None
        self._filtering = False
        #: The store could not be opened: the banner's Retry opens it again (``open_store``).
        self._reopen = False
        self._opening = False
        #: Each failing profile's renewal problem as last notified: a retry of the same problem
        #: notifies nothing; a new problem, or the token expiring meanwhile, notifies again.
        self._problems: dict[str, str] = {}
        self.demo_button: QPushButton | None = None
        #: The first run's pane (``welcome_pane.py``), built the first time there is no profile.
        self.welcome: WelcomePane | None = None
        #: A damaged entry's pane (``_damaged_pane``), made when the first one is selected.
        self.damaged_pane: DamagedEntryPane | None = None
        self.setWindowTitle(f"{APP_NAME}" + (" — demo (sandbox providers, nothing is stored)" if demo else ""))
        self.setWindowIcon(app_icon())
        self.resize(1040, 680)

        central = QWidget()
        layout = QVBoxLayout(central)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        self.banner = StoreBanner()
        self.banner_text = self.banner.text
        self.banner.retry_clicked.connect(self.retry_store)
        self.banner.unlock_clicked.connect(self.unlock_store)
        layout.addWidget(self.banner)

        splitter = QSplitter()
        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(8, 8, 0, 8)
        self.filter_edit = FilterField()
        self.filter_edit.setObjectName("filterEdit")
        self.filter_edit.setAccessibleName("Filter profiles")
        self.filter_edit.setPlaceholderText("Filter profiles (Ctrl+F)")
        self.filter_edit.setClearButtonEnabled(True)
        left_layout.addWidget(self.filter_edit)
        self.list_view = QListView()
        self.list_view.setObjectName("profileList")
        self.list_view.setAccessibleName("Profiles")
        self.list_view.setUniformItemSizes(True)
        self.list_view.setSelectionMode(QListView.SelectionMode.SingleSelection)
        self.list_view.doubleClicked.connect(lambda *_: self.edit_profile())
        left_layout.addWidget(self.list_view)
        self.empty_label = QLabel("Loading profiles…")
        self.empty_label.setObjectName("emptyLabel")
        self.empty_label.setProperty("role", "muted")
        self.empty_label.setWordWrap(True)
        left_layout.addWidget(self.empty_label)
        self._left_layout = left_layout
        splitter.addWidget(left)
        # The detail pane's place until complete(): nothing is selected before the profiles load.
        self._detail_placeholder: QWidget | None = QWidget()
        splitter.addWidget(self._detail_placeholder)
        splitter.setStretchFactor(0, 0)
        splitter.setStretchFactor(1, 1)
        splitter.setSizes([340, 700])
        self._splitter = splitter
        layout.addWidget(splitter, 1)
        self.setCentralWidget(central)

        self._shortcuts: list[tuple[QAction, Shortcut]] = []
        self._build_actions()
        self.statusBar().showMessage("Opening the keyring…" if not demo else "Starting the sandbox providers…")
        self._restore_window_state()
        if not lazy:
            self.complete()

    def complete_list(self) -> None:
        """Build the list's part of what the first paint does not need: the model, the filter's
        proxy, the row delegate. Idempotent; ``complete()`` calls it.

        Until ``complete()`` builds the panes, ``attach()`` lists the profiles without selecting
        one (the selection waits for the detail pane) and ``_show_current()`` does nothing.
        """
        if self._list_built:
            return
        self._list_built = True
        from PySide6.QtCore import QSortFilterProxyModel, Qt

        from .profile_model import ProfileListModel, Role
        from .widgets.profile_delegate import ProfileDelegate

        self.model = ProfileListModel(clock=self._clock, parent=self)
        self.proxy = QSortFilterProxyModel(self)
        self.proxy.setSourceModel(self.model)
        self.proxy.setFilterCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.proxy.setFilterRole(Role.FILTER_TEXT)  # name, provider label, flow, state
        self.proxy.setFilterFixedString(self.filter_edit.text())  # typed before complete()
        self.filter_edit.textChanged.connect(self._apply_filter)
        self.filter_edit.leave_requested.connect(self._focus_list)
        self.list_view.setModel(self.proxy)
        self.empty_label.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        self._delegate = ProfileDelegate(self.list_view)
        self.list_view.setItemDelegate(self._delegate)
        # Rows take the list's width and elide the name, never the countdown: no sideways
        # scrolling, and the list (the splitter may not collapse it) keeps room for one row
        # (its least width comes with the panes: _fit_list_width()).
        self.list_view.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self._splitter.setChildrenCollapsible(False)
        self.list_view.selectionModel().currentChanged.connect(self._on_current_changed)
        from .sleep_watch import WakeWatcher

        # The countdown tick also compares the clocks: a jump means the machine slept.
        self.wake_watcher = WakeWatcher(parent=self)
        self.model.ticked.connect(self.wake_watcher.check)
        self.wake_watcher.woke.connect(self._on_woke)
        for changed in (self.proxy.rowsInserted, self.proxy.rowsRemoved, self.proxy.modelReset, self.proxy.layoutChanged):
            changed.connect(lambda *_: self._update_empty())
        # The proxy drops a row while the source is about to (the source still counts it): the
        # source's own signal says when the last profile is really gone.
        self.model.rowsRemoved.connect(lambda *_: self._update_empty())

    def complete(self) -> None:
        """Build what the first paint does not need: the list (``complete_list()``), the detail
        pane and the panes beside it; where the profiles are already listed, select the one to
        show. Idempotent; ``attach()`` calls it unless the app's start defers it.
        """
        if self._complete:
            return
        self.complete_list()
        self._complete = True
        from PySide6.QtWidgets import QStackedWidget

        from .detail_pane import ProfileDetailPane
        from .running_actions import RunningActions

        self.detail = ProfileDetailPane()
        # What the user started and is still running, per profile: the rows, the pane, the tray
        # and the action rules all read it here.
        self.running = RunningActions(self)
        self.running.changed.connect(self._on_running_changed)
        self.detail.use_running(self.running)
        self.detail.use_actions(self.profile_actions)
        self.detail.use_error_actions(self.error_actions())
        self.detail.status_message.connect(self.statusBar().showMessage)
        self.detail.action_failed.connect(self._on_action_failed)
        self.detail.sign_in_changed.connect(self._on_sign_in_changed)
        self.detail_stack = QStackedWidget()
        self.detail_stack.setObjectName("detailStack")
        self.detail_stack.addWidget(self.detail)
        # Over whichever pane is shown: what failed of what the user did from the window (a
        # save, a removal, an import), with the error's actions as buttons. The status bar's
        # line alone went unseen, and offered nothing to click.
        from PySide6.QtWidgets import QVBoxLayout

        from .widgets.message_line import MessageLine

        # Held here: PySide does not hand the widget replaceWidget() takes over to the splitter,
        # and a local would delete it (and the panes in it) when complete() returns.
        self.pane_area = right = QWidget()
        right.setObjectName("paneArea")
        right_layout = QVBoxLayout(right)
        right_layout.setContentsMargins(0, 0, 0, 0)
        right_layout.setSpacing(0)
        self.operation_line = MessageLine(object_name="operationMessage")
        line_box = QVBoxLayout()
        line_box.setContentsMargins(16, 10, 16, 0)
        line_box.addWidget(self.operation_line)
        right_layout.addLayout(line_box)
        right_layout.addWidget(self.detail_stack, 1)
        old = self._splitter.replaceWidget(1, right)
        if old is not None:
            old.deleteLater()
        self._detail_placeholder = None
        self._fit_list_width()
        self._follow_font_and_style()

        for action, shortcut in self._shortcuts:
            action.setShortcut(key_sequence(shortcut))
        # Ctrl+C and Del act on the selected profile while the list has the focus (elsewhere they
        # keep their usual meaning, e.g. in the filter field).
        self.profile_actions.set_shortcuts(self.list_view)
        self._build_row_menu()
        self._update_profile_actions()

        self.model.ticked.connect(lambda: self.detail.tick(self._current_record()))
        # A row's state changes with its events and with the clock (each tick announces one):
        # the actions follow the selected row's.
        self.model.dataChanged.connect(lambda *_: self._update_profile_actions())
        if self.context is not None:
            # Attached before the panes were built (the app's start): the selection they waited for.
            self.detail.set_context(self.context)
            self._update_empty()
            self._select_listed()
            self._show_current()  # the row may have been current already (a click): no signal then
            self._listen_for_sleep()

    def _fit_list_width(self) -> None:
        """The list's least width: a row's (the delegate's), the scroll bar and the frame. Set
        with the panes, not with the list (until they come the list has the splitter's width,
        which is wider). The scroll bar's width is its size hint (the style's extent), not
        ``style().pixelMetric()``: a window at rest never builds PySide's QStyle class and its
        enums (~3.5 ms, ~0.5 MB of RSS)."""
        scroll_bar = self.list_view.verticalScrollBar().sizeHint().width()
        frame = 2 * self.list_view.frameWidth()
        self.list_view.setMinimumWidth(self._delegate.minimum_row_width(self.list_view.font()) + scroll_bar + frame)

    def _on_detail(self, method: str, *args: object) -> Callable[[], None]:
        """A slot calling ``self.detail.<method>(*args)``; a no-op until ``complete()``."""

        def slot() -> None:
            if self._complete:
                getattr(self.detail, method)(*args)

        return slot

    # -- actions --------------------------------------------------------------------------------

    def _action(
        self,
        text: str,
        icon_name: str,
        slot: Callable[[], object],
        shortcut: Shortcut | None = None,
        name: str = "",
    ) -> QAction:
        action = QAction(icon(icon_name), text, self)
        if shortcut is not None:
            # Set in complete(): setShortcut() resolves its overloads through Qt.Key, which
            # builds the whole Qt namespace (~25 ms) before the first paint otherwise.
            self._shortcuts.append((action, shortcut))
        action.setObjectName(name)
        action.triggered.connect(lambda _=False: slot())
        return action

    def _build_actions(self) -> None:
        self.new_action = self._action("&New profile…", "add", self.new_profile, StandardKey("New"), "newProfile")
        self.import_action = self._action("&Import profiles…", "import", self.import_profiles, "Ctrl+O", "importProfiles")
        self.export_action = self._action("E&xport profiles…", "export", self.export_profiles, "Ctrl+Shift+S", "exportProfiles")
        self.keys_action = self._action("&Signing keys…", "key", self.open_key_manager, "Ctrl+K", "keyManager")
        self.devtoken_action = self._action("&DevToken generator…", "devtoken", self.open_devtoken_dialog, "Ctrl+D", "devtokenDialog")
        self.find_action = self._action("&Filter", "filter", self._focus_filter, StandardKey("Find"), "filter")
        self._build_profile_actions()
        self.quit_action = self._action("&Quit", "sign-out", self.quit, StandardKey("Quit"), "quit")

        toolbar = QToolBar("Main")
        toolbar.setObjectName("mainToolbar")
        toolbar.setMovable(False)
        # Qt.ToolButtonStyle.ToolButtonTextBesideIcon, set by name: no Qt enum before the paint.
        toolbar.setProperty("toolButtonStyle", "ToolButtonTextBesideIcon")
        for action in (self.new_action, self.import_action, self.keys_action, self.devtoken_action):
            toolbar.addAction(action)
        self.addToolBar(toolbar)
        self.toolbar = toolbar
        #: The toolbar's width with its words (measured once shown): narrower, icons only.
        self._toolbar_text_width: int | None = None
        self._toolbar_wide = True  # words beside the icons (set just above)

        menu = self.menuBar()
        file_menu = menu.addMenu("&File")
        for action in (self.new_action, self.import_action, self.export_action):
            file_menu.addAction(action)
        file_menu.addSeparator()
        file_menu.addAction(self.quit_action)
        self.profile_menu = menu.addMenu("&Profile")
        self.profile_menu.setObjectName("profileMenu")
        self.profile_actions.fill_menu(self.profile_menu)
        tools = menu.addMenu("&Tools")
        tools.addAction(self.keys_action)
        tools.addAction(self.devtoken_action)
        tools.addAction(self.find_action)
        tools.addSeparator()
        # "Ctrl+," as in most desktop apps (Qt's StandardKey.Preferences has no binding on GNOME).
        self.preferences_action = self._action("&Preferences…", "settings", self.open_preferences, "Ctrl+,", "preferences")
        tools.addAction(self.preferences_action)
        help_menu = menu.addMenu("&Help")
        help_menu.addAction(self._action("&About musicauth", "info", self._about, None, "about"))

    def _build_profile_actions(self) -> None:
        """The actions on the selected profile (gui/profile_actions.py): one set for the Profile
        menu, the rows' context menu and the detail pane's buttons, shown and enabled by the
        selected profile's state (``_update_profile_actions``)."""
        from .profile_actions import ProfileActions

        actions = self.profile_actions = ProfileActions(self)
        slots: dict[QAction, Callable[[], None]] = {
            actions.copy_token: self._on_detail("copy", "token"),
            actions.copy_header: self._on_detail("copy", "header"),
            actions.copy_curl: self._on_detail("copy", "curl"),
            actions.get_token: self._on_detail("run_action", "get"),
            actions.sign_in: self._on_detail("sign_in"),
            actions.renew: self._on_detail("run_action", "renew"),
            actions.cancel_sign_in: self._on_detail("cancel_sign_in"),
            actions.cancel_running: self._on_detail("cancel_running"),
            actions.sign_out: self._on_detail("sign_out"),
            actions.try_it: self._on_detail("run_action", "try"),
            actions.introspect: self._on_detail("run_action", "introspect"),
            # Looked up when triggered, not now (a test may stand in for one).
            actions.edit: lambda: self.edit_profile(),
            actions.remove: lambda: self.remove_profile(),
            actions.remove_entry: lambda: self.remove_profile(),  # a damaged entry goes by its name too
            actions.reimport: lambda: self.import_profiles(),
        }
        for action, slot in slots.items():
            action.triggered.connect(lambda _=False, slot=slot: slot())
        # The names other code and the tests know them by.
        self.copy_action, self.copy_header_action = actions.copy_token, actions.copy_header
        self.sign_in_action, self.renew_action, self.try_action = actions.sign_in, actions.renew, actions.try_it
        self.edit_action, self.remove_action = actions.edit, actions.remove

    def _focus_filter(self) -> None:
        from PySide6.QtCore import Qt

        self.filter_edit.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.filter_edit.selectAll()

    def _build_row_menu(self) -> None:
        """The rows' context menu: the profile actions again, on the row clicked (right click)
        or the selected one (the Menu key, Shift+F10)."""
        from PySide6.QtCore import Qt
        from PySide6.QtGui import QKeySequence
        from PySide6.QtWidgets import QMenu

        self.row_menu = QMenu(self.list_view)
        self.row_menu.setObjectName("profileContextMenu")
        self.profile_actions.fill_menu(self.row_menu)
        self.list_view.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.list_view.customContextMenuRequested.connect(self._on_row_menu_requested)
        # The keyboard's ways to the same menu (Qt maps neither to a context-menu event on every
        # platform), while the list has the focus.
        keys = QAction("Profile actions", self)
        keys.setObjectName("profileContextMenuKey")
        keys.setShortcuts([QKeySequence("Menu"), QKeySequence("Shift+F10")])
        keys.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)
        keys.triggered.connect(lambda _=False: self.show_row_menu())
        self.list_view.addAction(keys)

    def _on_row_menu_requested(self, pos: Any) -> None:
        """A right click at ``pos`` (viewport coordinates): the menu for the row under it."""
        from PySide6.QtCore import QItemSelectionModel

        index = self.list_view.indexAt(pos)
        if not index.isValid():
            return  # empty space below the rows: no profile to act on
        self.list_view.selectionModel().setCurrentIndex(index, QItemSelectionModel.SelectionFlag.ClearAndSelect)
        self.row_menu.popup(self.list_view.viewport().mapToGlobal(pos))

    def show_row_menu(self) -> None:
        """The context menu of the selected row, at the row (the keyboard's way to it)."""
        index = self.list_view.currentIndex()
        if not index.isValid():
            return
        self.list_view.scrollTo(index)
        rect = self.list_view.visualRect(index)
        self.row_menu.popup(self.list_view.viewport().mapToGlobal(rect.center()))

    def _subject(self) -> Subject | DamagedEntry | None:
        """What the profile actions act on: the selected row's record and state, its damaged
        entry, or None."""
        from .profile_action_rules import Subject
        from .profile_model import Role

        index = self.list_view.currentIndex()
        if not index.isValid():
            return None
        damaged: DamagedEntry | None = index.data(Role.DAMAGED)
        if damaged is not None:
            return damaged
        name = index.data(Role.NAME)
        return Subject(
            index.data(Role.RECORD),
            index.data(Role.PROFILE_STATE),
            self.model.clock(),
            running=self.running.actions(name),
            cancellable=self.running.cancellable(name),
        )

    def _update_profile_actions(self) -> None:
        if self._complete:
            self.profile_actions.show_for(self._subject())

    # -- the filter -----------------------------------------------------------------------------

    def _apply_filter(self, text: str) -> None:
        """Filter the rows; the chosen profile stays selected while it matches, and is selected
        again when it matches again (nothing else is selected in its place meanwhile)."""
        from PySide6.QtCore import QItemSelectionModel, QModelIndex

        self._filtering = True  # where Qt moves the selection meanwhile is not the user's choice
        try:
            self.proxy.setFilterFixedString(text)
            chosen = self._visible_index(self._chosen)
            selection = self.list_view.selectionModel()
            if chosen.isValid():
                if chosen != self.list_view.currentIndex():
                    selection.setCurrentIndex(chosen, QItemSelectionModel.SelectionFlag.ClearAndSelect)
            elif self.list_view.currentIndex().isValid():
                selection.setCurrentIndex(QModelIndex(), QItemSelectionModel.SelectionFlag.Clear)
        finally:
            self._filtering = False
        self._show_current()
        self._update_empty()

    def _visible_index(self, name: str | None) -> Any:
        """The list's index of ``name``; invalid when there is none or the filter hides it."""
        from PySide6.QtCore import QModelIndex

        row = self.model.row_of(name) if name is not None else -1
        return self.proxy.mapFromSource(self.model.index(row)) if row >= 0 else QModelIndex()

    def _focus_list(self) -> None:
        """From the filter into the list (Down, Esc on an empty filter); the first match gets
        selected when nothing is."""
        from PySide6.QtCore import QItemSelectionModel, Qt

        self.list_view.setFocus(Qt.FocusReason.OtherFocusReason)
        if not self.list_view.currentIndex().isValid() and self.proxy.rowCount() > 0:
            first = self.proxy.index(0, 0)
            self.list_view.selectionModel().setCurrentIndex(first, QItemSelectionModel.SelectionFlag.ClearAndSelect)

    # -- start-up -------------------------------------------------------------------------------

    @property
    def painted(self) -> bool:
        """Whether the window has been painted at least once."""
        return self._painted

    def paintEvent(self, event: QPaintEvent) -> None:
        super().paintEvent(event)
        if not self._painted:
            self._painted = True
            QTimer.singleShot(0, self.first_painted.emit)

    async def attach(self, context: AppContext, *, panes: bool = True) -> None:
        """Connect to the core and show the profiles (called once the window is up).

        Args:
            panes: build the panes first (``complete()``); False (the app's start) lists the
                profiles into the list alone, and ``complete()``, called after, selects one.
        """
        self.complete_list()
        if panes:
            self.complete()
        self.context = context
        if self._complete:
            self.detail.set_context(context)
        bridge = context.bridge
        bridge.profile_changed.connect(self._on_profile_changed)
        bridge.renewal_started.connect(self._on_renewal_started)
        bridge.token_renewed.connect(self._on_renewed)
        bridge.renewal_failed.connect(self._on_renewal_failed)
        bridge.expiry_neared.connect(self._on_expiring)
        bridge.store_changed_elsewhere.connect(self._on_outside_change)
        context.clipboard.clear_after = float(self.preferences.clipboard_clear_seconds)
        self._pending_selection = self.preferences.selected_profile  # selected once they are listed
        await self.load_profiles()
        if self._complete:
            self._listen_for_sleep()
        # else complete() does, with the panes: the clock's jump notices a wake-up meanwhile,
        # and subscribing to logind (QtDBus, ~1.5 ms) is not on the way to the listed profiles.

    def _listen_for_sleep(self) -> None:
        # While the countdown ticks (from the start, hidden or not, until the window is first
        # hidden) its 1 s tick compares the clocks and notices a wake-up within a second; logind
        # is for when the tick rests. Not subscribed before: QtDBus and its connection's thread
        # were 1.2 MB of the resting window's peak RSS (benchmarks/startup.py).
        if self._tick_resting and not self.demo and not self.wake_watcher.listening_to_logind:
            self.wake_watcher.listen_to_logind()

    async def load_profiles(self) -> bool:
        """List the profiles and start auto-renew; False when the keyring could not be read.

        Never raises: a locked or failing keyring becomes the banner (Retry, and Unlock where
        the backend can prompt) and damaged entries become rows of their own, so the window
        stays up whatever the keyring does.
        """
        from ..core.errors import MusicAuthError

        assert self.context is not None
        context = self.context
        try:
            listing = await context.engine.scan()
        except Exception as exc:  # MusicAuthError mostly; a bug must not close the window either
            if not isinstance(exc, MusicAuthError):
                import logging

                logging.getLogger(__name__).error("listing the profiles failed", exc_info=exc)
            self._show_keyring_problem(exc)
            return False
        records = listing.records
        # The user's choice while the window was up (kept through a filter), else the one the
        # preferences remembered from the last run, once the profiles are listed.
        selected = self._chosen or self._pending_selection
        self._pending_selection = None
        self.model.set_records(records, listing.damaged)
        for record in records:
            context.scheduler.watch(record.name)
        self._refresh_tray()
        self.banner.clear()
        self._show_damage()
        self._update_empty()
        if not self._complete:
            self._pending_selection = selected  # complete() selects it with the panes
        elif self.model.all_names():
            # The rows' first paint in one event-loop pass, the detail pane's in the next: both
            # in one pass was the longest stall of start-up (benchmarks/stall.py, "attach":
            # 25-45 ms -> 15-35 ms).
            import asyncio

            await asyncio.sleep(0)
            self._pending_selection = selected
            self._select_listed()
        self.statusBar().showMessage(
            f"{len(records)} profile{'s' if len(records) != 1 else ''}"
            + (f", {len(listing.damaged)} damaged" if listing.damaged else "")
            + (" · demo mode: sandbox providers on 127.0.0.1" if self.demo else ""),
            8000,
        )
        return True

    def _select_listed(self) -> None:
        """Select the pending choice where it is listed, else the first profile."""
        selected, self._pending_selection = self._pending_selection, None
        names = self.model.all_names()
        if names:
            self.select(selected if selected in names else names[0])

    def _show_damage(self) -> None:
        """A warning banner while damaged entries are listed; it goes with the last of them.
        A keyring error in the banner stays (it says more)."""
        damaged = self.model.damaged_names()
        if damaged:
            one = len(damaged) == 1
            self.banner.show_problem(
                f"{len(damaged)} profile entr{'y' if one else 'ies'} in the keyring {'is' if one else 'are'} damaged "
                f"({', '.join(map(repr, damaged))}); the other profiles work. "
                f"Select {'it' if one else 'one'} to remove it or import it again.",
                kind="warning",
                extra=[("Show damaged entry" if one else "Show damaged entries", "showDamagedButton", lambda: self.select(damaged[0]))],
            )
        elif self.banner.property("kind") == "warning":
            self.banner.clear()

    def _show_keyring_problem(self, exc: BaseException) -> None:
        """The keyring could not be listed (locked, failing): the banner, with a way out."""
        from .messages import message_text

        assert self.context is not None
        self.banner.show_problem(
            message_text(exc), kind="error", unlock=self.context.engine.can_prompt_unlock(), extra=self._banner_actions(exc)
        )
        if not self.model.all_names():
            self.empty_label.setText("Your profiles show here once the keyring can be read: unlock it, then Retry.")
            self.empty_label.show()
        self.statusBar().showMessage("The keyring could not be read")

    def retry_store(self) -> None:
        """Read the keyring again (the banner's Retry); open the store again where it could
        not be opened at all."""
        if self.context is None:
            if self._reopen and not self._opening:
                spawn(self.open_store(), on_error=self.statusBar().showMessage, owner=self)
            return
        self.banner.set_busy(True)

        async def work() -> None:
            try:
                await self.load_profiles()
            finally:
                self.banner.set_busy(False)

        spawn(work(), on_error=self.statusBar().showMessage, owner=self)

    def unlock_store(self) -> None:
        """Ask the keyring for its unlock prompt (the banner's Unlock), then read it again."""
        if self.context is None:
            return
        engine = self.context.engine
        self.banner.set_busy(True)
        self.statusBar().showMessage("Waiting for the keyring's unlock prompt…")

        async def work() -> None:
            from ..core.errors import MusicAuthError

            try:
                await engine.prompt_unlock()  # on the keyring's thread: it may wait on the user
            except MusicAuthError as exc:
                self._show_keyring_problem(exc)
                return
            finally:
                self.banner.set_busy(False)
            await self.load_profiles()

        spawn(work(), on_error=self.statusBar().showMessage, owner=self)

    def _on_woke(self, how: str) -> None:
        """The machine resumed: every token gets a look now, not at the next timer."""
        if self.context is None:
            return
        self.context.scheduler.wake()
        self.statusBar().showMessage("Resumed: checking every token", 5000)

    async def open_store(self, *, panes: bool = True) -> bool:
        """Open the store the environment chooses and attach to it; False when it cannot be
        opened. The vault file's passphrase, where the environment does not give it, is asked
        in a dialog (``dialogs/vault_passphrase.py``).

        Never raises: what went wrong (no keyring, no or a wrong passphrase, a damaged vault
        file) is the banner, whose Retry runs this again.

        Args:
            panes: as ``attach()``'s.
        """
        import asyncio
        import functools

        from ..core.errors import MusicAuthError
        from .context import AppContext
        from .messages import error_text

        if self.context is not None or self._opening:
            return self.context is not None
        self._opening = True
        self.banner.set_busy(True)
        self.statusBar().showMessage("Opening the keyring…" if not self.demo else "Starting the sandbox providers…")
        loop = asyncio.get_running_loop()

        def ask(new: bool, path: Path) -> str | None:
            # Imported when asked, not on the way to every start (~1 ms). This runs on the
            # store's thread while the GUI thread may import too: safe, since an import deadlock
            # needs a cycle, and nothing imports vault_passphrase but this (it imports PySide6,
            # already loaded, and widgets/secret_field, which imports no dialog).
            from .dialogs.vault_passphrase import ask_vault_passphrase, thread_prompt

            return thread_prompt(functools.partial(ask_vault_passphrase, self), loop)(new, path)
        try:
            context = await AppContext.open(demo=self.demo, ask_passphrase=ask)
        except Exception as exc:  # MusicAuthError mostly; a bug must not close the window either
            if not isinstance(exc, MusicAuthError):
                import logging

                logging.getLogger(__name__).error("opening the store failed", exc_info=exc)
            self.show_store_error(error_text(exc), retry=True, error=exc)
            return False
        finally:
            self._opening = False
        self._reopen = False
        for action in self._store_actions():
            action.setEnabled(True)
        if self.demo_button is not None:
            self.demo_button.hide()
        self.banner.clear()
        self.empty_label.setText("Loading profiles…")
        await self.attach(context, panes=panes)
        return True

    def show_store_error(self, message: str, *, retry: bool = False, error: BaseException | None = None) -> None:
        """The store could not be opened (no keyring, no vault passphrase, a damaged vault
        file): say so where the list would be.

        Args:
            retry: the banner offers Retry, which opens the store again (``open_store``).
            error: what went wrong: its words replace ``message``, its actions are buttons.
        """
        from .messages import message_text

        self._reopen = retry
        if error is not None:
            message = message_text(error)
        self.banner.show_problem(message, retry=retry, extra=self._banner_actions(error) if error is not None else ())
        self.empty_label.setText(
            "Your profiles show here once their store can be opened"
            + (": see the message above, then Retry." if retry else ".")
            + ("" if self.demo else " To look around without an account or a keyring, try the demo: sandbox providers, nothing stored.")
        )
        self.empty_label.show()
        if not self.demo:
            self._show_demo_button()
        for action in self._store_actions():
            action.setEnabled(False)
        self.statusBar().showMessage("The profiles could not be opened")

    def _store_actions(self) -> tuple[QAction, ...]:
        """What needs an open store."""
        return (self.new_action, self.import_action, self.keys_action, self.devtoken_action, self.export_action)

    def _show_demo_button(self) -> None:
        if self.demo_button is None:
            from PySide6.QtWidgets import QPushButton

            self.demo_button = QPushButton("Try the demo")
            self.demo_button.setObjectName("tryDemoButton")
            self.demo_button.setToolTip("Start musicauth in demo mode in a window of its own: your own store is not touched")
            self.demo_button.clicked.connect(lambda _=False: self.start_demo_app())
            self._left_layout.insertWidget(self._left_layout.indexOf(self.empty_label) + 1, self.demo_button)
        self.demo_button.show()

    def start_demo_app(self) -> bool:
        """Start the app in demo mode, as a process of its own (this one keeps its store)."""
        from PySide6.QtCore import QProcess

        from ..core.autostart import launch_command

        command = launch_command("--demo")
        started, _pid = QProcess.startDetached(command[0], command[1:])
        self.statusBar().showMessage("Starting the demo in a window of its own…" if started else "The demo could not be started", 8000)
        return bool(started)

    def _update_empty(self) -> None:
        """Say why the list is empty: no profiles yet, or none matching the filter."""
        if not self._list_built:
            return
        if self.model.rowCount() == 0:
            if not self.banner.isVisibleTo(self):
                self.empty_label.setText("No profiles yet. Ctrl+N adds one; Ctrl+O imports a profiles file.")
            self.empty_label.show()
        elif self.proxy.rowCount() == 0:
            self.empty_label.setText(f"No profile matches “{_shortened(self.filter_edit.text())}”. Esc clears the filter.")
            self.empty_label.show()
        else:
            self.empty_label.hide()
        # No matches: the words take the empty list's place, at the top, where the eye is.
        self.list_view.setVisible(self.model.rowCount() == 0 or self.proxy.rowCount() > 0)
        if not self._complete:
            return  # no pane yet to welcome in: complete() calls this again
        # The welcome comes with the last profile's removal and goes with the first profile.
        on_welcome = self.welcome is not None and self.detail_stack.currentWidget() is self.welcome
        if on_welcome != self._welcoming():
            self._show_current()

    # -- selection ------------------------------------------------------------------------------

    def select(self, name: str) -> None:
        """Choose ``name``: selected now, or once the filter shows it."""
        from PySide6.QtCore import QItemSelectionModel

        if self.model.row_of(name) < 0:
            return
        self._chosen = name
        index = self._visible_index(name)
        self.list_view.selectionModel().setCurrentIndex(index, QItemSelectionModel.SelectionFlag.ClearAndSelect)

    def _on_current_changed(self, current: Any, previous: Any) -> None:
        from .profile_model import Role

        if not self._complete:
            # A click before the panes are built: complete() selects it with them.
            if not self._filtering and current.isValid():
                self._pending_selection = current.data(Role.NAME)
            return

        if not self._filtering and current.isValid():
            self._chosen = current.data(Role.NAME)  # the user's choice (a click, the arrows)
            self.operation_line.clear()  # the user moved on from what failed
        self._show_current()

    def selected_name(self) -> str | None:
        from .profile_model import Role

        index = self.list_view.currentIndex()
        return index.data(Role.NAME) if index.isValid() else None

    def _current_record(self) -> ProfileRecord | None:
        name = self.selected_name()
        return self.model.record(name) if name else None

    def _show_current(self) -> None:
        from .profile_model import Role

        if not self._complete:
            return  # no pane to show it in yet: complete() selects one

        index = self.list_view.currentIndex()
        damaged = index.data(Role.DAMAGED) if index.isValid() else None
        if damaged is not None:
            self.detail.show_profile(None, None)  # nothing for Ctrl+C and friends to act on
            pane = self._damaged_pane()
            pane.show_entry(damaged)
            self.detail_stack.setCurrentWidget(pane)
            self._update_profile_actions()
            return
        if not index.isValid() and self._welcoming():
            self.detail.show_profile(None, None)
            self.detail_stack.setCurrentWidget(self._welcome_pane())
            self._update_profile_actions()
            return
        self.detail_stack.setCurrentWidget(self.detail)
        if not index.isValid():
            self.detail.show_profile(None, None, hint=self._nothing_shown_hint())
            self._update_profile_actions()
            return
        self.detail.show_profile(
            index.data(Role.RECORD), index.data(Role.STATE), index.data(Role.MESSAGE), profile_state=index.data(Role.PROFILE_STATE)
        )
        self._update_profile_actions()

    def _welcoming(self) -> bool:
        """Whether the welcome takes the pane: the store is open and holds no profile at all."""
        return self.context is not None and self.model.rowCount() == 0

    def _damaged_pane(self) -> DamagedEntryPane:
        # A damaged entry has no record to show: its own pane takes the detail pane's place.
        # Made when the first one is selected: a window at rest has no use for it.
        if self.damaged_pane is None:
            from .damaged_pane import DamagedEntryPane

            self.damaged_pane = DamagedEntryPane()
            self.damaged_pane.remove_requested.connect(lambda name: self.remove_profile())
            self.damaged_pane.reimport_requested.connect(lambda name: self.import_profiles())
            self.detail_stack.addWidget(self.damaged_pane)
        return self.damaged_pane

    def _welcome_pane(self) -> WelcomePane:
        if self.welcome is None:
            from .welcome_pane import WelcomePane

            self.welcome = WelcomePane(demo=self.demo)
            self.welcome.new_profile_requested.connect(lambda provider: self.new_profile(provider=provider))
            self.welcome.import_requested.connect(lambda: self.import_profiles())
            self.welcome.demo_requested.connect(lambda: self.start_demo_app())
            self.detail_stack.addWidget(self.welcome)
        return self.welcome

    def _nothing_shown_hint(self) -> str | None:
        """Why nothing is selected, when the filter is the reason (None: the usual words)."""
        if self.model.rowCount() == 0 or not self.filter_edit.text():
            return None
        if self.proxy.rowCount() == 0:
            return "No profile matches the filter. Esc in the filter clears it."
        if self._visible_index(self._chosen).isValid() or self.model.row_of(self._chosen or "") < 0:
            return "Choose one of the profiles that match the filter."
        return f"“{_shortened(self._chosen or '')}” is hidden by the filter. Esc in the filter shows it again."

    # -- core events ----------------------------------------------------------------------------

    def _on_profile_changed(self, name: str) -> None:
        assert self.context is not None
        record = self.context.engine.record(name)
        if record is None:
            self.model.remove(name)
        else:
            self.model.upsert(record)
            one = self.model.state_of(name)
            if one is not None and one[1].reason is None:
                self._problems.pop(name, None)  # renewed, or signed in again: a new problem is news
        self._refresh_tray(name)
        self._show_damage()
        if name == self.selected_name():
            self._show_current()

    def _on_renewal_started(self, name: str) -> None:
        self.model.set_renewing(name, True)
        self._refresh_tray(name)

    def _on_sign_in_changed(self, name: str, signing_in: bool) -> None:
        self.model.set_signing_in(name, signing_in)
        self._refresh_tray(name)

    def _on_renewed(self, name: str) -> None:
        self.model.set_renewing(name, False)
        self._problems.pop(name, None)
        self._on_profile_changed(name)

    def _on_running_changed(self, name: str) -> None:
        """An action the user started on ``name`` began, ended or is finishing: the row, the
        tray and the actions (through the row's change) follow."""
        from .messages import running_text

        self.model.set_running(name, running_text(self.running.entries(name)), renews=self.running.renewing(name))
        self._refresh_tray(name)

    def _on_renewal_failed(self, name: str, error: MusicAuthError, retry_in: float) -> None:
        from .messages import error_text

        now = self._clock()
        next_attempt_at = now + retry_in if retry_in >= 0 else None
        message = error_text(error, retried=next_attempt_at is not None)  # "retrying at" follows
        self.model.set_error(name, message, next_attempt_at=next_attempt_at, cause=error)
        self._refresh_tray(name)
        if name == self.selected_name():
            self._show_current()
        when = f"; retrying at {clock_time(next_attempt_at)}" if next_attempt_at is not None else ""
        self.statusBar().showMessage(f"{name}: {message}{when}", 10000)
        # One notification per problem, not per retry: again when the problem changes, or when
        # the token it leaves in place stops working.
        record = self.model.record(name)
        token = record.token if record is not None else None
        gone = token is None or (token.expires_at is not None and token.expires_at <= now)
        problem = f"{type(error).__name__}: {message}" + (" (token expired)" if gone else "")
        if self._problems.get(name) == problem:
            return
        self._problems[name] = problem
        if gone:
            self._notify(f"{name} has no working token", message + when, warning=True)
        else:
            self._notify(f"Renewal of {name} failed", f"{message}. The token still works{when}.", warning=True)

    def _on_expiring(self, name: str, seconds_left: float) -> None:
        self._notify(
            f"{name} expires in {format_remaining(seconds_left)}",
            "This token cannot renew itself: sign in again to keep working.",
            warning=True,
        )

    def _on_action_failed(self, name: str, message: str) -> None:
        self.statusBar().showMessage(f"{name}: {message}", 10000)

    def _on_outside_change(self, stamps: set[str]) -> None:
        """Another process (the CLI) changed the store: reload what changed, a few records only."""
        assert self.context is not None
        context = self.context

        async def reload() -> None:
            changes = await context.engine.changes_from_outside(stamps, self.model.all_names())
            for gone in changes.gone:
                context.scheduler.unwatch(gone)
                self.model.remove(gone)
            for entry in changes.damaged:  # damaged by another process, or still damaged
                context.scheduler.unwatch(entry.name)
                self.model.set_damaged(entry)
            for name in changes.removed:  # removed meanwhile; any other error (locked) is shown
                self.model.remove(name)
            for record in changes.records:
                self.model.upsert(record)
                context.scheduler.watch(record.name)
            self._refresh_tray()
            self._show_damage()
            self._show_current()

        spawn(reload(), **self._operation("reload", retry=lambda: self._on_outside_change(stamps)))

    # -- what a message's buttons do (gui/error_actions.py) ----------------------------------------

    def error_actions(self) -> ErrorActions:
        """The window's handlers of the actions errors suggest (Retry there: reading the store)."""
        from .error_actions import ErrorActions

        return ErrorActions(self, retry=self.retry_store)

    def _banner_actions(self, exc: BaseException) -> list[tuple[str, str, Callable[[], object]]]:
        """The banner's buttons for ``exc``'s actions beside its own Retry and Unlock (which
        carry out the ones that come down to reading the store again)."""
        from ..core.errors import MusicAuthError
        from .error_actions import HANDLED_BY_RETRY
        from .messages import button_label
        from .widgets.message_line import action_object_name

        if not isinstance(exc, MusicAuthError):
            return []
        actions = self.error_actions()
        buttons: list[tuple[str, str, Callable[[], object]]] = []
        for action in exc.actions:
            run = actions.handler(action, exc)
            if run is not None and action not in HANDLED_BY_RETRY:
                buttons.append((button_label(action, exc), action_object_name(action), run))
        return buttons

    def _operation(self, operation: str, retry: Callable[[], object] | None = None) -> dict[str, Any]:
        """``spawn``'s failure handler for a window ``operation`` (``messages.OPERATION_WORDS``):
        the status bar's line as before, and the message line over the pane with the error's
        actions as buttons, Retry doing ``retry`` (the operation again). Clears the line of the
        operation before: a new one starts."""
        from .error_actions import ErrorActions
        from .messages import error_text, failed_text

        self.operation_line.clear()

        def failed(exc: MusicAuthError) -> None:
            self.statusBar().showMessage(error_text(exc))
            self.operation_line.show_error(exc, ErrorActions(self, retry=retry), text=failed_text(operation, exc))

        return {"on_failure": failed, "owner": self}

    def sign_in_profile(self, name: str) -> None:
        """Select ``name`` and start its sign-in (a message's "Sign in")."""
        if self._complete and self._show_profile(name):
            self.detail.sign_in()

    def get_token_of(self, name: str) -> None:
        if self._complete and self._show_profile(name):
            self.detail.run_action("get")

    def edit_profile_field(self, name: str, field: str | None) -> None:
        """The editor of ``name`` with ``field`` focused (a message's "Edit Client secret")."""
        record = self.model.record(name) if self._complete else None
        if record is not None:
            self.select(name)
            self.new_profile(existing=record, focus_field=field)

    def new_profile_for(self, name: str | None) -> None:
        """A message's "New profile…" (a profile that was not found)."""
        self.new_profile()

    def remove_entry(self, name: str) -> None:
        """A message's "Remove entry…": the profile's removal, confirmed as from the menu."""
        if self._complete and self._show_profile(name):
            self.remove_profile()

    def repair_store(self) -> None:
        """A message's "Repair store": the index rebuilt from what the keyring holds, then listed."""
        if self.context is None:
            return
        context = self.context

        async def work() -> None:
            await context.engine.repair_store(self.model.all_names())
            await self.load_profiles()

        spawn(work(), **self._operation("repair", retry=self.repair_store))

    def use_file_vault(self) -> None:
        """A message's "Use the vault file…" when no keyring could be opened: open the
        passphrase-encrypted vault file instead, for this session (the store is chosen at
        start, so only while none is open)."""
        if self.context is not None:
            return
        import os

        os.environ["MUSICAUTH_STORE"] = "file"  # the documented switch (docs/cli.md), this process only
        self.retry_store()

    def set_variable(self, variable: str, then: Callable[[], object] | None) -> None:
        """A message's "Set variable…": the value a profile reads from ``variable``, asked
        masked and kept by the engine for this session only (never stored, never in the
        environment of the programs the app starts), then ``then`` (the retry)."""
        from .dialogs import prompts

        value = prompts.ask_text(self, title="Set variable", label=f"Value of {variable} for this session:", password=True)
        if not value or self.context is None:
            return
        self.context.engine.set_session_variable(variable, value)
        if then is not None:
            then()

    def _show_profile(self, name: str) -> bool:
        """Select ``name``; whether the pane shows it now (the filter may hide it)."""
        self.select(name)
        return self.selected_name() == name

    # -- profile management ---------------------------------------------------------------------

    def new_profile(
        self, existing: ProfileRecord | None = None, *, provider: str | None = None, focus_field: str | None = None
    ) -> None:
        """The editor for a new profile (of ``provider``'s preset, when given) or ``existing``
        (with ``focus_field`` focused, when given)."""
        if self.context is None:
            return
        from .dialogs.profile_editor import ProfileEditorDialog

        focus = {"focus_field": focus_field} if focus_field else {}
        result = ProfileEditorDialog.ask(self, self.context, existing=existing, provider=provider, **focus)
        if result is None:
            return
        context = self.context

        async def save() -> None:
            await context.engine.import_profiles([result])
            self.select(result.profile.name)
            context.scheduler.watch(result.profile.name)
            self.statusBar().showMessage(f"Saved {result.profile.name}", 5000)

        def again() -> None:
            spawn(save(), **self._operation("save", retry=again))  # the same profile, not the editor again

        again()

    def edit_profile(self) -> None:
        record = self._current_record()
        if record is not None:
            self.new_profile(existing=record)

    def remove_profile(self) -> None:
        name = self.selected_name()
        if self.context is None or name is None:
            return
        from .confirmations import confirm_remove

        if not confirm_remove(self, name, self.model.record(name)):
            return  # Cancel is the default: nothing was touched
        context = self.context

        async def remove() -> None:
            context.scheduler.unwatch(name)
            await context.engine.remove_profile(name)
            self.model.remove(name)
            self._refresh_tray()
            self._show_damage()

        spawn(remove(), **self._operation("remove", retry=self.remove_profile))

    def import_profiles(self) -> None:
        if self.context is None:
            return
        from .dialogs.profiles_io import import_profiles_file

        context = self.context

        async def work() -> None:
            names = await import_profiles_file(self, context)
            for name in names or []:
                context.scheduler.watch(name)
            if names:
                self.statusBar().showMessage(f"Imported {', '.join(names)}", 5000)

        spawn(work(), **self._operation("import", retry=self.import_profiles))

    def export_profiles(self) -> None:
        if self.context is None:
            return
        from .dialogs.profiles_io import export_profiles_file

        context = self.context

        async def work() -> None:
            path = await export_profiles_file(self, context, self.model.names())
            if path:
                self.statusBar().showMessage(f"Exported to {path} (no secrets)", 5000)

        spawn(work(), **self._operation("export", retry=self.export_profiles))

    def open_key_manager(self) -> None:
        if self.context is None:
            return
        from .dialogs.key_manager import KeyManagerDialog

        KeyManagerDialog.open_for(self, self.context)

    def open_devtoken_dialog(self) -> None:
        if self.context is None:
            return
        from .dialogs.devtoken_dialog import DevTokenDialog

        record = self._current_record()
        DevTokenDialog.open_for(self, self.context, profile=record.name if record and record.profile.flow == "devtoken" else None)

    # -- preferences and the remembered window state -----------------------------------------------

    def open_preferences(self) -> None:
        from .dialogs.preferences import PreferencesDialog

        PreferencesDialog.open_for(self, self.preferences, demo=self.demo)

    def _on_preference_changed(self, name: str) -> None:
        """Apply a changed preference at once (the dialog has no OK button)."""
        if name == "clipboard_clear_seconds" and self.context is not None:
            self.context.clipboard.clear_after = float(self.preferences.clipboard_clear_seconds)
        elif name == "theme":
            from PySide6.QtWidgets import QApplication

            from .icons import apply_theme

            app = QApplication.instance()
            if isinstance(app, QApplication):
                apply_theme(app, self.preferences.theme)

    def _restore_window_state(self) -> None:
        """Geometry, splitter and filter text as they were last saved (before the first paint)."""
        geometry = self.preferences.window_geometry
        if geometry is not None:
            self.restoreGeometry(geometry)
        # The splitter's sizes only once the window has its size (showEvent): restored into
        # the splitter's provisional size, they would be rescaled when the window is laid out.
        self._splitter_state = self.preferences.splitter_state
        self.filter_edit.setText(self.preferences.filter_text)

    def save_window_state(self) -> None:
        """Remember geometry, splitter, filter text and selection for the next start."""
        prefs = self.preferences
        prefs.window_geometry = self.saveGeometry()
        # Never shown (started --hidden, quit from the tray): the state read at start, unapplied.
        prefs.splitter_state = self._splitter_state if self._splitter_state is not None else self._splitter.saveState()
        prefs.filter_text = self.filter_edit.text()
        if self._complete and self.context is not None and self.model.all_names():
            # Only once listed: a keyring still locked at quit must not forget the selection.
            prefs.selected_profile = self.selected_name()
        prefs.sync()

    # -- tray, notifications, closing -------------------------------------------------------------

    def install_tray(self) -> None:
        from PySide6.QtWidgets import QSystemTrayIcon

        if not QSystemTrayIcon.isSystemTrayAvailable():
            return
        from .tray import TrayIcon

        self.tray = TrayIcon(show_window=self.bring_to_front, copy_token=self._copy_token_of, quit_app=self.quit, parent=self)
        # The times left in the entries' texts are the opening moment's, not the last event's.
        self.tray.menu.aboutToShow.connect(lambda: self._refresh_tray())
        self._refresh_tray()
        self.tray.show()

    def _refresh_tray(self, name: str | None = None) -> None:
        """Show each profile's state in the tray menu (only ``name``'s when given: every renewal
        calls this, and the menu may hold many profiles)."""
        if self.tray is None or self.context is None:
            return
        from .profile_action_rules import Subject, token_obtainable
        from .profile_model import state_summary
        from .tray import TrayEntry

        now = self.model.clock()

        def entry(record: ProfileRecord, state: ProfileState) -> TrayEntry:
            obtainable = token_obtainable(Subject(record, state, now))
            return TrayEntry(record.name, record.profile.provider, state_summary(state, now), obtainable)

        one = self.model.state_of(name) if name is not None else None
        if one is None or not self.tray.update_entry(entry(*one)):
            self.tray.set_profiles([entry(record, state) for record, state in self.model.states()])

    def _copy_token_of(self, name: str) -> None:
        if self.context is None:
            return
        context = self.context

        async def work() -> None:
            issued = await context.engine.credential(name)  # renewed first, as every copy is
            context.clipboard.copy_secret(issued.credential.value.reveal(), what="token")
            self._notify("Token copied", f"{name}: {context.clipboard.clear_note()}")

        task = spawn(work(), on_error=lambda m: self._notify(f"{name}: no token", m, warning=True), owner=self)
        record = self.model.record(name)
        if self._complete and record is not None and self.model.due_soon(name):
            # It renews first: the row shows it running, like a copy from the window.
            from .profile_action_rules import ProfileAction
            from .running_actions import stop_for

            action = ProfileAction.COPY_TOKEN
            self.running.start(name, action, task, stop=stop_for(action, record, context.engine.clock.now()))

    def _notify(self, title: str, message: str, *, warning: bool = False) -> bool:
        """A tray notification, unless switched off in the preferences; whether one was sent."""
        if self.tray is None or not self.preferences.notifications:
            return False
        return self.tray.notify(title, message, warning=warning)

    def bring_to_front(self) -> None:
        self.showNormal()
        self.raise_()
        self.activateWindow()

    def quit(self) -> None:
        self._quitting = True
        self.save_window_state()
        self.quit_requested.emit()

    def hideEvent(self, event: QHideEvent) -> None:
        super().hideEvent(event)
        model = getattr(self, "model", None)  # absent until complete() in a lazy start
        if model is not None:
            model.set_ticking(False)  # renewals go on; only the countdown display rests
            self._tick_resting = True
            if self._complete and self.context is not None and not self._quitting:
                self._listen_for_sleep()

    def resizeEvent(self, event: Any) -> None:
        super().resizeEvent(event)
        self._fit_toolbar()

    def _follow_font_and_style(self) -> None:
        """Measure the toolbar's words again whenever the window's font or style changes, from
        now on; and once now, for a change before (the colour scheme's style sheet, after the
        first paint).

        Heard by a zero-sized child (``FontAndStyleProbe``), not an event filter on the window
        or its ``changeEvent``, whose first plain ``QEvent`` builds ~53 event classes (0.6 MB at
        rest; the probe's module says why).
        """
        from .widgets.change_probe import FontAndStyleProbe

        self._change_probe = FontAndStyleProbe(self)
        self._change_probe.font_changed.connect(self._measure_toolbar_again)
        # A new application style sheet re-polishes every widget in no set order (a hash of
        # them all), so the toolbar's buttons may still have the old one now: measured once the
        # loop is back, when all of them have the new one.
        self._change_probe.style_changed.connect(lambda: QTimer.singleShot(0, self._measure_toolbar_again))
        self._measure_toolbar_again()

    def _measure_toolbar_again(self) -> None:
        if self._toolbar_text_width is not None:
            self._toolbar_text_width = None
            self._fit_toolbar()

    def _fit_toolbar(self) -> None:
        """Words beside the icons where they fit; icons alone (their words in the tooltips and
        accessible names) where the window is too narrow, rather than clipped behind a »."""
        # The style set by name and remembered in _toolbar_wide: this runs before the first
        # paint (showEvent, resizeEvent), where a Qt.* enum builds the whole Qt namespace (~17 ms).
        if self._toolbar_text_width is None:
            if not self.isVisible():
                return
            self.toolbar.setProperty("toolButtonStyle", "ToolButtonTextBesideIcon")
            self._toolbar_wide = True
            self._toolbar_text_width = self.toolbar.sizeHint().width()
            for action in self.toolbar.actions():
                widget = self.toolbar.widgetForAction(action)
                if widget is not None:
                    widget.setAccessibleName(action.iconText())
        wide = self.width() >= self._toolbar_text_width
        if wide != self._toolbar_wide:
            self.toolbar.setProperty("toolButtonStyle", "ToolButtonTextBesideIcon" if wide else "ToolButtonIconOnly")
            self._toolbar_wide = wide

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        self._fit_toolbar()
        if self._splitter_state is not None:
            self._splitter.restoreState(self._splitter_state)
            self._splitter_state = None
        model = getattr(self, "model", None)
        if model is not None:
            model.set_ticking(True)
            self._tick_resting = False

    def closeEvent(self, event: QCloseEvent) -> None:
        self.save_window_state()
        if self.tray is not None and self.tray.isVisible() and not self._quitting:
            # Keep renewing in the tray, as password managers do; Quit ends the app.
            self.hide()
            self._hint_at_the_tray()
            event.ignore()
            return
        self.quit_requested.emit()
        event.accept()

    def _hint_at_the_tray(self) -> None:
        """Say once, ever, that closing left the app in the tray (never in demo mode, whose
        closing is part of clicking around)."""
        if self.demo or self.preferences.tray_hint_shown:
            return
        if self._notify("musicauth keeps running", "Tokens stay renewed; Quit from the tray menu to stop."):
            self.preferences.tray_hint_shown = True

    def _about(self) -> None:
        from PySide6.QtWidgets import QMessageBox

        QMessageBox.about(
            self,
            "About musicauth",
            f"<b>musicauth {__version__}</b><p>Tokens for music APIs, kept in the OS keyring and renewed "
            "before they expire.</p><p>Local only: no account, no sync, no telemetry. Nothing leaves this "
            "machine except the calls to the providers you configure.</p>",
        )

