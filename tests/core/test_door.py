"""The engine's door for the front ends: the state model, credentials renewed before use,
per-profile sign-in handles, and a scheduler that never drops a profile silently."""

from __future__ import annotations

import asyncio
import dataclasses
import logging
from collections.abc import Callable

import pytest

from musicauth_gui.cli import _describe
from musicauth_gui.core.engine import TokenEngine
from musicauth_gui.core.errors import ProviderUnreachable, SignInCancelled
from musicauth_gui.core.events import RenewalFailed, TokenRenewed
from musicauth_gui.core.model import ProfileRecord, ProfileStatus, TokenSet
from musicauth_gui.core.profiles_file import parse_profiles_text
from musicauth_gui.core.scheduler import RenewalScheduler
from musicauth_gui.core.secret import Secret
from musicauth_gui.core.state import IDLE, Activity, Failure, StateKind, profile_state
from tests.core.conftest import CLIENT_ID, CLIENT_SECRET
from tests.support.events import EventLog
from tests.support.fake_browser import browse

NOW = 1_700_000_000.0


def profiles(mxm, *names: str, flow: str = "authorization_code") -> str:  # type: ignore[no-untyped-def]
    return "".join(
        f'[profiles.{name}]\nprovider = "musixmatch"\nflow = "{flow}"\nclient_id = "{CLIENT_ID}"\n'
        f'client_secret = "{CLIENT_SECRET}"\nauthorization_endpoint = "{mxm.url("/oauth/authorize")}"\n'
        f'token_endpoint = "{mxm.url("/oauth/token")}"\n'
        for name in names
    )


def record(mxm, flow: str = "authorization_code", token: TokenSet | None = None, **status: object) -> ProfileRecord:  # type: ignore[no-untyped-def]
    (item,) = parse_profiles_text(profiles(mxm, "p", flow=flow))
    return ProfileRecord(profile=item.profile, client_secret=None, token=token, status=ProfileStatus(**status))  # type: ignore[arg-type]


def token(expires_in: float | None, lifetime: float = 3600) -> TokenSet:
    expires_at = None if expires_in is None else NOW + expires_in
    return TokenSet(access_token=Secret("access-token-value"), issued_at=NOW + (expires_in or 0) - lifetime, expires_at=expires_at)


# -- one state model ------------------------------------------------------------------------------


def test_the_state_of_a_record_by_the_clock(mxm) -> None:  # type: ignore[no-untyped-def]
    def kind(rec: ProfileRecord, activity: Activity = IDLE) -> StateKind:
        return profile_state(rec, NOW, activity).kind

    assert kind(record(mxm, token=token(3000))) is StateKind.VALID
    assert kind(record(mxm, token=token(100))) is StateKind.EXPIRING  # margin: 10 % of an hour
    assert kind(record(mxm, token=token(-1))) is StateKind.EXPIRED
    assert kind(record(mxm, token=token(None))) is StateKind.STATIC
    assert kind(record(mxm, flow="client_credentials")) is StateKind.NO_TOKEN
    never = profile_state(record(mxm), NOW)
    assert never.kind is StateKind.NEEDS_SIGN_IN and never.reason is None
    dead = profile_state(record(mxm, token=token(3000), needs_sign_in=True, reason="refresh token revoked"), NOW)
    assert (dead.kind, dead.reason) == (StateKind.NEEDS_SIGN_IN, "refresh token revoked")
    # What only the running engine and scheduler know comes first.
    valid = record(mxm, token=token(3000))
    assert kind(valid, Activity(renewing=True)) is StateKind.RENEWING
    assert kind(valid, Activity(signing_in=True, renewing=True)) is StateKind.SIGNING_IN
    error = ProviderUnreachable("the provider did not answer")
    retrying = profile_state(valid, NOW, Activity(failure=Failure("down", error, next_attempt_at=NOW + 5)))
    assert (retrying.kind, retrying.next_attempt_at, retrying.error) == (StateKind.RETRYING, NOW + 5, error)
    assert kind(valid, Activity(failure=Failure("refused", error))) is StateKind.ERROR


def test_profile_list_keeps_its_words_and_adds_the_kind(mxm) -> None:  # type: ignore[no-untyped-def]
    assert _describe(record(mxm), NOW)["token_state"] == "none"  # never signed in: as before
    dead = _describe(record(mxm, needs_sign_in=True, reason="gone"), NOW)
    assert (dead["token_state"], dead["state"], dead["reason"]) == ("needs sign-in", "needs_sign_in", "gone")
    due = _describe(record(mxm, token=token(100)), NOW)
    assert (due["token_state"], due["state"]) == ("renew due", "expiring")
    assert _describe(record(mxm, token=token(None)), NOW)["token_state"] == "valid"


# -- credentials ----------------------------------------------------------------------------------


