"""The key store: P-256 private keys in the keyring, one entry each (``key/<name>``).

Loaded key objects are cached, so that signing never parses a PEM per token (a batch of DevTokens
signs thousands a second), but only while in use: a key unused for ``KEY_IDLE_SECONDS`` is
dropped, and the next signature reads it from the keyring again (one read, ~20 ms on the Secret
Service). The policy for every secret is in ``core/secret.py``.
A key entry that cannot be decoded, or that the index lists but the keyring lost (deleted in
Seahorse or Keychain Access), is listed as damaged and removed with ``key delete NAME --force``.
"""

from __future__ import annotations

import asyncio
import json
import threading
from dataclasses import field
from typing import Any

from cryptography.hazmat.primitives.asymmetric import ec

from ..clock import SYSTEM_CLOCK, Clock
from ..errors import Action, ConfigError, EntryDamaged, MusicAuthError
from ..keys import (
    KeyInfo,
    encrypted_pkcs8_pem,
    fingerprint,
    generate_private_key,
    load_private_key,
    private_pkcs8_pem,
    public_pem,
)
from ..profiles_file import validate_name
from ..record import frozen_record
from .damage import missing_reason
from .profile_store import DamagedEntry, ProfileStore


class KeyNotFound(ConfigError):
    actions = (Action.ADD_KEY,)

    def __init__(self, name: str) -> None:
        super().__init__(f"no key named {name!r}", key_name=name)


class KeyInUse(MusicAuthError):
    actions = (Action.DELETE_ANYWAY,)

    def __init__(self, name: str, profiles: list[str]) -> None:
        super().__init__(
            f"key {name!r} is used by {', '.join(profiles)}; deleting it breaks their DevTokens", key_name=name
        )
        self.profiles = profiles


#: Seconds a loaded private key stays in memory unused. A DevToken lives days to months, so a
#: desktop session signs rarely; a batch or a dialog signs many in a row.
KEY_IDLE_SECONDS = 300.0


def key_entry(name: str) -> str:
    return f"key/{name}"


@frozen_record
class KeyListing:
    """Every key the index names: the usable ones and the damaged or missing ones, in order."""

    keys: list[KeyInfo] = field(default_factory=list)
    damaged: list[DamagedEntry] = field(default_factory=list)


