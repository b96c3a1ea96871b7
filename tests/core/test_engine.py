"""The engine in-process: store round trips, renewal by the clock, discovery, endpoint rules."""

from __future__ import annotations

import dataclasses

import pytest

from musicauth_gui.core import inflight
from musicauth_gui.core.clock import FakeClock
from musicauth_gui.core.engine import TokenEngine
from musicauth_gui.core.errors import ConfigError, DiscoveryFailed, InsecureEndpoint
from musicauth_gui.core.inflight import InFlight
from musicauth_gui.core.model import TokenSet
from musicauth_gui.core.profiles_file import parse_profiles_text
from musicauth_gui.core.secret import Secret
from musicauth_gui.core.store.profile_store import ProfileStore
from musicauth_gui.core.store.vault import KeyringVault, MemoryVault
from tests.core.conftest import CLIENT_ID, CLIENT_SECRET
from tests.support.file_keyring import FileKeyring


def mxm_cc(mxm, **extra: str) -> str:  # type: ignore[no-untyped-def]
    lines = [
        "[profiles.mxm]",
        'provider = "musixmatch"',
        'flow = "client_credentials"',
        f'client_id = "{CLIENT_ID}"',
        f'client_secret = "{CLIENT_SECRET}"',
    ]
    lines += [f'{k} = "{v}"' for k, v in extra.items()]
    return "\n".join(lines) + "\n"


async def test_a_valid_token_costs_one_keyring_call(mxm) -> None:  # type: ignore[no-untyped-def]
    engine = TokenEngine(ProfileStore(KeyringVault(FileKeyring())))
    await engine.import_profiles(parse_profiles_text(mxm_cc(mxm, token_endpoint=mxm.url("/oauth/token"))))
    await engine.get_token("mxm")
    engine.store.close()
    # A fresh process: nothing cached.
    vault = KeyringVault(FileKeyring())
    fresh = TokenEngine(ProfileStore(vault))
    await fresh.get_token("mxm")
    fresh.store.close()
    assert vault.calls <= 2
    assert mxm.issued_count("client_credentials") == 1


async def test_renewal_is_driven_by_expires_in(mxm, fake_clock: FakeClock) -> None:  # type: ignore[no-untyped-def]
    mxm.access_token_ttl = 1000
    engine = TokenEngine(ProfileStore(MemoryVault(), cross_process=False), clock=fake_clock, cross_process=False)
    await engine.import_profiles(parse_profiles_text(mxm_cc(mxm, token_endpoint=mxm.url("/oauth/token"))))
    first = await engine.get_token("mxm")
    assert first.expires_at == fake_clock.now() + 1000
    fake_clock.advance(1000 - 61)  # 61 s left: margin is max(60, 100) = 100, so renew
    second = await engine.get_token("mxm")
    assert second.access_token != first.access_token
    fake_clock.advance(800)  # 139 s left of the new one: keep it
    assert (await engine.get_token("mxm")).access_token == second.access_token
    engine.store.close()


async def test_issuer_replaces_the_base_url_through_discovery(mxm) -> None:  # type: ignore[no-untyped-def]
    engine = TokenEngine(ProfileStore(MemoryVault(), cross_process=False), cross_process=False)
    await engine.import_profiles(parse_profiles_text(mxm_cc(mxm, issuer=mxm.base_url)))
    token = await engine.get_token("mxm")
    assert mxm.is_access_token_active(token.access_token.reveal())
    paths = [r.path for r in mxm.requests]
    assert paths[0] == "/.well-known/oauth-authorization-server"
    # Cached: a second engine in this process reads the disk cache, not the network.
    again = TokenEngine(ProfileStore(MemoryVault(), cross_process=False), cross_process=False)
    await again.import_profiles(parse_profiles_text(mxm_cc(mxm, issuer=mxm.base_url)))
    await again.refresh("mxm")
    assert [r.path for r in mxm.requests].count("/.well-known/oauth-authorization-server") == 1
    engine.store.close()
    again.store.close()


async def test_discovery_refuses_metadata_for_another_issuer(mxm) -> None:  # type: ignore[no-untyped-def]
    engine = TokenEngine(ProfileStore(MemoryVault(), cross_process=False), cross_process=False)
    other = mxm.base_url.replace("127.0.0.1", "localhost")
    await engine.import_profiles(parse_profiles_text(mxm_cc(mxm, issuer=other)))
    with pytest.raises(DiscoveryFailed, match="another issuer"):
        await engine.get_token("mxm")
    engine.store.close()


async def test_devtoken_profiles_are_re_signed_before_expiry(fake_clock: FakeClock) -> None:
    engine = TokenEngine(ProfileStore(MemoryVault(), cross_process=False), clock=fake_clock, cross_process=False)
    await engine.keys.generate("k")
    await engine.import_profiles(
        parse_profiles_text('[profiles.m]\nprovider = "musicapi"\nclient_id = "c"\nkey = "k"\nkey_id = "KID"\ndevtoken_ttl = "10d"\n')
    )
    first = await engine.get_token("m")
    assert first.expires_at == int(fake_clock.now()) + 10 * 86400
    fake_clock.advance(9 * 86400 - 1)  # a day and a second left: just outside the 10 % (one day) margin
    assert (await engine.get_token("m")).access_token == first.access_token
    fake_clock.advance(2)
    second = await engine.get_token("m")
    assert second.access_token != first.access_token and second.issued_at == int(fake_clock.now())
    engine.store.close()