async def test_a_credential_is_renewed_before_it_is_handed_out(mxm, fake_clock) -> None:  # type: ignore[no-untyped-def]
    mxm.access_token_ttl = 1000
    engine = TokenEngine.in_memory()
    engine.clock = fake_clock
    await engine.import_profiles(parse_profiles_text(profiles(mxm, "cc", flow="client_credentials")))
    first = await engine.credential("cc")
    fake_clock.advance(2000)  # expired as stored
    stored = engine.record("cc")
    assert stored is not None and stored.token is not None and stored.token.expires_at < fake_clock.now()
    second = await engine.credential("cc")
    assert second.credential.value != first.credential.value
    assert second.token is not None and second.token.expires_at == fake_clock.now() + 1000
    assert engine.state(second.record).kind is StateKind.VALID
    engine.close()


# -- sign-in handles ------------------------------------------------------------------------------


async def test_two_profiles_wait_at_once_and_cancel_cancels_the_right_one(mxm) -> None:  # type: ignore[no-untyped-def]
    engine = TokenEngine.in_memory()
    await engine.import_profiles(parse_profiles_text(profiles(mxm, "a", "b")))
    first = engine.sign_in("a", open_browser=lambda url: None)
    second = engine.sign_in("b", open_browser=lambda url: None)
    assert engine.sign_in("a", open_browser=lambda url: None) is first  # one per profile
    assert await first.listening() and await second.listening()
    assert engine.activity("a").signing_in and engine.activity("b").signing_in
    first.cancel()
    with pytest.raises(SignInCancelled):
        await first.result()
    assert not engine.activity("a").signing_in and engine.signing_in("b") is second
    assert second.url is not None
    assert await asyncio.to_thread(browse, second.url) == 0  # the stand-in browser approves
    signed_in = await second.result()
    # The cached record withholds the refresh token (core/secret.py); the access token is it.
    assert engine.record("b").token.access_token == signed_in.access_token  # type: ignore[union-attr]
    assert engine.record("a").token is None  # type: ignore[union-attr]
    assert engine.signing_in("b") is None
    engine.close()


async def test_a_sign_in_cancelled_before_it_listens_stores_nothing(mxm) -> None:  # type: ignore[no-untyped-def]
    engine = TokenEngine.in_memory()
    await engine.import_profiles(parse_profiles_text(profiles(mxm, "a")))
    handle = engine.sign_in("a", open_browser=lambda url: None)
    handle.cancel()  # before the task ran at all
    with pytest.raises(SignInCancelled):
        await handle.result()
    assert await handle.listening() is None
    engine.close()


# -- the scheduler never drops a profile silently ---------------------------------------------------


async def until(condition: Callable[[], bool], timeout: float = 5.0) -> None:
    async def poll() -> None:
        while not condition():
            await asyncio.sleep(0.01)

    await asyncio.wait_for(poll(), timeout)


async def test_an_unexpected_exception_is_logged_shown_and_retried(mxm, caplog) -> None:  # type: ignore[no-untyped-def]
    engine = TokenEngine.in_memory()
    await engine.import_profiles(parse_profiles_text(profiles(mxm, "cc", flow="client_credentials")))
    real_get_token = engine.get_token
    calls = 0

    async def get_token(name: str, *, force: bool = False) -> TokenSet:
        nonlocal calls
        calls += 1
        if calls == 1:
            raise RuntimeError(f"a bug holding {CLIENT_SECRET}")
        return await real_get_token(name, force=force)

    engine.get_token = get_token  # type: ignore[method-assign]
    scheduler = RenewalScheduler(engine, backoff_start=0.2)
    log = EventLog(engine.events, RenewalFailed, TokenRenewed)
    with caplog.at_level(logging.ERROR, logger="musicauth_gui.core.scheduler"):
        scheduler.watch("cc")
        await until(lambda: bool(log.of(RenewalFailed)))
        state = scheduler.state("cc")
        assert state is not None and state.kind is StateKind.RETRYING and state.next_attempt_at is not None
        failed = [(e.error.message, e.retry_in) for e in log.of(RenewalFailed)]
        assert failed == [("renewal failed unexpectedly (RuntimeError)", 0.2)]
        await until(lambda: bool(log.of(TokenRenewed)))  # retried, and recovered
    (logged,) = [r for r in caplog.records if r.levelno == logging.ERROR]
    assert "'cc' failed unexpectedly" in logged.getMessage() and "RuntimeError" in logged.getMessage()
    assert CLIENT_SECRET not in logged.getMessage()  # scrubbed, traceback included
    state = scheduler.state("cc")
    assert state is not None and state.kind is StateKind.VALID
    await scheduler.stop()
    engine.close()


def test_records_are_frozen(mxm) -> None:  # type: ignore[no-untyped-def]
    state = profile_state(record(mxm), NOW)
    with pytest.raises(dataclasses.FrozenInstanceError):
        state.kind = StateKind.VALID  # type: ignore[misc]
