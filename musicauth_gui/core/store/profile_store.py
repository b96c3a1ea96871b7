"""The profile store: one keyring entry per profile, an index entry, a read cache.

Layout in the vault (service ``musicauth``):

- ``index``: ``{"v": 1, "profiles": [...], "keys": [...]}`` (keyring has no listing API);
- ``profile/<name>``: the whole ``ProfileRecord`` (definition, client secret, tokens, status)
  as one JSON value, so that reading a valid token is a single round trip;
- ``key/<name>``: private keys (see ``core.keys``).

The read cache keeps each record without its refresh token and ID token (``cached_form``): what
the window paints and copies, and no more (the policy is in ``core/secret.py``). ``load(fresh=True)``
and ``update`` hand out whole records, read from the keyring at the point of use.

Every vault call runs on one dedicated worker thread (keyring calls block on prompts and the
backends are not reliably thread-safe); every read-modify-write holds the cross-process store
lock so that the CLI and the desktop app can run at once.
"""

from __future__ import annotations

import _thread  # threading.Lock itself, without threading's import (0.4 ms of `musicauth token`)
import dataclasses
import json
from collections.abc import Callable
from dataclasses import field
from typing import TYPE_CHECKING, Any, Literal, TypeVar, TypeVarTuple

from ..errors import Action, EntryDamaged, ProfileNotFound, StoreError
from ..model import ProfileRecord
from ..record import frozen_record
from ..secret import WITHHELD
from .damage import INDEX_KEY, missing_reason, parse_index
from .vault import SecretReader, SecretVault

if TYPE_CHECKING:
    from concurrent.futures import ThreadPoolExecutor

T = TypeVar("T")
Ts = TypeVarTuple("Ts")


def profile_key(name: str) -> str:
    return f"profile/{name}"


def _is_listing_entry(key: str) -> bool:
    return key == INDEX_KEY or key.startswith("profile/")


@frozen_record
class DamagedEntry:
    """A keyring entry that exists (or that the index names) but cannot be used.

    Attributes:
        name: the profile's (or key's) name as the index lists it.
        kind: what the entry holds.
        reason: what is wrong with it, one line naming the entry, never the value itself.
    """

    name: str
    kind: Literal["profile", "key"]
    reason: str

    def error(self) -> EntryDamaged:
        """The same damage as an error, for a front end to word with its repair."""
        return EntryDamaged(self.reason, entry=f"{self.kind}/{self.name}")


@frozen_record
class Listing:
    """Every profile the index names: the readable ones and the damaged ones, in index order."""

    records: list[ProfileRecord] = field(default_factory=list)
    damaged: list[DamagedEntry] = field(default_factory=list)


