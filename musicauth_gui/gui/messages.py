"""The one place that turns errors into the words the desktop app shows.

The core's errors carry data (``core/errors.py``): a message saying what happened, the profile
and the field, and the actions the user can take. Here each action gets the words of the
window's own buttons and menus ("Sign in", "Edit Client secret", "Remove entry", "Unlock",
"Retry"), with fields named by their labels in the profile editor. (``cli.py`` words the same
actions as command lines.) Nothing here reads a message to decide anything.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..core.errors import Action, ConfigError, MusicAuthError, ProviderRejected
from ..core.names import shown
from ..core.secret import scrub
from .field_labels import field_label

if TYPE_CHECKING:
    from ..core.engine import SignOutResult
    from .running_actions import Running

#: What a running action is doing, by ``ProfileAction`` value (the row's badge, the pane's line).
RUNNING_WORDS = {
    "getToken": "getting a token…",
    "renew": "renewing…",
    "signIn": "signing in…",
    "signOut": "signing out…",
    "tryIt": "trying it…",
    "introspect": "introspecting…",
    "copyToken": "renewing before the copy…",
}


def running_text(entries: list[Running]) -> str | None:
    """The running actions of one profile in a few words (None: none): "trying it…", or a
    renewal the user stopped waiting for, which still stores its answer."""
    if not entries:
        return None
    words = []
    for entry in entries:
        if entry.stopping:
            words.append("finishing the renewal (its new refresh token must be stored)…")
        else:
            words.append(RUNNING_WORDS[entry.action.value])
    return "; ".join(words)


#: What the user did from the window, when it fails (``failed_text``).
OPERATION_WORDS = {
    "save": "The profile was not saved",
    "remove": "The profile was not removed",
    "import": "Nothing was imported",
    "export": "Nothing was exported",
    "repair": "The store was not repaired",
    "reload": "Changes made outside the app could not be read",
}


def signed_out_text(name: str, result: SignOutResult) -> str:
    """The status line after Sign out: what was revoked, and where a token is still valid."""
    text = f"Signed out of {name}" + (" (tokens revoked)" if result.revoked else "")
    if result.revocation_error is not None:
        # The tokens are gone from here either way; the user may want to withdraw access at
        # the provider by hand, so say that it did not confirm.
        text += f"; the provider did not confirm the revocation ({result.revocation_error.message}), the tokens were deleted here anyway"
    if result.still_valid_at:
        where = result.still_valid_at
        text += f"; the token stays valid at {where} until you remove the app's access in your {where} settings"
    return scrub(text)


def failed_text(operation: str, exc: BaseException) -> str:
    """The message line's words for a failed window ``operation`` (``OPERATION_WORDS``):
    what did not happen, then why ("Nothing was exported: cannot write /x: ...")."""
    return f"{OPERATION_WORDS[operation]}: {message_text(exc)}"


def error_text(exc: BaseException, *, retried: bool = False) -> str:
    """One line for the user: what happened, then what to do; a short note for a bug.

    Args:
        retried: the app tries again by itself (a failed renewal), and says when after this
            line; so no "Retry later" here, which would say it twice.
    """
    if not isinstance(exc, MusicAuthError):
        return f"Something went wrong inside musicauth ({type(exc).__name__}); the details are in the log."
    text = exc.message
    if isinstance(exc, ProviderRejected) and exc.sub_status:
        text = f"{text} (sub-status {exc.sub_status})"  # TIDAL's finer code, as its docs name it
    if exc.field is not None and exc.profile is not None:
        text = f"profile {shown(exc.profile)}: {text}"  # the message is about the field alone
    actions = [action for action in exc.actions if not (retried and action is Action.RETRY)]
    return scrub(_with_actions(text, [action_label(action, exc) for action in actions]))


def editor_text(exc: MusicAuthError) -> str:
    """The line the profile editor shows under its form.

    The editor names the profile and marks the field itself, and editing is what the user is
    doing there: so the message alone, with any other action ("Choose another name").
    """
    labels = [action_label(action, exc) for action in exc.actions if action is not Action.EDIT_FIELD]
    return scrub(_with_actions(_about_the_field(exc), labels))


def _about_the_field(exc: MusicAuthError) -> str:
    """The message, with the field named by its label on the form where the error gives the
    rule apart from the key ("Header name must be ...", not "header_name must be ...")."""
    if isinstance(exc, ConfigError) and exc.rule is not None and exc.field is not None:
        return f"{field_label(exc.field)} {exc.rule}"
    return exc.message


def action_labels(exc: MusicAuthError) -> list[str]:
    """The words for each of ``exc``'s actions, the most useful first (for buttons, too)."""
    return [action_label(action, exc) for action in exc.actions]


