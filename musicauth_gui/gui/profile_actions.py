"""The actions on the selected profile: one QAction each, shared by the Profile menu, the list's
context menu and the detail pane's buttons.

Each action is shown, greyed out or hidden by ``profile_action_rules.offer`` for the selected
profile's state, and the window calls ``show_for`` again whenever that state may have changed
(a new selection, a row's change, the countdown tick, a sign-in starting or ending). What an
action does is the window's business: it connects ``triggered`` to its own slots.

Built before the first paint (the menus hold these actions), so this module imports no core
module at import time; the rules, which do, are imported on the first ``show_for``.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QMenu, QWidget

from .icons import icon
from .shortcuts import Shortcut, StandardKey, key_sequence

if TYPE_CHECKING:
    from PySide6.QtWidgets import QAbstractButton

    from ..core.state import DamagedEntry
    from .profile_action_rules import Subject

#: objectName, text, icon (None: none fits), shortcut. Shortcuts users rely on (README's
#: Keyboard list): Ctrl+C in the list copies the token, Ctrl+Shift+C the header, Ctrl+L signs in
#: (or gets the token, for a flow without a sign-in: the two are never shown together), Ctrl+R
#: renews, Ctrl+T tries, Ctrl+E edits, Del removes.
SPECS: tuple[tuple[str, str, str | None, Shortcut | None], ...] = (
    ("copyToken", "&Copy token", "copy", StandardKey("Copy")),
    ("copyHeader", "Copy &header", "copy", "Ctrl+Shift+C"),
    ("copyCurl", "Copy c&url", "copy", None),
    ("getToken", "&Get token", "renew", "Ctrl+L"),
    ("signIn", "&Sign in", "sign-in", "Ctrl+L"),
    ("renew", "&Renew now", "renew", "Ctrl+R"),
    ("cancelSignIn", "Cancel sign-i&n", None, None),
    ("cancelRunning", "Cancel the running &action", None, None),
    ("signOut", "Sign &out", "sign-out", None),
    ("tryIt", "&Try it", "try", "Ctrl+T"),
    ("introspect", "&Introspect", "info", None),
    ("editProfile", "&Edit profile…", "edit", "Ctrl+E"),
    ("removeProfile", "&Remove profile…", "delete", StandardKey("Delete")),
    ("removeEntry", "Remove &entry…", "delete", StandardKey("Delete")),
    ("reimportEntry", "Re-&import…", "import", None),
)

#: The shortcuts that mean something else outside the list (Ctrl+C and Del in the filter field):
#: they act on the selected profile only while the list has the focus.
LIST_ONLY = frozenset({"copyToken", "removeProfile", "removeEntry"})

#: The menus' groups, in order (a separator between groups; an empty group adds none).
GROUPS = (
    ("copyToken", "copyHeader", "copyCurl"),
    ("getToken", "signIn", "renew", "cancelSignIn", "cancelRunning", "signOut"),
    ("tryIt", "introspect"),
    ("editProfile", "removeProfile", "removeEntry", "reimportEntry"),
)


class ProfileActions(QObject):
    """The profile actions, by objectName (``actions["signIn"]``) or attribute (``sign_in``).

    No signals of its own: each action's ``triggered`` is the thing to connect.
    """

    def __init__(self, parent: QWidget) -> None:
        super().__init__(parent)
        self._actions: dict[str, QAction] = {}
        for name, text, icon_name, _ in SPECS:
            action = QAction(icon(icon_name), text, parent) if icon_name else QAction(text, parent)
            action.setObjectName(name)
            action.setEnabled(False)  # nothing is selected before the profiles are listed
            self._actions[name] = action
        a = self._actions
        self.copy_token, self.copy_header, self.copy_curl = a["copyToken"], a["copyHeader"], a["copyCurl"]
        self.get_token, self.sign_in, self.renew = a["getToken"], a["signIn"], a["renew"]
        self.cancel_sign_in, self.cancel_running, self.sign_out = a["cancelSignIn"], a["cancelRunning"], a["signOut"]
        self.try_it, self.introspect = a["tryIt"], a["introspect"]
        self.edit, self.remove = a["editProfile"], a["removeProfile"]
        self.remove_entry, self.reimport = a["removeEntry"], a["reimportEntry"]

    def __getitem__(self, name: str) -> QAction:
        return self._actions[name]

    def __iter__(self) -> Iterator[QAction]:
        return iter(self._actions.values())

    def set_shortcuts(self, list_view: QWidget) -> None:
        """Give each action its shortcut; those in ``LIST_ONLY`` work while ``list_view`` has
        the focus. Called after the first paint: ``setShortcut`` and the shortcut context touch
        Qt's enums, whose first use costs about 25 ms (see main_window.py)."""
        from PySide6.QtCore import Qt

        for name, _, _, shortcut in SPECS:
            if shortcut is None:
                continue
            action = self._actions[name]
            action.setShortcut(key_sequence(shortcut))
            if name in LIST_ONLY:
                action.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)
                list_view.addAction(action)

    def fill_menu(self, menu: QMenu) -> None:
        """Add every action to ``menu``, grouped; hidden ones take no room there."""
        for i, group in enumerate(GROUPS):
            if i:
                menu.addSeparator()
            for name in group:
                menu.addAction(self._actions[name])

    def show_for(self, subject: Subject | DamagedEntry | None) -> None:
        """Show, grey out or hide each action for ``subject`` (None: nothing selected)."""
        from .profile_action_rules import Availability, offer

        for action, availability in offer(subject).items():
            qaction = self._actions[action.value]
            # Visibility first: Qt disables a hidden action (its shortcut included), and the
            # two actions sharing Ctrl+L or Del must never both be live.
            qaction.setVisible(availability is not Availability.HIDDEN)
            qaction.setEnabled(availability is Availability.ENABLED)


def bind_button(button: QAbstractButton, action: QAction) -> None:
    """Make ``button`` a face of ``action``: clicking it triggers the action, and it is shown and
    enabled as the action is. (A QPushButton keeps its own text and mnemonic, which in the pane
    are shorter than the menu's.)"""
    from PySide6.QtGui import QKeySequence

    def follow() -> None:
        button.setVisible(action.isVisible())
        button.setEnabled(action.isEnabled())
        keys = action.shortcut().toString(QKeySequence.SequenceFormat.NativeText)
        button.setToolTip(f"{action.toolTip()} ({keys})" if keys else action.toolTip())

    button.clicked.connect(lambda _=False: action.trigger())
    action.changed.connect(follow)
    follow()