def test_profiles_file_rules() -> None:
    with pytest.raises(InsecureEndpoint):
        parse_profiles_text('[profiles.x]\nprovider = "oauth2"\nclient_id = "a"\nissuer = "http://id.example.com"\n')
    with pytest.raises(ConfigError, match="needs an issuer"):
        parse_profiles_text('[profiles.x]\nprovider = "oauth2"\nclient_id = "a"\n')
    with pytest.raises(ConfigError, match=r"needs the scope\(s\) email"):
        parse_profiles_text('[profiles.x]\nprovider = "musixmatch"\nclient_id = "a"\nscopes = ["profile"]\n')
    with pytest.raises(ConfigError, match="unknown field"):
        parse_profiles_text('[profiles.x]\nprovider = "groove"\nclient_id = "a"\nclient_secert = "typo"\n')
    (item,) = parse_profiles_text('[profiles.x]\nprovider = "spotify"\nclient_id = "a"\nscopes = "a b"\n')
    assert item.profile.scopes == ("a", "b") and item.profile.flow == "authorization_code"
    assert item.client_secret is None


async def test_concurrent_callers_share_one_renewal(mxm, fake_clock: FakeClock) -> None:  # type: ignore[no-untyped-def]
    import asyncio

    engine = TokenEngine(ProfileStore(KeyringVault(FileKeyring())), clock=fake_clock)
    await engine.import_profiles(parse_profiles_text(mxm_cc(mxm, token_endpoint=mxm.url("/oauth/token"))))
    await engine.get_token("mxm")
    fake_clock.advance(3600)  # expired
    mxm.fail_next("/oauth/token", "slow:0.3")  # a renewal slow enough for everyone to pile up
    tokens = await asyncio.gather(*(engine.get_token("mxm") for _ in range(5)))
    assert len({t.access_token.reveal() for t in tokens}) == 1
    assert mxm.issued_count("client_credentials") == 2
    engine.store.close()


async def test_an_import_while_the_keyring_fails_to_read_keeps_the_stored_tokens(mxm, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from musicauth_gui.core.errors import StoreError

    text = mxm_cc(mxm, token_endpoint=mxm.url("/oauth/token"))
    engine = TokenEngine(ProfileStore(KeyringVault(FileKeyring())))
    await engine.import_profiles(parse_profiles_text(text))
    token = await engine.get_token("mxm")
    monkeypatch.setenv("MUSICAUTH_TEST_KEYRING_FAIL", "get")
    monkeypatch.setenv("MUSICAUTH_TEST_KEYRING_FAIL_TIMES", "1")  # only the read of the old record
    with pytest.raises(StoreError):
        await engine.import_profiles(parse_profiles_text(text))
    monkeypatch.delenv("MUSICAUTH_TEST_KEYRING_FAIL")
    stored = await engine.store.load("mxm", fresh=True)
    engine.store.close()
    assert stored.token is not None and stored.token.access_token == token.access_token


@pytest.mark.parametrize("earlier", [None, InFlight("mxm", 1_700_000_000.0, 4242, "no_answer")])
async def test_a_refresh_that_stops_before_its_request_leaves_the_markers_as_they_were(mxm, earlier) -> None:  # type: ignore[no-untyped-def]
    """The in-flight marker is written before the client is made (engine ``_renew``); a refresh
    that fails before it sends anything (here: discovery) spent nothing, so an earlier marker
    keeps explaining what it explained, and none is left behind when there was none."""
    engine = TokenEngine(ProfileStore(MemoryVault(), cross_process=False), cross_process=False)
    other = mxm.base_url.replace("127.0.0.1", "localhost")
    await engine.import_profiles(parse_profiles_text(mxm_cc(mxm, issuer=other).replace("client_credentials", "authorization_code")))
    token = TokenSet(access_token=Secret("old-access"), refresh_token=Secret("old-refresh"), expires_at=0.0)
    await engine.store.update("mxm", lambda record: dataclasses.replace(record, token=token))
    if earlier is not None:
        inflight._write(earlier)
    with pytest.raises(DiscoveryFailed, match="another issuer"):
        await engine.refresh("mxm")
    assert inflight.read("mxm") == earlier
    assert not [r for r in mxm.requests if r.form.get("grant_type") == "refresh_token"]
    engine.store.close()


async def test_a_forced_refresh_reads_the_keyring_once_before_its_request(mxm) -> None:  # type: ignore[no-untyped-def]
    """`musicauth refresh` has no cache: its one read is the fresh one under the renewal lock
    (a read before it was a second keyring round trip, ~20 ms on the Secret Service)."""
    engine = TokenEngine(ProfileStore(KeyringVault(FileKeyring())))
    await engine.import_profiles(parse_profiles_text(mxm_cc(mxm, token_endpoint=mxm.url("/oauth/token"))))
    await engine.get_token("mxm")
    engine.store.close()
    reads_before_request: list[str] = []

    class CountingKeyring(FileKeyring):
        def get_password(self, service: str, username: str) -> str | None:
            if mxm.issued_count("client_credentials") == 1:  # the refresh's request not yet answered
                reads_before_request.append(username)
            return super().get_password(service, username)

    fresh = TokenEngine(ProfileStore(KeyringVault(CountingKeyring())))
    await fresh.refresh("mxm")
    fresh.store.close()
    assert mxm.issued_count("client_credentials") == 2
    assert len(reads_before_request) == 1, reads_before_request
