"""The lean path of ``musicauth token NAME``: a valid stored token printed after one keyring read.

Scripts run ``musicauth token`` in loops (``curl -H "$(musicauth token x --format header)"``),
so its start-up is most of its cost. ``TokenEngine`` (``engine.py``) imports the event loop, the
HTTP stack, PyJWT, cryptography and the lock files: about 90 ms that a token still valid in the
keyring never needs. This module is the engine's door for that one case, and imports only what
it needs: the keyring, the record's decoder and the credential rules (``usage.py``, whose
Last.fm and OAuth 1.0a signing comes from modules that import no httpx).

It does what ``TokenEngine.credential`` does up to the point where a renewal would start, with
the same code (``KeyringVault``, ``ProfileStore.read_profile_unlocked``, ``needs_renewal``,
``usage.credential``), so the output and every error are the engine's own; the CLI's test
``tests/core/test_cli_lean_token.py`` holds the two paths to that. Whatever else (a renewal
due, a token missing, another store than the keyring) returns None: the caller then asks the
engine, which reads the record again (a second keyring call, only on that path). On a Linux
desktop's Secret Service, ``KeyringVault`` reads without importing keyring at all
(``store/secret_service_bulk.py``).

Every start-up shortcut of the command line is listed in benchmarks/README.md, "Start-up".
"""

from __future__ import annotations

import os
from collections.abc import Callable

from .clock import SYSTEM_CLOCK, Clock
from .renewal import needs_renewal
from .usage import IssuedCredential, credential, needs_token


def valid_token_credential(
    name: str, scheme: str | None = None, *, clock: Clock = SYSTEM_CLOCK, before_keyring: Callable[[], None] | None = None
) -> IssuedCredential | None:
    """The credential of ``name`` when the keyring holds what it needs now (a token outside its
    renewal margin, or none needed); None when only the engine can give it. ``before_keyring``:
    as ``KeyringVault``'s (on the Secret Service a read imports neither keyring nor logging).

    Blocking: one keyring call, on the calling thread (the only one using the keyring here).

    Raises:
        ProfileNotFound, EntryDamaged, KeyringLockedError, NoKeyringError, StoreError: as the
            engine's ``load``.
        ConfigError: a scheme the provider does not take, a missing secret (``usage.credential``),
            or a ``MUSICAUTH_STORE`` that names no store.
    """
    from .store.selection import STORE_VARIABLE, chosen_store

    if os.environ.get(STORE_VARIABLE) and chosen_store() != "keyring":
        return None  # the vault file: its passphrase and its decryption are the engine's
    from .store.profile_store import ProfileStore, cached_form
    from .store.vault import KeyringVault

    store = ProfileStore(KeyringVault(before_keyring=before_keyring))
    record = store.read_profile_unlocked(name)
    if record is None:
        from .errors import ProfileNotFound

        raise ProfileNotFound(name)
    if record.profile.flow == "music_user_token":
        return None  # its developer token is signed afresh for each use: the engine's key store
    record = cached_form(record)  # what the engine's cache would hand out: no refresh token
    token = None
    if needs_token(record, scheme):
        if needs_renewal(record.token, clock.now()):
            return None  # a renewal: the engine's single-flight, lock files and HTTP
        token = record.token
    return IssuedCredential(record, token, credential(record, token, scheme))