class KeyStore:
    """Keys next to the profiles, through the profile store's vault, thread and locks."""

    def __init__(self, profiles: ProfileStore, *, clock: Clock = SYSTEM_CLOCK, idle_seconds: float = KEY_IDLE_SECONDS) -> None:
        self._profiles = profiles
        self._clock = clock
        self._idle_seconds = idle_seconds
        #: name -> (the loaded key, when it was last used on the monotonic clock)
        self._loaded: dict[str, tuple[ec.EllipticCurvePrivateKey, float]] = {}
        self._loaded_lock = threading.Lock()  # ``_parse`` also runs on the keyring thread
        self._sweep: asyncio.TimerHandle | None = None

    # -- loaded keys, dropped when idle ---------------------------------------------------------

    def _keep(self, name: str, key: ec.EllipticCurvePrivateKey) -> None:
        with self._loaded_lock:
            self._loaded[name] = (key, self._clock.monotonic())
        self._arm_sweep()

    def _loaded_key(self, name: str) -> ec.EllipticCurvePrivateKey | None:
        """The loaded key, marked as just used; None if it is not loaded (or was idle too long)."""
        self.drop_idle_keys()
        with self._loaded_lock:
            entry = self._loaded.get(name)
            if entry is None:
                return None
            self._loaded[name] = (entry[0], self._clock.monotonic())
            return entry[0]

    def loaded_names(self) -> set[str]:
        """The keys held in memory now."""
        with self._loaded_lock:
            return set(self._loaded)

    def drop_idle_keys(self) -> None:
        """Forget every key unused for ``idle_seconds``."""
        now = self._clock.monotonic()
        with self._loaded_lock:
            for name, (_, used) in list(self._loaded.items()):
                if now - used >= self._idle_seconds:
                    del self._loaded[name]

    def _arm_sweep(self) -> None:
        # A timer on the event loop, so that keys go even if nothing asks for a key again; none
        # outside a loop (the keyring thread): the next use on the loop arms it.
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            return
        if self._sweep is None or self._sweep.cancelled():
            self._sweep = loop.call_later(self._idle_seconds, self._on_sweep)

    def _on_sweep(self) -> None:
        self._sweep = None
        self.drop_idle_keys()
        if self.loaded_names():
            self._arm_sweep()

    async def generate(self, name: str) -> KeyInfo:
        validate_name(name, what="key")
        key = await self._profiles.run(generate_private_key)
        return await self._add(name, key, source="generated")

    async def import_key(self, name: str, data: bytes, passphrase: bytes | None = None) -> KeyInfo:
        validate_name(name, what="key")
        key = await self._profiles.run(load_private_key, data, passphrase)
        return await self._add(name, key, source="imported")

    async def _add(self, name: str, key: ec.EllipticCurvePrivateKey, *, source: str) -> KeyInfo:
        created = self._clock.now()
        entry = {"v": 1, "name": name, "created_at": created, "source": source, "private_key": private_pkcs8_pem(key)}

        def work() -> None:
            # The index first: a damaged one stops here, before a key is written that no
            # listing would find.
            self._profiles.read_index_unlocked()
            if self._profiles.entry_exists(key_entry(name)):
                raise ConfigError(
                    f"a key named {name!r} exists already",
                    key_name=name,
                    field="name",
                    actions=(Action.DELETE_EXISTING, Action.CHOOSE_ANOTHER_NAME),
                )
            self._profiles.vault.set(key_entry(name), json.dumps(entry))
            self._profiles.update_index_unlocked(lambda index: _add_name(index, name))

        await self._profiles.run(self._profiles.locked, work)
        self._keep(name, key)
        return KeyInfo(name=name, fingerprint=fingerprint(key), created_at=created, source=source, public_pem=public_pem(key))

    async def names(self) -> list[str]:
        return list((await self._profiles.index())["keys"])

    async def private_key(self, name: str) -> ec.EllipticCurvePrivateKey:
        """The loaded key object (parsed once per process)."""
        hit = self._loaded_key(name)
        if hit is not None:
            return hit
        return self._parse(name, await self._read(name))

    def _parse(self, name: str, entry: dict[str, Any]) -> ec.EllipticCurvePrivateKey:
        key = self._loaded_key(name)
        if key is None:
            try:
                key = load_private_key(entry["private_key"].encode("ascii"))
            except (MusicAuthError, UnicodeError) as exc:
                raise EntryDamaged(
                    f"the stored key {name!r} is damaged (not a P-256 private key)", entry=key_entry(name)
                ) from exc
            self._keep(name, key)
        return key

    async def info(self, name: str) -> KeyInfo:
        """One key, with the readable profiles that use it."""
        records = await self._profiles.load_all()
        return self._info(name, await self._read(name), records)

    async def public_pem(self, name: str) -> str:
        """The public key alone: reads this key's entry and nothing else, so it works whatever
        else in the store is damaged."""
        return public_pem(await self.private_key(name))

    async def usable_keys(self) -> list[KeyInfo]:
        """The usable keys (``scan`` also tells which are damaged or missing)."""
        return (await self.scan()).keys

    async def scan(self) -> KeyListing:
        """Every key the index names, a damaged or missing one set apart instead of failing the lot.

        "Used by" comes from the readable profiles only (a damaged profile cannot say which key
        it names). A damaged index raises ``EntryDamaged`` naming ``musicauth store repair``.
        """
        records = await self._profiles.load_all()  # once for all keys: "used by"
        listing, missing = KeyListing(), []
        for name in await self.names():
            try:
                entry = await self._profiles.run(self._read_unlocked, name)
                if entry is None:
                    missing.append(name)
                else:
                    listing.keys.append(self._info(name, entry, records))
            except EntryDamaged as exc:
                listing.damaged.append(DamagedEntry(name, "key", exc.message))
        if missing:
            # A second look under the store lock: a delete in another process removes the entry
            # before the name, and is not damage.
            gone = set(await self._profiles.run(self._profiles.locked, lambda: self._still_missing(missing)))
            listing.damaged.extend(DamagedEntry(name, "key", missing_reason(key_entry(name))) for name in missing if name in gone)
        return listing

    def _still_missing(self, names: list[str]) -> list[str]:
        listed = self._profiles.read_index_unlocked()["keys"]
        return [n for n in names if n in listed and self._profiles.vault.get(key_entry(n)) is None]

    def _info(self, name: str, entry: dict[str, Any], records: list[Any]) -> KeyInfo:
        key = self._parse(name, entry)
        created = entry.get("created_at", 0)
        return KeyInfo(
            name=name,
            fingerprint=fingerprint(key),
            created_at=float(created) if isinstance(created, (int, float)) else 0.0,
            source=str(entry.get("source", "")),
            public_pem=public_pem(key),
            used_by=tuple(r.name for r in records if r.profile.key == name),
        )

    async def export_private(self, name: str, passphrase: bytes) -> str:
        return encrypted_pkcs8_pem(await self.private_key(name), passphrase)

    async def delete(self, name: str, *, force: bool = False) -> list[str]:
        """Delete a key; returns the profiles that used it (refuses without ``force``).

        Also the repair of a damaged key, and of a name the index lists whose entry is gone.
        """
        if not await self._profiles.run(self._known, name):
            raise KeyNotFound(name)
        users = [r.name for r in await self._profiles.load_all() if r.profile.key == name]
        if users and not force:
            raise KeyInUse(name, users)

        def work() -> None:
            if not self._known(name):  # deleted by another process in the meantime
                raise KeyNotFound(name)
            self._profiles.vault.delete(key_entry(name))
            self._profiles.update_index_unlocked(lambda index: index["keys"].remove(name) if name in index["keys"] else None)

        await self._profiles.run(self._profiles.locked, work)
        with self._loaded_lock:
            self._loaded.pop(name, None)
        return users

    def _known(self, name: str) -> bool:
        """Blocking: the index lists ``name`` or the keyring holds its entry (readable or not)."""
        return name in self._profiles.read_index_unlocked()["keys"] or self._profiles.entry_exists(key_entry(name))

    async def _read(self, name: str) -> dict[str, Any]:
        """The key's entry; ``KeyNotFound`` if unknown, ``EntryDamaged`` (naming the repair) if
        it cannot be decoded or the index lists it without an entry."""
        entry = await self._profiles.run(self._read_unlocked, name)
        if entry is not None:
            return entry
        try:
            listed = name in (await self._profiles.index())["keys"]
        except EntryDamaged:
            listed = False  # the index cannot say; the key is not there either way
        if listed:
            raise EntryDamaged(missing_reason(key_entry(name)), entry=key_entry(name))
        raise KeyNotFound(name)

    def read_key_unlocked(self, name: str) -> ec.EllipticCurvePrivateKey | None:
        """Blocking (worker thread): the key, None if there is no entry; ``EntryDamaged`` if it
        cannot be used."""
        entry = self._read_unlocked(name)
        return None if entry is None else self._parse(name, entry)

    def _read_unlocked(self, name: str) -> dict[str, Any] | None:
        """Blocking: the decoded entry, None if there is none."""
        raw = self._profiles.vault.get(key_entry(name))  # EntryDamaged names the entry, so the repair
        if raw is None:
            return None
        try:
            entry = json.loads(raw)
        except ValueError:
            entry = None
        if not isinstance(entry, dict) or not isinstance(entry.get("private_key"), str):
            raise EntryDamaged(f"the stored key {name!r} is damaged", entry=key_entry(name))
        return entry


def _add_name(index: dict[str, Any], name: str) -> None:
    if name not in index["keys"]:
        index["keys"].append(name)
