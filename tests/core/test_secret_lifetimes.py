"""How long secrets stay in memory (core/secret.py's policy, docs/secrets.md): the store's cache
withholds refresh and ID tokens, the scrub registry follows the live secrets, and loaded keys go
when idle."""

from __future__ import annotations

import asyncio
import dataclasses
import gc

import pytest

from musicauth_gui.core.clock import FakeClock
from musicauth_gui.core.model import Profile, ProfileRecord, TokenSet
from musicauth_gui.core.secret import WITHHELD, Secret, live_secret_count
from musicauth_gui.core.store.key_store import KeyStore
from musicauth_gui.core.store.profile_store import ProfileStore
from musicauth_gui.core.store.vault import MemoryVault


def signed_in(name: str, n: int = 0) -> ProfileRecord:
    profile = Profile(name=name, provider="spotify", flow="authorization_code", client_id="c")
    token = TokenSet(
        access_token=Secret(f"access-token-{n:04d}"),
        refresh_token=Secret(f"refresh-token-{n:04d}"),
        id_token=Secret(f"id-token-{n:04d}"),
        issued_at=1000.0,
        expires_at=4600.0,
    )
    return ProfileRecord(profile=profile, client_secret=Secret("client-secret-value"), token=token)


async def test_the_cache_withholds_refresh_and_id_tokens_and_a_fresh_read_has_them() -> None:
    store = ProfileStore(MemoryVault(), cross_process=False)
    await store.save(signed_in("p"))
    cached = store.cached("p")
    assert cached is not None and cached.token is not None
    assert cached.token.refresh_token is WITHHELD and cached.token.id_token is WITHHELD
    # What rows paint and copies use is there: the access token, the client secret, the times.
    assert cached.token.access_token.reveal() == "access-token-0000"
    assert cached.client_secret is not None and cached.client_secret.reveal() == "client-secret-value"
    assert cached.token.expires_at == 4600.0
    assert (await store.load("p")) is cached
    assert (await store.scan()).records[0].token.refresh_token is WITHHELD  # type: ignore[union-attr]
    fresh = await store.load("p", fresh=True)
    assert fresh.token is not None and fresh.token.refresh_token is not None
    assert fresh.token.refresh_token.reveal() == "refresh-token-0000"
    updated = await store.update("p", lambda rec: rec)
    assert updated.token is not None and updated.token.refresh_token == Secret("refresh-token-0000")
    # A withheld value can never be written back over the real one.
    with pytest.raises(RuntimeError, match="withheld"):
        cached.to_json()
    store.close()


async def test_secrets_replaced_in_the_store_leave_the_scrub_registry() -> None:
    store = ProfileStore(MemoryVault(), cross_process=False)
    await store.save(signed_in("p"))
    gc.collect()
    baseline = live_secret_count()
    for n in range(1, 51):  # fifty renewals, each a new access and refresh token
        await store.update("p", lambda rec, n=n: dataclasses.replace(rec, token=signed_in("p", n).token))
    gc.collect()
    assert live_secret_count() <= baseline + 2  # not fifty times more: the old ones are gone
    store.close()


async def test_a_loaded_key_is_dropped_after_it_sits_unused(fake_clock: FakeClock) -> None:
    vault = MemoryVault()
    store = ProfileStore(vault, cross_process=False)
    await store.save(signed_in("p"))  # an index to add the key to
    keys = KeyStore(store, clock=fake_clock, idle_seconds=300)
    await keys.generate("k")
    assert keys.loaded_names() == {"k"}
    calls = vault.calls
    await keys.private_key("k")
    fake_clock.advance(299)
    await keys.private_key("k")  # in use: kept, and its idle time starts again
    assert vault.calls == calls  # no keyring read while it is in use
    fake_clock.advance(300)
    keys.drop_idle_keys()
    assert keys.loaded_names() == set()
    await keys.private_key("k")
    assert vault.calls == calls + 1  # read again from the keyring, once
    store.close()


async def test_an_idle_key_goes_even_if_nothing_asks_for_a_key_again() -> None:
    store = ProfileStore(MemoryVault(), cross_process=False)
    await store.save(signed_in("p"))
    keys = KeyStore(store, idle_seconds=0.05)  # the real clocks, and the loop's timer
    await keys.generate("k")
    assert keys.loaded_names() == {"k"}
    await asyncio.sleep(0.2)
    assert keys.loaded_names() == set()
    store.close()