class ProfileStore:
    """Async access to profiles in a ``SecretVault``.

    Args:
        vault: where the records live.
        cross_process: take the lock file around writes (off for a private MemoryVault).
    """

    def __init__(self, vault: SecretVault, *, cross_process: bool = True) -> None:
        self.vault = vault
        self._cross_process = cross_process
        # Made by the first ``run``: `musicauth token` reads a record on its own thread and
        # never needs one (concurrent.futures, ~0.5 ms of its start-up).
        self._executor: ThreadPoolExecutor | None = None
        self._closed = False
        self._executor_lock = _thread.allocate_lock()
        self._cache: dict[str, ProfileRecord] = {}
        self._cache_lock = _thread.allocate_lock()

    # -- plumbing -----------------------------------------------------------------------------

    async def run(self, fn: Callable[[*Ts], T], *args: *Ts) -> T:
        """Run a blocking vault function on the store's worker thread."""
        import asyncio  # not at the top: `musicauth token` reads a record without an event loop

        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._worker(), fn, *args)

    def _worker(self) -> ThreadPoolExecutor:
        with self._executor_lock:
            if self._closed:
                raise RuntimeError("cannot schedule new futures after shutdown")  # as a closed executor says
            if self._executor is None:
                from concurrent.futures import ThreadPoolExecutor

                self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="musicauth-keyring")
            return self._executor

    def close(self) -> None:
        with self._executor_lock:
            self._closed = True
            executor = self._executor
        if executor is not None:
            executor.shutdown(wait=True)

    def locked(self, fn: Callable[[], T]) -> T:
        """Run ``fn`` on the worker thread under the cross-process store lock."""
        if not self._cross_process:
            return fn()
        from . import locks  # with asyncio: never needed to read a record

        wait = locks.STORE_LOCK_WAIT
        try:
            with locks.store_lock(timeout=wait):
                return fn()
        except locks.StoreLockTimeout as exc:
            raise StoreError(
                f"the profile store stayed locked by another process (the desktop app or a command) for {wait:g} s",
                actions=(Action.CLOSE_OTHER_PROCESS,),
            ) from exc

    def _touch(self, *names: str, index: bool = False) -> None:
        """Stamp the index (first, with ``index``) and the profiles ``names`` as changed."""
        # A private store (memory vault: tests, demo mode) has no other process to tell.
        if self._cross_process:
            from . import change_log  # a write's: reading a record imports neither it nor paths

            change_log.touch(*([change_log.INDEX_STAMP] if index else []), *map(change_log.stamp_name, names))

    def _read_json(self, key: str, reader: SecretReader | None = None) -> dict[str, Any] | None:
        raw = (reader or self.vault).get(key)
        if raw is None:
            return None
        try:
            data = json.loads(raw)
        except ValueError as exc:
            raise EntryDamaged(f"the keyring entry {key!r} is damaged (not JSON)", entry=key) from exc
        if not isinstance(data, dict):
            raise EntryDamaged(f"the keyring entry {key!r} is damaged (not a JSON object)", entry=key)
        return data

    def _write_json(self, key: str, data: dict[str, Any]) -> None:
        self.vault.set(key, json.dumps(data, separators=(",", ":")))

    def _read_index(self) -> dict[str, Any]:
        """The checked index; a damaged one raises ``EntryDamaged`` naming ``store repair``."""
        return parse_index(self._read_json(INDEX_KEY))  # EntryDamaged for "index": repair the store

    def read_profile_unlocked(self, name: str, reader: SecretReader | None = None) -> ProfileRecord | None:
        """Blocking (worker thread): the decoded record, None if there is no entry.

        Args:
            reader: where to read it (a vault's ``snapshot``); default: the vault.

        Raises:
            EntryDamaged: for ``profile/<name>``, so its repair is to remove the profile.
        """
        data = self._read_json(profile_key(name), reader)
        return None if data is None else _decode(name, data)

    def _remember(self, record: ProfileRecord) -> ProfileRecord:
        """Cache ``record`` in its cached form, which is returned."""
        kept = cached_form(record)
        with self._cache_lock:
            self._cache[record.name] = kept
        return kept

    # -- index --------------------------------------------------------------------------------

    async def names(self) -> list[str]:
        """Profile names, in the order they were added."""
        index = await self.run(self._read_index)
        return list(index["profiles"])

    async def index(self) -> dict[str, Any]:
        return await self.run(self._read_index)

    def read_index_unlocked(self) -> dict[str, Any]:
        """Blocking: the checked index (worker thread); raises ``EntryDamaged`` if it is damaged."""
        return self._read_index()

    def replace_index_unlocked(self, index: dict[str, Any]) -> None:
        """Blocking: write ``index`` as it is (``store repair``); the caller holds ``locked``."""
        self._write_json(INDEX_KEY, parse_index(index))
        self._touch(index=True)

    def update_index_unlocked(self, change: Callable[[dict[str, Any]], None]) -> None:
        """Blocking: apply ``change`` to the index; the caller holds ``locked`` (worker thread)."""
        index = self._read_index()
        change(index)
        self._write_json(INDEX_KEY, index)
        self._touch(index=True)

    # -- records ------------------------------------------------------------------------------

    def cached(self, name: str) -> ProfileRecord | None:
        with self._cache_lock:
            return self._cache.get(name)

    async def load(self, name: str, *, fresh: bool = False) -> ProfileRecord:
        """The record of ``name``: the cached form (no refresh or ID token: ``cached_form``),
        from the cache when it has one; with ``fresh``, the whole record read from the keyring.

        Raises:
            ProfileNotFound: no such profile.
        """
        if not fresh:
            hit = self.cached(name)
            if hit is not None:
                return hit
        record = await self.run(self.read_profile_unlocked, name)
        if record is None:
            raise ProfileNotFound(name)
        kept = self._remember(record)
        return record if fresh else kept

    async def scan(self) -> Listing:
        """Every profile the index names, the damaged ones set apart instead of failing the lot.

        The records are in their cached form (``cached_form``): a listing paints rows.

        An entry that cannot be read or decoded is listed in ``damaged``; so is a name whose
        entry is gone, once a second look under the store lock shows that no remove was just
        finishing in another process. Errors that concern the whole keyring (locked, gone) still
        raise: no entry could be read then. So does a damaged index (``EntryDamaged`` naming
        ``musicauth store repair``): without it no entry can be found.
        """

        def work() -> tuple[Listing, list[str]]:
            listing, missing = Listing(), []
            # One bulk read where the vault offers it (the Secret Service: ~20 ms for all
            # instead of ~19 ms per entry), else entry by entry.
            snapshot: Callable[[Callable[[str], bool]], SecretReader] | None = getattr(self.vault, "snapshot", None)
            # The index and the profiles only: a listing has no use for the private keys.
            reader = snapshot(_is_listing_entry) if snapshot is not None else self.vault
            for name in parse_index(self._read_json(INDEX_KEY, reader))["profiles"]:
                try:
                    record = self.read_profile_unlocked(name, reader)
                except EntryDamaged as exc:
                    listing.damaged.append(DamagedEntry(name, "profile", exc.message))
                    continue
                if record is None:
                    missing.append(name)
                else:
                    listing.records.append(record)
            return listing, missing

        listing, missing = await self.run(work)
        if missing:
            gone = set(await self.run(self.locked, lambda: self._still_missing(missing)))
            listing.damaged.extend(DamagedEntry(name, "profile", missing_reason(profile_key(name))) for name in missing if name in gone)
        listing.records[:] = [self._remember(record) for record in listing.records]
        return listing

    def _still_missing(self, names: list[str]) -> list[str]:
        """Blocking, under the lock: those of ``names`` the index lists without an entry."""
        listed = self._read_index()["profiles"]
        return [n for n in names if n in listed and self.vault.get(profile_key(n)) is None]

    async def load_all(self) -> list[ProfileRecord]:
        """The readable profiles, in index order (``scan`` also tells which are damaged)."""
        return (await self.scan()).records

    async def save(self, record: ProfileRecord) -> None:
        """Create or replace a record, adding its name to the index when new."""

        def work() -> None:
            # The index first: a damaged one stops the save before it leaves an entry that no
            # listing would find.
            index = self._read_index()
            self._write_json(profile_key(record.name), record.to_json())
            if record.name not in index["profiles"]:
                index["profiles"].append(record.name)
                self._write_json(INDEX_KEY, index)
                self._touch(index=True)
            self._touch(record.name)

        await self.run(self.locked, work)
        self._remember(record)

    async def update(self, name: str, change: Callable[[ProfileRecord], ProfileRecord]) -> ProfileRecord:
        """Read ``name`` fresh, apply ``change`` and write it back, atomically across processes.

        Used for every token write, so a token stored by another process in the meantime is
        the one ``change`` sees.
        """

        def work() -> ProfileRecord:
            old = self.read_profile_unlocked(name)
            if old is None:
                raise ProfileNotFound(name)
            record = change(old)
            self._write_json(profile_key(name), record.to_json())
            self._touch(name)
            return record

        record = await self.run(self.locked, work)
        self._remember(record)
        return record

    async def delete(self, name: str) -> None:
        """Remove a profile with its secrets and tokens; the repair of a damaged or missing one."""

        def work() -> None:
            index = self._read_index()
            if not (name in index["profiles"] or self.entry_exists(profile_key(name))):
                raise ProfileNotFound(name)
            self.vault.delete(profile_key(name))
            if name in index["profiles"]:
                index["profiles"].remove(name)
                self._write_json(INDEX_KEY, index)
            self._touch(name, index=True)

        await self.run(self.locked, work)
        with self._cache_lock:
            self._cache.pop(name, None)

    def entry_exists(self, key: str) -> bool:
        """Blocking (worker thread): whether the vault holds ``key``, readable or not."""
        try:
            return self.vault.get(key) is not None
        except EntryDamaged:
            return True


def cached_form(record: ProfileRecord) -> ProfileRecord:
    """``record`` as the cache keeps it: the refresh token and ID token replaced by ``WITHHELD``.

    Only a renewal and a sign-out spend a refresh token, and both read the record fresh under
    the renewal lock; nothing reads an ID token after sign-in. ``WITHHELD`` is true, so "can it
    renew itself?" still reads right from the cached form.
    """
    token = record.token
    if token is None or (token.refresh_token is None and token.id_token is None):
        return record
    kept = dataclasses.replace(
        token,
        refresh_token=WITHHELD if token.refresh_token else None,
        id_token=WITHHELD if token.id_token else None,
    )
    return dataclasses.replace(record, token=kept)


def _decode(name: str, data: dict[str, Any]) -> ProfileRecord:
    try:
        return ProfileRecord.from_json(data)
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise EntryDamaged(f"the stored profile {name!r} is damaged", entry=profile_key(name)) from exc
