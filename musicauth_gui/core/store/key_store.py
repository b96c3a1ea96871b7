"""The key store: P-256 private keys in the keyring, one entry each (``key/<name>``).

Loaded key objects are cached per process, so that signing never parses a PEM per token.
"""

from __future__ import annotations

import json
import time
from typing import Any

from cryptography.hazmat.primitives.asymmetric import ec

from ..errors import ConfigError, MusicAuthError, StoreError
from ..profiles_file import validate_name
from ..keys import (
    KeyInfo,
    encrypted_pkcs8_pem,
    fingerprint,
    generate_private_key,
    load_private_key,
    private_pkcs8_pem,
    public_pem,
)
from .profile_store import ProfileStore


class KeyNotFound(ConfigError):
    def __init__(self, name: str) -> None:
        super().__init__(f"no key named {name!r}", hint="`musicauth key list` shows the keys")


class KeyInUse(MusicAuthError):
    def __init__(self, name: str, profiles: list[str]) -> None:
        super().__init__(
            f"key {name!r} is used by {', '.join(profiles)}; deleting it breaks their DevTokens",
            hint="add --force to delete it anyway",
        )
        self.profiles = profiles


def key_entry(name: str) -> str:
    return f"key/{name}"


class KeyStore:
    """Keys next to the profiles, through the profile store's vault, thread and locks."""

    def __init__(self, profiles: ProfileStore) -> None:
        self._profiles = profiles
        self._loaded: dict[str, ec.EllipticCurvePrivateKey] = {}

    async def generate(self, name: str) -> KeyInfo:
        validate_name(name, what="key")
        key = await self._profiles.run(generate_private_key)
        return await self._add(name, key, source="generated")

    async def import_key(self, name: str, data: bytes, passphrase: bytes | None = None) -> KeyInfo:
        validate_name(name, what="key")
        key = await self._profiles.run(load_private_key, data, passphrase)
        return await self._add(name, key, source="imported")

    async def _add(self, name: str, key: ec.EllipticCurvePrivateKey, *, source: str) -> KeyInfo:
        created = time.time()
        entry = {"v": 1, "name": name, "created_at": created, "source": source, "private_key": private_pkcs8_pem(key)}

        def work() -> None:
            if self._profiles.vault.get(key_entry(name)) is not None:
                raise ConfigError(f"a key named {name!r} exists already", hint="delete it first, or choose another name")
            self._profiles.vault.set(key_entry(name), json.dumps(entry))
            self._profiles.update_index_unlocked(lambda index: _add_name(index, name))

        await self._profiles.run(self._profiles.locked, work)
        self._loaded[name] = key
        return KeyInfo(name=name, fingerprint=fingerprint(key), created_at=created, source=source, public_pem=public_pem(key))

    async def names(self) -> list[str]:
        return list((await self._profiles.index())["keys"])

    async def private_key(self, name: str) -> ec.EllipticCurvePrivateKey:
        """The loaded key object (parsed once per process)."""
        hit = self._loaded.get(name)
        if hit is not None:
            return hit
        return self._parse(name, await self._read(name))

    def _parse(self, name: str, entry: dict[str, Any]) -> ec.EllipticCurvePrivateKey:
        key = self._loaded.get(name)
        if key is None:
            key = self._loaded[name] = load_private_key(entry["private_key"].encode("ascii"))
        return key

    async def info(self, name: str) -> KeyInfo:
        return (await self._infos([name]))[0]

    async def list(self) -> list[KeyInfo]:
        return await self._infos(await self.names())

    async def _infos(self, names: list[str]) -> list[KeyInfo]:
        records = await self._profiles.load_all()  # once for all keys: "used by"
        infos = []
        for name in names:
            entry = await self._read(name)
            key = self._parse(name, entry)
            infos.append(
                KeyInfo(
                    name=name,
                    fingerprint=fingerprint(key),
                    created_at=float(entry.get("created_at", 0)),
                    source=str(entry.get("source", "")),
                    public_pem=public_pem(key),
                    used_by=tuple(r.name for r in records if r.profile.key == name),
                )
            )
        return infos

    async def export_private(self, name: str, passphrase: bytes) -> str:
        return encrypted_pkcs8_pem(await self.private_key(name), passphrase)

    async def delete(self, name: str, *, force: bool = False) -> list[str]:
        """Delete a key; returns the profiles that used it (refuses without ``force``)."""
        await self._read(name)
        users = [r.name for r in await self._profiles.load_all() if r.profile.key == name]
        if users and not force:
            raise KeyInUse(name, users)

        def work() -> None:
            self._profiles.vault.delete(key_entry(name))
            self._profiles.update_index_unlocked(lambda index: index["keys"].remove(name) if name in index["keys"] else None)

        await self._profiles.run(self._profiles.locked, work)
        self._loaded.pop(name, None)
        return users

    async def _read(self, name: str) -> dict[str, Any]:
        raw = await self._profiles.run(self._profiles.vault.get, key_entry(name))
        if raw is None:
            raise KeyNotFound(name)
        try:
            entry = json.loads(raw)
            assert isinstance(entry, dict) and "private_key" in entry
            return entry
        except (ValueError, AssertionError):
            raise StoreError(f"the stored key {name!r} is damaged") from None


def _add_name(index: dict[str, Any], name: str) -> None:
    if name not in index["keys"]:
        index["keys"].append(name)
