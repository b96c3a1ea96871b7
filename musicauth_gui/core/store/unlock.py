"""Unlocking a locked keyring from the app, where the backend has a prompt of its own.

Only the Secret Service (gnome-keyring, KeePassXC) can be asked: its collection's ``Unlock``
makes the desktop show its own unlock dialog, so musicauth never sees the password. Other
backends unlock with the user's session (macOS Keychain, Windows Credential Locker) and have
nothing to ask. keyring's Secret Service backend already tries this before each call; an explicit
Unlock is for the user who dismissed that prompt and wants it back.

``secretstorage`` and keyring's backend module are imported only when the user asks, never at
start-up (together they cost tens of milliseconds, and most users never need them).
"""

from __future__ import annotations

from ..errors import KeyringLockedError, NoKeyringError, StoreError

#: keyring's Secret Service backend, as ``KeyringVault.backend_name`` spells it.
SECRET_SERVICE_BACKEND = "keyring.backends.SecretService.Keyring"


def can_prompt_unlock(vault: object) -> bool:
    """Whether ``vault`` is a keyring vault on the Secret Service (the one that can prompt)."""
    return getattr(vault, "backend_name", None) == SECRET_SERVICE_BACKEND


def prompt_unlock(backend: object | None = None) -> None:
    """Show the desktop's unlock prompt for the collection musicauth uses, and wait for it.

    Blocking, possibly for as long as the user takes: run it on the store's worker thread
    (``store.run(prompt_unlock)``), like every other keyring call.

    Args:
        backend: keyring's Secret Service backend; default: ``open_keyring_backend()``, the
            backend ``KeyringVault`` uses.

    Raises:
        KeyringLockedError: the prompt was dismissed, or the collection is still locked.
        NoKeyringError: the backend is not the Secret Service, or it cannot be reached.
        StoreError: D-Bus failed otherwise.
    """
    from . import keyring_import

    keyring_import.prepare()
    import keyring.errors

    if backend is None:
        from .vault import open_keyring_backend

        # Chosen as KeyringVault chose it (which may have put making it off), and keyring's
        # default from then on.
        backend = open_keyring_backend()
    get_collection = getattr(backend, "get_preferred_collection", None)
    if get_collection is None:
        raise NoKeyringError(f"{type(backend).__qualname__} has no unlock prompt")
    try:
        # keyring's own step: unlock when locked (the prompt), raise KeyringLocked when the
        # user dismissed it. It honours the backend's preferred_collection, as its reads do.
        collection = get_collection()
    except keyring.errors.KeyringLocked as exc:
        raise KeyringLockedError() from exc
    except keyring.errors.InitError as exc:
        raise NoKeyringError(str(exc).strip().splitlines()[0][:200] if str(exc).strip() else "") from exc
    except Exception as exc:  # secretstorage and jeepney raise their own (D-Bus) errors
        raise StoreError(f"the keyring could not be unlocked: {type(exc).__name__}") from exc
    connection = getattr(collection, "connection", None)
    if connection is not None:
        connection.close()  # get_preferred_collection opens a D-Bus connection per call