def action_label(action: Action, exc: MusicAuthError) -> str:
    """``action`` as the desktop app says it, for the profile, key or field ``exc`` is about."""
    match action:
        case Action.SIGN_IN:
            return "Sign in"
        case Action.GET_TOKEN:
            return "Get token"
        case Action.EDIT_FIELD:
            return f"Edit {field_label(exc.field)}" if exc.field else "Edit profile"
        case Action.ADD_PROFILE:
            return "New profile or Import profiles"
        case Action.CHOOSE_ANOTHER_NAME:
            return "Choose another name"
        case Action.DELETE_EXISTING:
            return "Delete the existing key first"
        case Action.REMOVE_ENTRY if exc.key_name is not None:
            return "Delete the key, then Generate or Import it again"
        case Action.REMOVE_ENTRY:
            return "Remove entry or Re-import"
        case Action.REPAIR_STORE:
            return "Repair the store's index"
        case Action.DELETE_ANYWAY:
            return "Delete anyway"
        case Action.UNLOCK_KEYRING:
            return "Unlock, then Retry"
        case Action.SET_UP_KEYRING:
            return "Start a Secret Service such as gnome-keyring or KeePassXC, then Retry"
        case Action.USE_FILE_VAULT:
            return "Use the encrypted vault file instead"
        case Action.GIVE_VAULT_PASSPHRASE:
            return "Retry, and enter the vault file's passphrase"
        case Action.RESTORE_VAULT_FILE:
            return "Put back a good copy of the vault file (it was left as it is), then Retry"
        case Action.CLOSE_OTHER_PROCESS:
            return "Close the other window or command using this profile, then Retry"
        case Action.CHECK_NETWORK:
            return "Check the connection and the endpoints, then Retry"
        case Action.CHECK_ENDPOINT:
            return "Edit profile: check that the endpoints are the provider's"
        case Action.RETRY:
            return "Retry later"
        case Action.CHOOSE_ANOTHER_PORT:
            return f"Close what uses the port, or Edit {field_label('redirect_uri')}"
        case Action.GIVE_PASSPHRASE:
            return "Enter the passphrase"
        case Action.CHOOSE_KEY_FILE:
            return "Choose an EC P-256 private key (.p8 or PEM), or Generate one"
        case Action.ADD_KEY:
            return "Generate or Import the key (Signing keys)"
        case Action.CHOOSE_ANOTHER_FILE:
            return "Choose another file"
        case Action.SET_VARIABLE if getattr(exc, "variable", None):
            return "Set the variable for this session"
        case Action.SET_VARIABLE:
            return "Correct the variable, then Retry"


def message_text(exc: BaseException) -> str:
    """The line shown beside the buttons of ``exc``'s actions (``widgets/message_line.py``):
    what happened, and only what no button can do ("start a Secret Service") in words."""
    if not isinstance(exc, MusicAuthError):
        return error_text(exc)
    text = exc.message
    if isinstance(exc, ProviderRejected) and exc.sub_status:
        text = f"{text} (sub-status {exc.sub_status})"
    if exc.field is not None and exc.profile is not None:
        text = f"profile {shown(exc.profile)}: {text}"
    hints = [ACTION_HINTS[action] for action in exc.actions if action in ACTION_HINTS]
    return scrub(f"{text} — {'; '.join(hints)}" if hints else text)


#: What the user does outside the app before a button helps; said beside the button.
ACTION_HINTS = {
    Action.SET_UP_KEYRING: "start a Secret Service such as gnome-keyring or KeePassXC",
    Action.RESTORE_VAULT_FILE: "put back a good copy of the vault file (it was left as it is)",
    Action.CLOSE_OTHER_PROCESS: "close the other window or program using this profile",
    Action.CHECK_NETWORK: "check the connection and the endpoints",
    Action.UNLOCK_KEYRING: "unlock it in your keyring app if no prompt appears",
}


def button_label(action: Action, exc: MusicAuthError) -> str:
    """The words on the button that runs ``action`` for ``exc`` (``gui/error_actions.py``):
    short, a verb first; the message line beside it says the rest (``message_text``)."""
    match action:
        case Action.SIGN_IN:
            return "Sign in"
        case Action.GET_TOKEN:
            return "Get token"
        case Action.EDIT_FIELD:
            return f"Edit {field_label(exc.field)}" if exc.field else "Edit profile"
        case Action.ADD_PROFILE:
            return "New profile…"
        case Action.CHOOSE_ANOTHER_NAME:
            return "Choose another name…"
        case Action.DELETE_EXISTING:
            return "Delete the existing key…"
        case Action.REMOVE_ENTRY if exc.key_name is not None:
            return "Delete key…"
        case Action.REMOVE_ENTRY:
            return "Remove entry…"
        case Action.REPAIR_STORE:
            return "Repair store"
        case Action.DELETE_ANYWAY:
            return "Delete anyway…"
        case Action.UNLOCK_KEYRING:
            return "Unlock…"
        case Action.SET_UP_KEYRING | Action.RESTORE_VAULT_FILE | Action.CLOSE_OTHER_PROCESS | Action.CHECK_NETWORK:
            return "Retry"
        case Action.RETRY:
            return "Retry"
        case Action.USE_FILE_VAULT:
            return "Use the vault file…"
        case Action.GIVE_VAULT_PASSPHRASE:
            return "Enter passphrase…"
        case Action.CHECK_ENDPOINT:
            return f"Edit {field_label(exc.field)}" if exc.field else "Edit endpoints"
        case Action.CHOOSE_ANOTHER_PORT:
            return f"Edit {field_label('redirect_uri')}"
        case Action.GIVE_PASSPHRASE:
            return "Enter passphrase…"
        case Action.CHOOSE_KEY_FILE:
            return "Choose key file…"
        case Action.ADD_KEY:
            return "Signing keys…"
        case Action.CHOOSE_ANOTHER_FILE:
            return "Choose another file…"
        case Action.SET_VARIABLE if getattr(exc, "variable", None):
            return "Set variable…"
        case Action.SET_VARIABLE:
            return "Retry"


def _with_actions(text: str, labels: list[str]) -> str:
    return f"{text} — {' or '.join(labels)}" if labels else text
