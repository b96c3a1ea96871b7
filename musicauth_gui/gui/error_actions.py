"""What each suggested action does when its button is clicked.

An error carries the actions the user can take (``core/errors.py``, ``Action``); the message
line shows one button per action (``widgets/message_line.py``, worded by
``messages.button_label``), and this module is what the button runs. One table,
``HANDLERS``, holds every action, so none is a dead button and a new one fails
``tests/gui/test_error_actions.py`` until it has a handler.

Most actions are the window's to carry out (sign in to the profile, edit its field, unlock the
keyring): the window is the ``ActionHost``. Where a message is shown decides what "Retry" means
(the renewal, the key import, opening the store), so each place gives its own ``retry``; a
dialog can also carry out some actions itself (the key manager deletes the key in the way, the
profile editor focuses its own field) through ``local``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Protocol, runtime_checkable

from ..core.errors import Action, MusicAuthError


@runtime_checkable
class ActionHost(Protocol):
    """The window's side of the actions (``MainWindow`` is one)."""

    def sign_in_profile(self, name: str) -> None: ...
    def get_token_of(self, name: str) -> None: ...
    def edit_profile_field(self, name: str, field: str | None) -> None: ...
    def new_profile_for(self, name: str | None) -> None: ...
    def remove_entry(self, name: str) -> None: ...
    def repair_store(self) -> None: ...
    def unlock_store(self) -> None: ...
    def retry_store(self) -> None: ...
    def use_file_vault(self) -> None: ...
    def open_key_manager(self) -> None: ...
    def set_variable(self, variable: str, then: Callable[[], object] | None) -> None: ...


Handler = Callable[[MusicAuthError], object]


class ErrorActions:
    """The handlers of one place that shows messages.

    Args:
        host: the window; None: only ``local`` actions have buttons (a modal dialog's, where
            the window cannot be used meanwhile).
        retry: what "Retry" does here (the failed operation again); None: nothing to retry.
        local: actions this place carries out itself, instead of the window.
    """

    def __init__(
        self,
        host: ActionHost | None,
        *,
        retry: Callable[[], object] | None = None,
        local: Mapping[Action, Handler] | None = None,
    ) -> None:
        self.host = host
        self.retry = retry
        self.local = dict(local or {})

    def handler(self, action: Action, exc: MusicAuthError) -> Callable[[], object] | None:
        """What clicking ``action``'s button for ``exc`` does; None: nothing can be done here
        (no profile to sign in to, nothing to retry), so no button is shown."""
        if action in self.local:
            own = self.local[action]
            return lambda: own(exc)
        if self.host is None:
            return None
        return HANDLERS[action](self, exc)

    @property
    def window(self) -> ActionHost:
        """The host, for the handlers (``handler`` asks them only when there is one)."""
        assert self.host is not None
        return self.host

    def but(self, *, retry: Callable[[], object] | None = None, local: Mapping[Action, Handler] | None = None) -> ErrorActions:
        """These handlers with another retry, or more local actions."""
        return ErrorActions(self.host, retry=retry if retry is not None else self.retry, local={**self.local, **(local or {})})


def _profile(call: Callable[[ActionHost, str], None]) -> Callable[[ErrorActions, MusicAuthError], Callable[[], object] | None]:
    def make(actions: ErrorActions, exc: MusicAuthError) -> Callable[[], object] | None:
        name = exc.profile
        return None if name is None else lambda: call(actions.window, name)

    return make


def _edit(field: str | None) -> Callable[[ErrorActions, MusicAuthError], Callable[[], object] | None]:
    """Edit the profile with ``field`` focused (None: the error's own field)."""

    def make(actions: ErrorActions, exc: MusicAuthError) -> Callable[[], object] | None:
        name = exc.profile
        return None if name is None else lambda: actions.window.edit_profile_field(name, field or exc.field)

    return make


def _host(call: Callable[[ActionHost], None]) -> Callable[[ErrorActions, MusicAuthError], Callable[[], object] | None]:
    return lambda actions, exc: lambda: call(actions.window)


def _retry(actions: ErrorActions, exc: MusicAuthError) -> Callable[[], object] | None:
    return actions.retry


def _remove_entry(actions: ErrorActions, exc: MusicAuthError) -> Callable[[], object] | None:
    name = exc.profile
    if exc.key_name is not None or name is None:
        return actions.window.open_key_manager  # a key's entry goes from the key manager
    return lambda: actions.window.remove_entry(name)


def _set_variable(actions: ErrorActions, exc: MusicAuthError) -> Callable[[], object] | None:
    variable: str | None = getattr(exc, "variable", None)
    if variable is None:
        # The vault file's passphrase came from a variable: it is read at start, so only a
        # retry after the variable was corrected can help.
        return actions.retry or actions.window.retry_store
    return lambda: actions.window.set_variable(variable, actions.retry)


#: What the store banner's own Retry and Unlock carry out (it shows no other button for these).
HANDLED_BY_RETRY = frozenset(
    {
        Action.UNLOCK_KEYRING,
        Action.SET_UP_KEYRING,
        Action.GIVE_VAULT_PASSPHRASE,
        Action.RESTORE_VAULT_FILE,
        Action.CLOSE_OTHER_PROCESS,
        Action.CHECK_NETWORK,
        Action.RETRY,
    }
)

#: Every action's handler maker: (the place's handlers, the error) -> what the click does.
HANDLERS: dict[Action, Callable[[ErrorActions, MusicAuthError], Callable[[], object] | None]] = {
    Action.SIGN_IN: _profile(lambda host, name: host.sign_in_profile(name)),
    Action.GET_TOKEN: _profile(lambda host, name: host.get_token_of(name)),
    Action.EDIT_FIELD: _edit(None),
    Action.CHECK_ENDPOINT: _edit(None),
    Action.CHOOSE_ANOTHER_PORT: _edit("redirect_uri"),
    Action.CHOOSE_ANOTHER_NAME: _edit("name"),
    Action.ADD_PROFILE: lambda actions, exc: lambda: actions.window.new_profile_for(exc.profile),
    Action.REMOVE_ENTRY: _remove_entry,
    Action.REPAIR_STORE: _host(lambda host: host.repair_store()),
    Action.UNLOCK_KEYRING: _host(lambda host: host.unlock_store()),
    Action.SET_UP_KEYRING: _host(lambda host: host.retry_store()),
    Action.GIVE_VAULT_PASSPHRASE: _host(lambda host: host.retry_store()),
    Action.RESTORE_VAULT_FILE: _host(lambda host: host.retry_store()),
    Action.USE_FILE_VAULT: _host(lambda host: host.use_file_vault()),
    # The key manager carries these out itself (``local``); elsewhere they open it.
    Action.DELETE_EXISTING: _host(lambda host: host.open_key_manager()),
    Action.DELETE_ANYWAY: _host(lambda host: host.open_key_manager()),
    Action.CHOOSE_KEY_FILE: _host(lambda host: host.open_key_manager()),
    Action.ADD_KEY: _host(lambda host: host.open_key_manager()),
    Action.CLOSE_OTHER_PROCESS: _retry,
    Action.CHECK_NETWORK: _retry,
    Action.RETRY: _retry,
    Action.GIVE_PASSPHRASE: _retry,
    Action.CHOOSE_ANOTHER_FILE: _retry,
    Action.SET_VARIABLE: _set_variable,
}
