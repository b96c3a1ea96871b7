"""The token engine: the one façade the CLI and the desktop app both drive.

It resolves a profile's endpoints (preset, overrides, discovery), runs the flows, and decides
what to store and when:

- a renewal is single-flight per profile, inside this process (an asyncio lock) and across
  processes (a lock file), and re-reads the store once it holds the lock, so a token another
  process renewed meanwhile is used instead of spending a rotating refresh token twice;
- after a refresh, the new refresh token is stored before the new access token is handed out;
- a transient failure (5xx, timeout, malformed answer) stores nothing, so the old refresh token
  survives; ``invalid_grant`` marks the profile as needing sign-in;
- a refresh, once its refresh token may be spent, runs to its stored end even if the caller is
  cancelled, retries a failed keyring write, keeps a new refresh token from an otherwise
  unusable answer, and leaves an in-flight marker (core/inflight.py) whenever it could not
  store, so that the next ``invalid_grant`` says why (README: "What survives a fault").
"""

from __future__ import annotations

import asyncio
import dataclasses
import functools
import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Collection
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING, Any, TypeVar
from urllib.parse import urlencode

from . import inflight
from .browser import BrowserOpener as BrowserOpener  # re-exported for the front ends
from .browser import open_url
from .clock import SYSTEM_CLOCK, Clock
from .discovery import OAUTH_SUFFIX as OAUTH_SUFFIX  # re-exported: the editor names the standard
from .discovery import Discovery
from .discovery import ServerMetadata as ServerMetadata  # re-exported for the front ends
from .env_secret import resolve
from .errors import (
    Action,
    ConfigError,
    EntryDamaged,
    InvalidGrant,
    MalformedResponse,
    MusicAuthError,
    NeedsSignIn,
    NoKeyringError,
    ProfileNotFound,
    ProviderError,
    ProviderRejected,
    ProviderUnreachable,
    SignInError,
    StoreError,
    UnusableRotation,
)
from .model import SIGN_IN_FLOWS, AuthMethod, IntrospectionStyle, Profile, ProfileRecord, ProfileStatus, TokenSet
from .names import shown
from .presets import Preset, get_preset
from .record import frozen_record
from .renewal import needs_renewal
from .secret import Secret
from .store.profile_store import Listing, ProfileStore
from .urls import check_endpoint

# Imported where used (benchmarks/README.md, "Start-up"): both front ends import this module,
# and a one-shot `musicauth refresh` or `login` pays for every import before its first request.
# What only some paths need waits for them: the other sign-in kinds (OAuth 1.0a, Last.fm,
# MusicKit, Deezer), the event hub and the state model (the desktop app's), outside-change
# reading, the lock files (filelock, ~6 ms: a sign-in takes them after the token answer), the
# DevToken signer and the profiles file's rules; and what only a sign-in or a credential uses
# (PKCE, the sign-in handle, the credential rules of core/usage.py: ~3 ms on the desktop app's
# way to its listed profiles). DeviceCode and IssuedCredential stay re-exported for the front
# ends' annotations (cli.py's, under TYPE_CHECKING); at run time they come from their modules.
if TYPE_CHECKING:
    import httpx

    from .events import EventHub
    from .key_ring import KeyRing
    from .oauth import flows
    from .oauth.loopback import LoopbackListener
    from .outside_changes import OutsideChanges
    from .profiles_file import ProfileInput
    from .sign_in import DeviceCode as DeviceCode  # re-exported for the front ends
    from .sign_in import SignIn
    from .state import Activity, ProfileState
    from .store.key_store import KeyStore
    from .store.migrate import MigrationReport
    from .store.repair import RepairReport
    from .store.selection import PassphrasePrompt, StoreKind
    from .try_call import TryResult
    from .usage import IssuedCredential as IssuedCredential  # re-exported: core/lean_token.py makes them too

log = logging.getLogger(__name__)

DEFAULT_LOGIN_TIMEOUT = 300.0
#: Renewals in progress at once per engine, whoever asks. The store serialises keyring calls on
#: one worker thread anyway, so more would not finish sooner. The scheduler queues its own looks
#: to the same number before they start (core/scheduler.py), so that a burst of due tokens does
#: not even wake up all at once; this cap covers every other caller too.
MAX_CONCURRENT_RENEWALS = 8
#: Pauses before the second, third and fourth attempt to store a renewed token (2 s in all).
STORE_RETRY_DELAYS = (0.25, 0.5, 1.25)
#: How long closing the engine waits for refreshes in flight: the HTTP deadline (30 s by
#: default), the keyring write and its retries, and a margin.
FINISH_TIMEOUT = 40.0

T = TypeVar("T")


@frozen_record
class Endpoints:
    """A profile's endpoints after presets, overrides and discovery."""

    authorization: str | None
    token: str | None
    introspection: str | None
    introspection_style: IntrospectionStyle | None
    revocation: str | None
    logout: str | None
    device_authorization: str | None = None


@frozen_record
class SignOutResult:
    """What signing out did: whether the provider revoked the token, where to end its session."""

    revoked: bool
    logout_url: str | None
    #: Why the provider did not confirm the revocation (the tokens were deleted here anyway);
    #: the front ends word it.
    revocation_error: MusicAuthError | None = None
    #: The provider (its label) at which the forgotten token stays valid: it has no way to
    #: revoke one (Discogs, Last.fm, Apple Music), so access is withdrawn in its settings.
    still_valid_at: str | None = None


class TokenEngine:
    """Tokens for stored profiles.

    Args:
        store: the profile store (keyring or memory).
        clock: the wall and monotonic clocks (``core.clock``); tests inject a ``FakeClock``.
        discovery: shared metadata cache.
        client_factory: makes the httpx client (tests may shorten its deadline).
        shared_client: keep one client for every call instead of one per call. Creating a
            client builds its SSL context (loading the CA bundle: 20-40 ms of CPU on the event
            loop's thread), so a long-running process (the desktop app) shares one and must
            ``await aclose()`` at the end; a one-shot command (the CLI) needs neither.
        one_shot: the engine serves one command, and the process ends with it (the CLI): its
            requests go through httpcore's synchronous stack on daemon threads
            (``core/threaded_transport.py``), which imports no anyio, and a request abandoned
            at the deadline or by Ctrl-C never holds the process. Ignored with ``client_factory``.
    """

    def __init__(
        self,
        store: ProfileStore,
        *,
        clock: Clock = SYSTEM_CLOCK,
        discovery: Discovery | None = None,
        client_factory: Callable[[], httpx.AsyncClient] | None = None,
        cross_process: bool = True,
        shared_client: bool = False,
        one_shot: bool = False,
    ) -> None:
        self.store = store
        self.clock = clock
        self.discovery = discovery or Discovery()
        self.client_factory = client_factory or functools.partial(_default_client, one_shot=one_shot)
        self.shared_client = shared_client
        self._client: httpx.AsyncClient | None = None
        self._client_loop: asyncio.AbstractEventLoop | None = None
        self._client_pending: asyncio.Future[httpx.AsyncClient] | None = None
        self._slots: tuple[asyncio.AbstractEventLoop, asyncio.Semaphore] | None = None
        self._locks: dict[str, asyncio.Lock] = {}
        #: Refreshes past the point of no return (the refresh token is spent): see ``aclose``.
        self._finishing: set[asyncio.Future[Any]] = set()
        self._cross_process = cross_process
        #: Profiles whose renewal is under way here, and their browser sign-ins (for the state).
        self._renewing: set[str] = set()
        self._sign_ins: dict[str, SignIn] = {}

    @functools.cached_property
    def events(self) -> EventHub:
        """What happened (core/events.py): profile changes from here, renewals from the scheduler.

        Made when first asked for: a one-shot command never subscribes, so it never pays for it."""
        from .events import EventHub

        return EventHub()

    # The key store and its operations are made when first used: they import cryptography
    # (~15 ms), which a token, a sign-in or a refresh never needs (benchmarks/README.md).
    @functools.cached_property
    def keys(self) -> KeyStore:
        from .store.key_store import KeyStore

        return KeyStore(self.store, clock=self.clock)

    @functools.cached_property
    def key_ring(self) -> KeyRing:
        """The key operations for the front ends (they never touch ``keys`` itself)."""
        from .key_ring import KeyRing

        return KeyRing(self.keys)

    @classmethod
    def with_keyring(cls, *, one_shot: bool = False) -> TokenEngine:
        """An engine on the OS keyring. Blocking (keyring's backend discovery, ~0.4 s).

        Raises:
            NoKeyringError: no usable keyring.
        """
        from .store.vault import KeyringVault

        return cls(ProfileStore(KeyringVault()), one_shot=one_shot)

    @classmethod
    def from_environment(cls, *, ask_passphrase: PassphrasePrompt | None = None, one_shot: bool = False) -> TokenEngine:
        """An engine on the store the user chose (``MUSICAUTH_STORE``: the OS keyring by
        default, or the encrypted vault file; core/store/selection.py). Blocking.

        Args:
            ask_passphrase: how the front end asks for the vault file's passphrase when the
                environment does not give it (the CLI: a prompt on a terminal; the desktop
                app: a dialog, handed over to the GUI thread). Called on this thread.
            one_shot: as ``TokenEngine``'s (the CLI's engine).

        Raises:
            NoKeyringError: the keyring was chosen (by default) and there is none.
            VaultPassphraseNeeded, WrongVaultPassphrase, VaultDamaged: the vault file's.
            ConfigError: ``MUSICAUTH_STORE`` names no store.
        """
        from .store.selection import chosen_store, open_vault

        kind = chosen_store()
        if kind == "keyring":
            return cls.with_keyring(one_shot=one_shot)
        return cls(ProfileStore(open_vault(kind, ask=ask_passphrase)), one_shot=one_shot)

    @classmethod
    def in_memory(cls, *, one_shot: bool = False) -> TokenEngine:
        """An engine on a private in-memory store (demo mode): nothing is written anywhere."""
        from .store.vault import MemoryVault

        return cls(ProfileStore(MemoryVault(), cross_process=False), cross_process=False, one_shot=one_shot)

    def close(self) -> None:
        """Wait for the store's worker thread: a keyring write under way completes."""
        self.store.close()

    # -- HTTP ---------------------------------------------------------------------------------

    @asynccontextmanager
    async def http(self) -> AsyncIterator[httpx.AsyncClient]:
        """The client for one operation: the shared one (see ``shared_client``) or a new one
        closed afterwards."""
        if not self.shared_client:
            # make_client's transport imports the HTTP stack (~30 ms) on a worker thread at once,
            # overlapping with what the operation does before its first request (in a sign-in,
            # the browser's whole round trip); requests wait for it (core/http.py).
            async with self.client_factory() as client:
                yield client
            return
        yield await self._shared()

    async def _shared(self) -> httpx.AsyncClient:
        loop = asyncio.get_running_loop()
        if self._client_loop is not loop:
            # First use, or another loop (tests): pooled connections belong to their loop.
            self._client, self._client_loop, self._client_pending = None, loop, None
        if self._client is None or self._client.is_closed:
            if self._client_pending is None or self._client_pending.done():
                # Built on a worker thread, once for all concurrent callers: the SSL context
                # would otherwise stall the event loop for tens of milliseconds.
                self._client_pending = loop.run_in_executor(None, _warm_client, self.client_factory)
            self._client = await asyncio.shield(self._client_pending)
        return self._client

    async def warm_up_http(self) -> None:
        """Load what the first request needs now, off the event loop's thread: the HTTP stack's
        lazy imports and, with ``shared_client``, the client and its SSL context (loading the CA
        certificates holds the GIL for ~15 ms even on a worker thread). The desktop app's
        scheduler calls this shortly before the first renewal falls due."""
        if self.shared_client:
            await self._shared()
        else:
            await asyncio.get_running_loop().run_in_executor(None, prepare_http_stack)

    async def aclose(self) -> None:
        """Close the shared client (if any); the next call makes a new one.

        A refresh that has spent its refresh token is awaited first (bounded by the HTTP deadline
        and the keyring retries): the desktop app closes its engine when it quits, and closing
        the client under that request would lose the provider's rotated answer.
        """
        if self._finishing:
            _, pending = await asyncio.wait(set(self._finishing), timeout=FINISH_TIMEOUT)
            if pending:
                log.warning("quit with %d refresh(es) still waiting for the provider", len(pending))
        client, self._client, self._client_loop, self._client_pending = self._client, None, None, None
        if client is not None:
            await client.aclose()

    # -- profiles -----------------------------------------------------------------------------

    async def import_profiles(self, inputs: list[ProfileInput]) -> list[str]:
        """Add or update profiles. An update keeps the stored secret unless a new one is given,
        and keeps the tokens unless the client or the endpoints changed.

        Raises:
            ConfigError: a profile would have no client secret where it needs one
                (``profiles_file.secret_problem``, field ``client_secret``); nothing was saved.
        """
        from .profiles_file import secret_problem

        olds: list[ProfileRecord | None] = []
        for item in inputs:
            try:
                old: ProfileRecord | None = await self.store.load(item.profile.name, fresh=True)
            except (ProfileNotFound, EntryDamaged):
                # New, or beyond reading: the import replaces it. Any other error (a locked or
                # failing keyring) must stop here, or the stored tokens would be overwritten.
                old = None
            secret = item.client_secret or (old.client_secret if old else None)
            problem = secret_problem(get_preset(item.profile.provider), item.profile, has_secret=secret is not None)
            if problem is not None:
                raise problem  # before anything is saved: a file imports whole or not at all
            olds.append(old)
        names = []
        for item, old in zip(inputs, olds, strict=True):
            secret = item.client_secret or (old.client_secret if old else None)
            static_token = item.static_token or (old.static_token if old else None)
            keep_tokens = old is not None and _same_client(old.profile, item.profile)
            record = ProfileRecord(
                profile=item.profile,
                client_secret=secret,
                token=old.token if keep_tokens and old else None,
                status=old.status if keep_tokens and old else ProfileStatus(),
                signed_in_redirect_uri=old.signed_in_redirect_uri if keep_tokens and old else None,
                static_token=static_token,
            )
            await self.store.save(record)
            self._changed(item.profile.name)
            names.append(item.profile.name)
        return names

    async def set_auto_renew(self, name: str, enabled: bool) -> ProfileRecord:
        """Switch a profile's auto-renew (a non-secret preference kept with the profile)."""
        record = await self.store.update(
            name, lambda rec: dataclasses.replace(rec, profile=dataclasses.replace(rec.profile, auto_renew=enabled))
        )
        self._changed(name)
        return record

    async def remove_profile(self, name: str) -> None:
        await self.store.delete(name)
        await asyncio.to_thread(inflight.clear, name)
        self._changed(name)

    # -- endpoints ----------------------------------------------------------------------------

    async def endpoints(self, profile: Profile, client: httpx.AsyncClient) -> Endpoints:
        preset = get_preset(profile.provider)
        values = {
            "authorization_endpoint": profile.authorization_endpoint,
            "token_endpoint": profile.token_endpoint,
            "introspection_endpoint": profile.introspection_endpoint,
            "revocation_endpoint": profile.revocation_endpoint,
            "logout_endpoint": profile.logout_endpoint,
            "device_authorization_endpoint": profile.device_authorization_endpoint,
        }
        needed = ["token_endpoint"]
        if profile.flow == "authorization_code":
            needed.append("authorization_endpoint")
        elif profile.flow == "device":
            needed.append("device_authorization_endpoint")
        style = preset.introspection_style
        if profile.issuer or preset.issuer_required:
            # The issuer replaces the preset's base URL: whatever the profile does not set
            # explicitly comes from the issuer's metadata. Without an issuer there is nothing
            # to discover: the explicit endpoints are all there is (introspection, revocation
            # and logout are optional), and only the ones the flow needs must be set.
            missing_needed = not all(values[k] for k in needed)
            if missing_needed and not profile.issuer:
                raise ConfigError(
                    "needs an issuer or explicit endpoints (" + " and ".join(needed) + ")",
                    profile=profile.name,
                    field="issuer",
                    actions=(Action.EDIT_FIELD,),
                )
            if profile.issuer and (missing_needed or not values["introspection_endpoint"]):
                metadata = await self.discovery.fetch(client, profile.issuer)
                for key in (
                    "authorization_endpoint",
                    "token_endpoint",
                    "introspection_endpoint",
                    "revocation_endpoint",
                    "device_authorization_endpoint",
                ):
                    values[key] = values[key] or metadata.endpoint(key)
                values["logout_endpoint"] = values["logout_endpoint"] or metadata.endpoint("end_session_endpoint")
            style = style or "rfc7662"
        else:
            defaults = {
                "authorization_endpoint": preset.authorization_endpoint,
                "token_endpoint": preset.token_endpoint,
                "introspection_endpoint": preset.introspection_endpoint,
                "revocation_endpoint": preset.revocation_endpoint,
                "device_authorization_endpoint": preset.device_authorization_endpoint,
            }
            for key, default in defaults.items():
                values[key] = values[key] or default
            # The logout URL belongs to the authorization server; only default it while the
            # sign-in goes to the preset's own server.
            if not values["logout_endpoint"] and (
                profile.authorization_endpoint in (None, preset.authorization_endpoint)
            ):
                values["logout_endpoint"] = preset.logout_endpoint
        for key in needed:
            if not values[key]:
                raise ConfigError(f"{key} is not set", profile=profile.name, field=key, actions=(Action.EDIT_FIELD,))
        for key, value in values.items():
            if value:
                try:
                    check_endpoint(value, key.replace("_", " "), field=key)
                except ConfigError as exc:
                    raise exc.about(profile=profile.name) from None
        return Endpoints(
            authorization=values["authorization_endpoint"],
            token=values["token_endpoint"],
            introspection=values["introspection_endpoint"],
            introspection_style=style if values["introspection_endpoint"] else None,
            revocation=values["revocation_endpoint"],
            logout=values["logout_endpoint"],
            device_authorization=values["device_authorization_endpoint"],
        )

    # -- tokens -------------------------------------------------------------------------------

    async def get_token(self, name: str, *, force: bool = False) -> TokenSet:
        """A valid access token for ``name``, renewed first when near expiry (or ``force``).

        Raises:
            NeedsSignIn: only an interactive sign-in can produce a token.
            ProviderError: the renewal failed; nothing stored changed.
        """
        if not force:
            record = await self.store.load(name)
            if record.profile.flow == "static":
                return static_token_set(record)  # never expires, never renewed, nothing stored
            if not needs_renewal(record.token, self.clock.now()):
                assert record.token is not None
                return record.token
        # A forced renewal reads the record once, under the lock (fresh, as it must be there): a
        # one-shot `musicauth refresh` has no cache, so a read before it was a second keyring
        # call (~20 ms on the Secret Service) before the request.
        asked_at = self.clock.now()
        async with self._renewal_slot(), self._single_flight(name):
            record = await self.store.load(name, fresh=True)
            if record.profile.flow == "static":
                return static_token_set(record)
            token = record.token
            if token is not None:
                renewed_meanwhile = force and token.issued_at is not None and token.issued_at >= asked_at
                if renewed_meanwhile or (not force and not needs_renewal(token, self.clock.now())):
                    return token
            self._renewing.add(name)  # one at a time per profile: we hold its single-flight lock
            try:
                return await self._renew(record)
            finally:
                self._renewing.discard(name)

    async def refresh(self, name: str) -> TokenSet:
        """Renew now, whatever the remaining life."""
        return await self.get_token(name, force=True)

    async def _renew(self, record: ProfileRecord) -> TokenSet:
        profile = record.profile
        preset = get_preset(profile.provider)
        if preset.dialect == "lastfm":
            # A Last.fm session key never expires and cannot be renewed: kept until signed out.
            if record.token is not None and not record.status.needs_sign_in:
                return record.token
            raise NeedsSignIn(profile.name, record.status.reason or "never signed in")
        if profile.flow == "devtoken":
            # Re-signed before expiry like any other renewal; no network involved.
            return await self._store_token(profile.name, await self._sign_devtoken(record))
        if profile.flow == "oauth1":
            # OAuth 1.0a has no renewal: a token lives until revoked, and only a sign-in makes one.
            raise NeedsSignIn(profile.name, "an OAuth 1.0a token cannot be renewed" if record.token else "never signed in")
        if profile.flow == "music_user_token":
            # Only the MusicKit page hands one out (``login``): there is nothing to renew from.
            raise NeedsSignIn(profile.name, "never signed in" if record.token is None else "a Music User Token cannot be renewed")
        # The in-flight marker goes to disk before the client is made, while nothing else runs:
        # the client starts importing the HTTP stack on a worker thread, and a marker written
        # beside that import waited for the GIL after each of its system calls (open, write,
        # fsync, rename, fsync: ~15 ms instead of ~0.3 ms before a refresh's request). Until the
        # request is sent nothing is spent, so a refresh that stops sooner puts back what was there.
        marked: list[inflight.InFlight | None] = []  # [the earlier marker] once ours is written
        if profile.flow != "client_credentials" and _spends_refresh_token(record, self.clock.now()):
            marked.append(await asyncio.to_thread(inflight.begin, profile.name, now=self.clock.now()))
        try:
            return await self._renew_over_http(record, preset, marked)
        except BaseException:
            if marked:  # still ours to undo: the spend, once started, took it over (and emptied this)
                await asyncio.to_thread(inflight.abandon, profile.name, marked[0])
            raise

    async def _renew_over_http(self, record: ProfileRecord, preset: Preset, marked: list[inflight.InFlight | None]) -> TokenSet:
        profile = record.profile
        async with self.http() as client:
            from .oauth import flows  # httpx: loaded with the client
            endpoints = await self.endpoints(profile, client)
            assert endpoints.token is not None
            auth = self._client_auth(record, preset)
            now = self.clock.now()
            log.debug("renewing %r (%s) at %s", profile.name, profile.flow, endpoints.token)
            if profile.flow == "client_credentials":
                scopes = profile.scopes if profile.scopes is not None else preset.scopes.get("client_credentials", ())
                token = await flows.client_credentials(
                    client, endpoints.token, auth, scopes=scopes, extra=preset.extra_token_params, now=now
                )
                return await self._store_token(profile.name, token)
            current = record.token
            if current is None or current.refresh_token is None:
                reason = "no refresh token stored" if current else "never signed in"
                raise NeedsSignIn(profile.name, reason)
            if record.status.needs_sign_in:
                raise NeedsSignIn(profile.name, record.status.reason)
            if current.refresh_expires_at is not None and now >= current.refresh_expires_at:
                await self._mark_needs_sign_in(profile.name, "the refresh token has expired")
                raise NeedsSignIn(profile.name, "the refresh token has expired")
            redirect_uri = self._stored_redirect_uri(record) if preset.refresh_sends_redirect_uri else None
            scope = _refresh_scope(record, preset) if preset.refresh_sends_scope else None
            # From here the spend owns the marker: written (``marked``), or its own to write.
            already_marked = bool(marked)
            earlier = marked.pop() if marked else None
            spend = self._spend_refresh_token(
                client,
                endpoints.token,
                auth,
                record,
                now=now,
                redirect_uri=redirect_uri,
                scope=scope,
                refresh_token_lifetime=preset.refresh_token_lifetime,
                earlier=earlier,
                marked=already_marked,
            )
            return await finish_despite_cancellation(spend, track=self._finishing)

    async def _spend_refresh_token(
        self,
        client: httpx.AsyncClient,
        endpoint: str,
        auth: flows.ClientAuth,
        record: ProfileRecord,
        *,
        now: float,
        redirect_uri: str | None,
        scope: str | None,
        refresh_token_lifetime: float | None,
        earlier: inflight.InFlight | None = None,
        marked: bool = False,
    ) -> TokenSet:
        """One refresh-token grant, from the in-flight marker to the new token stored.

        The new refresh token is stored before the new access token is handed out (a crash
        after the write loses nothing; the reverse order could lose the only valid, rotated
        refresh token), with retries, and even from an answer that is otherwise unusable. The
        marker (core/inflight.py) stays behind whenever the token might have been spent
        without its replacement stored, so that the next ``invalid_grant`` can say why.
        ``marked``: the caller wrote it already, and ``earlier`` is what it replaced.
        """
        from .oauth import flows  # httpx: the caller holds the client

        name = record.profile.name
        current = record.token
        assert current is not None and current.refresh_token is not None
        if not marked:  # ``_renew`` writes it before the client is made, when it can tell
            earlier = await asyncio.to_thread(inflight.begin, name, now=now)
        try:
            token = await flows.refresh(
                client,
                endpoint,
                auth,
                token=current,
                now=now,
                redirect_uri=redirect_uri,
                scope=scope,
                refresh_token_lifetime=refresh_token_lifetime,
            )
        except InvalidGrant as exc:
            if earlier is not None:
                reason = earlier.explanation(now=now)
            else:
                reason = "the provider no longer accepts the refresh token"
                if exc.description:
                    reason += f": {exc.description}"
            await self._mark_needs_sign_in(name, reason)
            await asyncio.to_thread(inflight.clear, name)
            raise NeedsSignIn(name, reason) from exc
        except UnusableRotation as exc:
            # The provider rotated, then sent something unusable: keep its new refresh token,
            # with the old access token marked expired so that the next call renews.
            kept = dataclasses.replace(current, refresh_token=exc.refresh_token, expires_at=now)
            await self._store_renewed(name, kept, rotated=True)
            await asyncio.to_thread(inflight.clear, name)
            raise
        except ProviderRejected:
            await asyncio.to_thread(inflight.clear, name)  # refused: nothing was spent
            raise
        except ProviderUnreachable:
            await asyncio.to_thread(inflight.note_outcome, name, "no_answer")
            raise
        except MalformedResponse:
            await asyncio.to_thread(inflight.note_outcome, name, "unreadable")
            raise
        rotated = token.refresh_token is not None and token.refresh_token != current.refresh_token
        stored = await self._store_renewed(name, token, rotated=rotated)
        await asyncio.to_thread(inflight.clear, name)
        return stored

    async def _store_renewed(self, name: str, token: TokenSet, *, rotated: bool) -> TokenSet:
        """Store a renewed token, retrying a failed keyring write a few times with backoff.

        A keyring call can fail for a moment (a D-Bus timeout, a busy Secret Service, an unlock
        prompt just answered) and a rotated refresh token cannot be asked for again. If every
        attempt fails and the token was rotated, the error says what was lost and the marker
        records it for the next run.
        """
        failure: StoreError | None = None
        for delay in (*STORE_RETRY_DELAYS, None):
            try:
                return await self._store_token(name, token)
            except StoreError as exc:
                failure = exc
                # A damaged entry or a missing keyring will not heal in two seconds.
                if delay is None or isinstance(exc, (EntryDamaged, NoKeyringError)):
                    break
                log.info("storing the renewed token of %r failed (%s); trying again in %.2f s", name, exc, delay)
                await asyncio.sleep(delay)
        assert failure is not None
        if not rotated:
            await asyncio.to_thread(inflight.clear, name)  # the old refresh token still works
            raise failure
        await asyncio.to_thread(inflight.note_outcome, name, "not_stored")
        raise StoreError(
            f"the renewed token of profile {shown(name)} could not be stored ({failure.message}), "
            "and the provider has already replaced the old refresh token",
            profile=name,
            actions=(Action.SIGN_IN,),
        ) from failure

    async def _store_token(self, name: str, token: TokenSet, *, extra_status: ProfileStatus | None = None) -> TokenSet:
        await self.store.update(
            name, lambda rec: dataclasses.replace(rec, token=token, status=extra_status or ProfileStatus())
        )
        self._changed(name)
        return token

    async def _mark_needs_sign_in(self, name: str, reason: str) -> None:
        await self.store.update(
            name, lambda rec: dataclasses.replace(rec, status=ProfileStatus(needs_sign_in=True, reason=reason))
        )
        self._changed(name)

    async def _sign_devtoken(
        self,
        record: ProfileRecord,
        *,
        sub: str | None = None,
        ttl: str | None = None,
        lifetime: int | None = None,
        with_origin: bool = True,
    ) -> TokenSet:
        profile = record.profile
        preset = get_preset(profile.provider)
        if not profile.key or not profile.key_id:
            raise ConfigError(
                "key and key_id are needed for DevTokens",
                profile=profile.name,
                field="key_id" if profile.key else "key",
                actions=(Action.EDIT_FIELD,),
            )
        from .devtoken import DevTokenSigner, parse_ttl

        signer = DevTokenSigner(await self.keys.private_key(profile.key), kid=profile.key_id)
        lifetime = lifetime or parse_ttl(ttl or profile.devtoken_ttl)
        now = int(self.clock.now())
        jwt = signer.sign(
            iss=getattr(profile, preset.devtoken_issuer) or "",
            sub=sub or profile.subject,
            ttl=lifetime,
            now=now,
            max_ttl=preset.devtoken_max_ttl,
            extra={"origin": list(profile.origin)} if profile.origin and with_origin else None,
        )
        return TokenSet(access_token=Secret(jwt), token_type=preset.auth_scheme, issued_at=now, expires_at=now + lifetime)

    async def sign_devtoken(self, name: str, *, sub: str | None = None, ttl: str | None = None) -> TokenSet:
        """A one-off DevToken for ``name`` (not stored): ``musicauth devtoken``, batches."""
        record = await self.store.load(name)
        if record.profile.flow != "devtoken":
            raise ConfigError(f"profile {shown(name)} does not use DevTokens (its flow is {record.profile.flow})")
        return await self._sign_devtoken(record, sub=sub, ttl=ttl)

    # -- sign-in ------------------------------------------------------------------------------

    async def login(
        self,
        name: str,
        *,
        open_browser: BrowserOpener,
        timeout: float = DEFAULT_LOGIN_TIMEOUT,
        on_listening: Callable[[LoopbackListener, str], None] | None = None,
        on_device_code: Callable[[DeviceCode], None] | None = None,
    ) -> TokenSet:
        """The authorization-code flow with PKCE S256 and state through the system browser, or
        for a ``device`` profile the device authorization grant (``_device_login``).

        The listener is bound before ``open_browser(url)`` is called. ``on_listening`` receives
        the listener (for a Cancel button) and the URL (for "copy the sign-in URL").

        Raises:
            SignInError: denied, wrong state, timeout, cancelled, busy port.
            ProviderError: the code exchange failed.
        """
        try:
            return await self._login(
                name, open_browser=open_browser, timeout=timeout, on_listening=on_listening, on_device_code=on_device_code
            )
        except MusicAuthError as exc:  # the listener's and the exchanges' errors, told whose sign-in
            raise exc.about(profile=name) from None

    async def _login(
        self,
        name: str,
        *,
        open_browser: BrowserOpener,
        timeout: float,
        on_listening: Callable[[LoopbackListener, str], None] | None,
        on_device_code: Callable[[DeviceCode], None] | None,
    ) -> TokenSet:
        record = await self.store.load(name, fresh=True)
        profile = record.profile
        preset = get_preset(profile.provider)
        if profile.flow not in SIGN_IN_FLOWS:
            raise ConfigError(
                f"profile {shown(name)} uses {profile.flow}, which needs no sign-in",
                profile=name,
                actions=(Action.GET_TOKEN,),
            )
        if profile.flow == "device":
            return await self._device_login(record, open_browser=open_browser, on_device_code=on_device_code)
        if profile.flow == "oauth1":
            return await self._oauth1_login(record, open_browser=open_browser, timeout=timeout, on_listening=on_listening)
        if preset.dialect == "lastfm":
            return await self._lastfm_login(record, open_browser=open_browser, timeout=timeout, on_listening=on_listening)
        if profile.flow == "music_user_token":
            return await self._music_user_token_login(record, open_browser=open_browser, timeout=timeout, on_listening=on_listening)
        from .oauth import deezer
        from .oauth.loopback import LoopbackListener, parse_redirect_uri
        from .oauth.pkce import Pkce, new_state

        target = parse_redirect_uri(profile.redirect_uri)
        scopes = profile.scopes if profile.scopes is not None else preset.scopes.get("authorization_code", ())
        async with self.http() as client:
            from .oauth import flows  # httpx: loaded with the client

            endpoints = await self.endpoints(profile, client)
            assert endpoints.authorization and endpoints.token
            # Before the browser opens: a secret that is missing (or whose variable is unset)
            # would otherwise fail the code exchange after the user has already consented.
            auth = self._client_auth(record, preset)
            state = new_state()
            pkce = Pkce.generate()
            async with LoopbackListener(target, state=state) as listener:
                if preset.dialect == "deezer":
                    url = deezer.authorization_url(
                        endpoints.authorization,
                        app_id=profile.client_id,
                        redirect_uri=listener.redirect_uri,
                        perms=scopes,
                        state=state,
                    )
                else:
                    url = flows.authorization_url(
                        endpoints.authorization,
                        client_id=profile.client_id,
                        redirect_uri=listener.redirect_uri,
                        scopes=scopes,
                        state=state,
                        pkce=pkce,
                        extra={**_authorization_extras(scopes), **preset.authorization_params},
                    )
                if on_listening is not None:
                    on_listening(listener, url)
                await open_url(open_browser, url)
                callback = await listener.wait(timeout)
            if callback.iss and profile.issuer and callback.iss.rstrip("/") != profile.issuer.rstrip("/"):
                raise SignInError("the sign-in answer came from another issuer (RFC 9207); nothing was stored")
            if preset.dialect == "deezer":
                assert auth.client_secret is not None  # the preset requires one (_client_auth)
                token = await deezer.exchange_code(
                    client,
                    endpoints.token,
                    app_id=profile.client_id,
                    secret=auth.client_secret,
                    code=callback.code,
                    now=self.clock.now(),
                )
            else:
                token = await flows.exchange_code(
                    client,
                    endpoints.token,
                    auth,
                    code=callback.code,
                    redirect_uri=listener.redirect_uri,
                    pkce=pkce,
                    now=self.clock.now(),
                    refresh_token_lifetime=preset.refresh_token_lifetime,
                    extra=preset.code_exchange_params,
                )
        await self._store_signed_in(name, token, redirect_uri=listener.redirect_uri)
        return token

    async def _store_signed_in(self, name: str, token: TokenSet, *, redirect_uri: str | None = None) -> None:
        """Keep the token a sign-in brought, with the redirect URI it was signed in with (the
        loopback kinds whose URI was registered: the code flow, OAuth 1.0a's callback)."""
        async with self._single_flight(name):
            await self.store.update(
                name,
                lambda rec: dataclasses.replace(rec, token=token, status=ProfileStatus(), signed_in_redirect_uri=redirect_uri),
            )
            # A fresh grant: whatever an earlier refresh left behind no longer applies.
            await asyncio.to_thread(inflight.clear, name)
        self._changed(name)

    async def _device_login(
        self,
        record: ProfileRecord,
        *,
        open_browser: BrowserOpener,
        on_device_code: Callable[[DeviceCode], None] | None,
    ) -> TokenSet:
        """RFC 8628: ask for a user code, hand it to the front end (``on_device_code``), open
        the complete verification URI where there is one, then poll until the person approves
        it elsewhere, never faster than the provider's interval. Cancelling the task (Cancel,
        Ctrl-C) ends the polling with nothing stored.

        Raises:
            SignInDenied: denied on the verification page.
            SignInTimeout: the code expired first.
            ProviderError: the device endpoint or the token endpoint failed.
        """
        profile = record.profile
        name = profile.name
        preset = get_preset(profile.provider)
        scopes = profile.scopes if profile.scopes is not None else preset.scopes.get("device", ())
        async with self.http() as client:
            from .oauth import flows  # httpx: loaded with the client
            endpoints = await self.endpoints(profile, client)
            assert endpoints.token and endpoints.device_authorization
            auth = self._client_auth(record, preset)
            device = await flows.device_authorization(
                client, endpoints.device_authorization, auth, scopes=scopes, now=self.clock.now()
            )
            from .sign_in import DeviceCode

            code = DeviceCode(
                user_code=device.user_code,
                verification_uri=device.verification_uri,
                verification_uri_complete=device.verification_uri_complete,
                expires_at=device.expires_at,
                interval=device.interval,
            )
            if on_device_code is not None:
                on_device_code(code)
            if device.verification_uri_complete:
                await open_url(open_browser, device.verification_uri_complete)
            log.debug("device sign-in of %r: polling every %s s", name, device.interval)
            try:
                token = await flows.poll_device_token(
                    client,
                    endpoints.token,
                    auth,
                    device,
                    now=self.clock.now,
                    monotonic=self.clock.monotonic,
                    sleep=asyncio.sleep,
                )
            except SignInError as exc:  # denied, expired: sign in again, this profile
                raise exc.about(profile=name) from None
        await self._store_signed_in(name, token)
        return token

    async def _oauth1_login(
        self,
        record: ProfileRecord,
        *,
        open_browser: BrowserOpener,
        timeout: float,
        on_listening: Callable[[LoopbackListener, str], None] | None,
    ) -> TokenSet:
        """OAuth 1.0a's three legs (core/oauth/oauth1_sign_in.py); the token and its secret are
        stored like any sign-in's token. The consumer secret is read before the browser opens."""
        from .oauth import oauth1_sign_in
        from .oauth.loopback import parse_redirect_uri

        profile = record.profile
        endpoints = oauth1_sign_in.endpoints(profile, get_preset(profile.provider))
        from .usage import oauth1_consumer

        consumer = oauth1_consumer(record)
        target = parse_redirect_uri(profile.redirect_uri)
        async with self.http() as client:
            try:
                token, callback = await oauth1_sign_in.sign_in(
                    client,
                    endpoints,
                    consumer,
                    target=target,
                    open_browser=open_browser,
                    on_listening=on_listening,
                    timeout=timeout,
                    now=self.clock.now,
                )
            except (SignInError, ProviderError) as exc:  # sign in again, or fix a field: this profile's
                raise exc.about(profile=profile.name) from None
        await self._store_signed_in(profile.name, token, redirect_uri=callback)
        return token

    async def _lastfm_login(
        self,
        record: ProfileRecord,
        *,
        open_browser: BrowserOpener,
        timeout: float,
        on_listening: Callable[[LoopbackListener, str], None] | None,
    ) -> TokenSet:
        """Last.fm's web authentication (core/lastfm/web_auth.py): the browser to its page with
        a loopback ``cb`` holding our state, then the token it brings back exchanged by a signed
        ``auth.getSession`` for the session key, stored as the token (it never expires).

        Raises:
            SignInError: not approved, wrong state, timeout, cancelled.
            ProviderError: ``auth.getSession`` refused (error 13: the shared secret, ...).
        """
        from .lastfm import web_auth as lastfm_web_auth  # httpx: never loaded by `token`
        from .oauth.loopback import LoopbackListener, RedirectTarget
        from .oauth.pkce import new_state
        from .profiles_file import secret_problem
        from .usage import api_endpoint as lastfm_api_endpoint

        profile = record.profile
        name = profile.name
        preset = get_preset(profile.provider)
        page = profile.authorization_endpoint or preset.authorization_endpoint
        api = lastfm_api_endpoint(profile)
        assert page is not None and api is not None  # the preset has both
        for field, url in (("authorization_endpoint", page), ("api_endpoint", api)):
            try:
                check_endpoint(url, field.replace("_", " "), field=field)
            except ConfigError as exc:
                raise exc.about(profile=name) from None
        # Before the browser opens: without the shared secret nothing can be signed afterwards.
        secret = resolve(record.client_secret, profile=name, field="client_secret") if record.client_secret else None
        if secret is None:
            problem = secret_problem(preset, profile, has_secret=False)
            assert problem is not None
            raise problem
        state = new_state()
        async with self.http() as client:
            # Last.fm takes any callback in cb= (nothing to register): always an ephemeral port.
            async with LoopbackListener(RedirectTarget(), state=state, code_param="token", state_in_callback=True) as listener:
                callback = lastfm_web_auth.callback_uri(listener.redirect_uri, state)
                url = lastfm_web_auth.authorization_url(page, api_key=profile.client_id, callback=callback)
                if on_listening is not None:
                    on_listening(listener, url)
                await open_url(open_browser, url)
                answer = await listener.wait(timeout)
            try:
                token = await lastfm_web_auth.get_session(
                    client, api, api_key=profile.client_id, shared_secret=secret, token=answer.code, now=self.clock.now()
                )
            except ProviderRejected as exc:
                raise exc.about(profile=name) from None
        await self._store_signed_in(name, token)
        return token

    async def _music_user_token_login(
        self,
        record: ProfileRecord,
        *,
        open_browser: BrowserOpener,
        timeout: float,
        on_listening: Callable[[LoopbackListener, str], None] | None,
    ) -> TokenSet:
        """Apple Music: a loopback page runs MusicKit JS with a developer token signed for this
        sign-in and posts the Music User Token back (core/oauth/musickit_page.py). The token has
        no refresh and no known expiry: it is kept, with when it was obtained, until Apple
        refuses it.

        Raises:
            SignInDenied: ``authorize()`` was refused.
            StateMismatch, SignInTimeout, SignInCancelled, SignInError: as the page's listener.
        """
        from .oauth import musickit_page
        from .oauth.pkce import new_state
        from .presets.apple_music import MUSICKIT_JS_URL, USER_TOKEN_HEADER

        profile = record.profile
        name = profile.name
        script_url = profile.musickit_js_url or MUSICKIT_JS_URL
        page_token = await self._sign_devtoken(record, lifetime=musickit_page.page_token_lifetime(timeout), with_origin=False)
        try:
            async with musickit_page.MusicKitPage(
                state=new_state(), script_url=script_url, developer_token=page_token.access_token
            ) as page:
                if on_listening is not None:
                    on_listening(page, page.url)
                await open_url(open_browser, page.url)
                user_token = await page.wait_user_token(timeout)
        except SignInError as exc:
            raise exc.about(profile=name) from None
        now = self.clock.now()
        token = TokenSet(access_token=user_token, token_type=USER_TOKEN_HEADER, issued_at=now, consented_at=now)
        await self._store_signed_in(name, token)
        return token

    # -- introspection, sign-out -----------------------------------------------------------

    async def introspect(self, name: str) -> dict[str, Any]:
        """The provider's introspection answer for the current access token."""
        token = await self.get_token(name)
        record = await self.store.load(name)
        preset = get_preset(record.profile.provider)
        if preset.dialect == "lastfm":
            raise ConfigError(f"{preset.label} has no introspection: a signed call (try it) shows whether the session works")
        async with self.http() as client:
            from .oauth import flows  # httpx: loaded with the client
            endpoints = await self.endpoints(record.profile, client)
            if not endpoints.introspection or not endpoints.introspection_style:
                raise ConfigError(
                    "introspection_endpoint is not set",
                    profile=name,
                    field="introspection_endpoint",
                    actions=(Action.EDIT_FIELD,),
                )
            return await flows.introspect(
                client,
                endpoints.introspection,
                self._client_auth(record, preset),
                token=token.access_token,
                style=endpoints.introspection_style,
            )

    async def sign_out(self, name: str) -> SignOutResult:
        """Revoke (RFC 7009, where the provider has an endpoint), delete the stored tokens, and
        give the logout URL to open in the browser (Live clears its single-sign-on cookies)."""
        record = await self.store.load(name, fresh=True)
        preset = get_preset(record.profile.provider)
        revoked = False
        revocation_error = None
        still_valid_at = None
        endpoints = None
        async with self.http() as client:
            from .oauth import flows  # httpx: loaded with the client
            # Last.fm has no endpoint to revoke a session key: it is forgotten here alone.
            # No endpoints to revoke at: a DevToken and a static key are made or held here, and
            # Apple has no revocation for a Music User Token (the user withdraws it at Apple).
            if record.profile.flow not in ("devtoken", "static", "music_user_token") and preset.dialect != "lastfm":
                endpoints = await self.endpoints(record.profile, client)
            token = record.token
            if token is not None and endpoints is not None and endpoints.revocation:
                auth = self._client_auth(record, preset)
                try:
                    if token.refresh_token is not None:
                        await flows.revoke(client, endpoints.revocation, auth, token=token.refresh_token, hint="refresh_token")
                    await flows.revoke(client, endpoints.revocation, auth, token=token.access_token, hint="access_token")
                    revoked = True
                except MusicAuthError as exc:
                    revocation_error = exc
            elif token is not None and (record.profile.flow in ("oauth1", "music_user_token") or preset.dialect == "lastfm"):
                # Discogs, Last.fm and Apple have no revocation endpoint: the token is only
                # forgotten here, and the front ends say where access is withdrawn.
                still_valid_at = preset.label
        async with self._single_flight(name):
            await self.store.update(name, lambda rec: dataclasses.replace(rec, token=None, status=ProfileStatus()))
            await asyncio.to_thread(inflight.clear, name)
        self._changed(name)
        logout_url = None
        if endpoints is not None and endpoints.logout:
            params = {"client_id": record.profile.client_id}
            redirect = self._stored_redirect_uri(record)
            if redirect:
                params["redirect_uri"] = redirect
            sep = "&" if "?" in endpoints.logout else "?"
            logout_url = f"{endpoints.logout}{sep}{urlencode(params)}"
        return SignOutResult(revoked=revoked, logout_url=logout_url, revocation_error=revocation_error, still_valid_at=still_valid_at)

    # -- the door for the front ends ----------------------------------------------------------
    # The CLI, demo mode and the desktop app use the engine and nothing below it: these methods
    # are what they need of the store, the key store, discovery and the HTTP client
    # (tests/test_boundaries.py keeps it so).

    async def has_client_secret(self, name: str) -> bool:
        """Whether a client secret (or a reference to one) is stored for ``name``; False for a
        profile that does not exist (yet)."""
        try:
            record = await self.store.load(name, fresh=True)
        except ProfileNotFound:
            return False
        return record.client_secret is not None

    async def has_static_token(self, name: str) -> bool:
        """Whether a static profile's token (or a reference to one) is stored for ``name``;
        False for a profile that does not exist (yet)."""
        try:
            record = await self.store.load(name, fresh=True)
        except ProfileNotFound:
            return False
        return record.static_token is not None

    @staticmethod
    def edit_drops_tokens(old: ProfileRecord, new: Profile) -> bool:
        """Whether saving ``new`` over ``old`` deletes its tokens: it holds some, and the client
        or its endpoints change (the import's own rule, ``_same_client``)."""
        return old.token is not None and not _same_client(old.profile, new)

    def record(self, name: str) -> ProfileRecord | None:
        """The record of ``name`` as last read or written here, for display; None if not loaded.
        Never touches the keyring (a countdown tick may call it)."""
        return self.store.cached(name)

    async def load(self, name: str, *, fresh: bool = False) -> ProfileRecord:
        """The record of ``name``; from the cache unless ``fresh``.

        Raises:
            ProfileNotFound, EntryDamaged, StoreError.
        """
        return await self.store.load(name, fresh=fresh)

    async def profile_names(self) -> list[str]:
        """Profile names, in the order they were added."""
        return await self.store.names()

    async def scan(self) -> Listing:
        """Every profile: the readable records and the damaged entries apart, in index order."""
        return await self.store.scan()

    def watch_outside_changes(self) -> Callable[[], None]:
        """Start noticing what other processes (the CLI, a second window) change in the store,
        from now on; returns the function to call every couple of seconds, which emits
        ``StoreChangedElsewhere`` with the change stamps touched since the last call.

        Cheap (a stat of each stamp file; a stamp is read only when its signature changed).
        """
        from .store.change_log import ChangeWatcher

        watcher = ChangeWatcher()  # the baseline: changes before this moment are not news

        def poll() -> None:
            changed = watcher.poll()
            if changed:
                from .events import StoreChangedElsewhere

                self.events.emit(StoreChangedElsewhere(frozenset(changed)))

        return poll

    async def changes_from_outside(self, stamps: Collection[str], shown: Collection[str]) -> OutsideChanges:
        """What another process changed, re-read (core/outside_changes.py)."""
        from .outside_changes import reread

        return await reread(self.store, stamps, shown)

    async def credential(self, name: str, scheme: str | None = None) -> IssuedCredential:
        """The credential for ``name`` in ``scheme`` (None: the provider's default), renewed
        first when due. Every copy and every printed token goes through here, so none is ever
        an expired token as stored.

        Raises:
            NeedsSignIn, ProviderError: as ``get_token``.
            ConfigError: a scheme the provider does not take.
        """
        from .usage import IssuedCredential, credential, needs_token

        record = await self.store.load(name)
        token = await self.get_token(name) if needs_token(record, scheme) else None
        record = await self.store.load(name)  # as renewed
        # An Apple Music user token goes with a developer token, signed fresh for each use.
        developer = await self._sign_devtoken(record) if record.profile.flow == "music_user_token" else None
        return IssuedCredential(
            record, token, credential(record, token, scheme, developer_token=developer.access_token if developer else None)
        )

    def set_session_variable(self, variable: str, value: str) -> None:
        """A value for secrets that read ``variable`` (``{ env = "VAR" }``), for this process
        only: never stored, never put in the environment that started programs inherit."""
        from .env_secret import set_for_session

        set_for_session(variable, Secret(value))

    def activity(self, name: str) -> Activity:
        """What this engine knows of ``name`` that its record does not say."""
        from .state import Activity

        sign_in = self._sign_ins.get(name)
        return Activity(renewing=name in self._renewing, signing_in=sign_in is not None and not sign_in.done())

    def state(self, record: ProfileRecord) -> ProfileState:
        """The state of ``record`` now, as far as this engine knows (core/state.py)."""
        from .state import profile_state

        return profile_state(record, self.clock.now(), self.activity(record.name))

    def sign_in(
        self,
        name: str,
        *,
        open_browser: BrowserOpener,
        timeout: float = DEFAULT_LOGIN_TIMEOUT,
        on_device_code: Callable[[DeviceCode], None] | None = None,
    ) -> SignIn:
        """Start the sign-in of ``name`` (``login``: the browser, or the device flow) and return
        its handle at once.

        One sign-in per profile: while one is under way, asking again returns it. Several
        profiles may sign in at once (each has its own listener and handle). A device sign-in's
        code reaches the handle (``handle.device``) and ``on_device_code``, before the browser
        is sent to its complete verification URI.
        """
        current = self._sign_ins.get(name)
        if current is not None and not current.done():
            return current
        from .sign_in import SignIn

        handle = SignIn(name)

        def device_code_came(code: DeviceCode) -> None:
            handle.on_device_code(code)
            if on_device_code is not None:
                on_device_code(code)

        login = self.login(
            name,
            open_browser=open_browser,
            timeout=timeout,
            on_listening=handle.on_listening,
            on_device_code=device_code_came,
        )
        handle.start(login, on_end=self._sign_in_ended)
        self._sign_ins[name] = handle
        return handle

    def signing_in(self, name: str) -> SignIn | None:
        """The sign-in of ``name`` under way, if any."""
        handle = self._sign_ins.get(name)
        return handle if handle is not None and not handle.done() else None

    def _sign_in_ended(self, handle: SignIn) -> None:
        if self._sign_ins.get(handle.name) is handle:
            del self._sign_ins[handle.name]

    async def discover(self, issuer: str, *, refresh: bool = False) -> ServerMetadata:
        """The issuer's RFC 8414 or OpenID Connect metadata (cached unless ``refresh``)."""
        async with self.http() as client:
            return await self.discovery.fetch(client, issuer, refresh=refresh)

    async def try_profile(self, name: str, *, scheme: str | None = None) -> TryResult:
        """One harmless authenticated request to the provider (core/try_call.py)."""
        from .try_call import try_profile

        return await try_profile(self, name, scheme=scheme)

    async def repair_store(self, names: list[str]) -> RepairReport:
        """Make the store's index match the keyring (core/store/repair.py)."""
        from .store.repair import repair_store

        return await repair_store(self.store, self.keys, names)

    @property
    def store_kind(self) -> StoreKind | None:
        """``keyring`` or ``file``; None for a private in-memory store (demo mode, tests)."""
        from .store.selection import vault_kind

        return vault_kind(self.store.vault)

    async def migrate_store(self, to: StoreKind, *, ask_passphrase: PassphrasePrompt | None = None) -> MigrationReport:
        """Move every profile, token and key into the store of kind ``to`` from the other one
        (core/store/migrate.py: copy, verify by reading back, only then delete the source).

        This engine's store is one of the two; the other is opened here, its passphrase asked
        on this thread (Ctrl-C reaches a prompt here), the rest on the store's worker thread.

        Raises:
            ConfigError: this engine's store is a private one, or ``to`` names no store.
            StoresDisagree: a name in both stores with different contents; nothing changed.
            StoreError: nothing was deleted from the source unless it all read back.
        """
        from .store import change_log
        from .store.migrate import migrate
        from .store.selection import STORE_KINDS, vault_opener

        own = self.store_kind
        if own is None:
            raise ConfigError("this engine's store is private to its process (demo mode); there is nothing to migrate")
        if to not in STORE_KINDS:
            raise ConfigError(f"there is no store called {to!r}; the stores are {' and '.join(STORE_KINDS)}")
        other_kind: StoreKind = "file" if own == "keyring" else "keyring"
        other = await self.store.run(vault_opener(other_kind, ask=ask_passphrase, existing=to == own))
        source, destination = (other, self.store.vault) if to == own else (self.store.vault, other)
        report = await self.store.run(self.store.locked, lambda: migrate(source, destination))
        if self._cross_process:
            # A desktop app on either store sees the names come or go at its next poll.
            change_log.touch(change_log.INDEX_STAMP, *(change_log.stamp_name(n) for n in report.profiles))
        return report

    def can_prompt_unlock(self) -> bool:
        """Whether the keyring has an unlock prompt of its own to show (Secret Service)."""
        from .store import unlock

        return unlock.can_prompt_unlock(self.store.vault)

    async def prompt_unlock(self) -> None:
        """Show the keyring's own unlock prompt and wait for the user, on the keyring's thread.

        Raises:
            KeyringLockedError, NoKeyringError, StoreError.
        """
        from .store import unlock

        await self.store.run(unlock.prompt_unlock)

    # -- helpers ------------------------------------------------------------------------------

    def _client_auth(self, record: ProfileRecord, preset: Preset) -> flows.ClientAuth:
        profile = record.profile
        from .oauth import flows  # httpx: only called once the operation's client is made
        from .profiles_file import client_auth_method

        method: AuthMethod = client_auth_method(preset, profile, has_secret=record.client_secret is not None)
        if preset.client_secret_required and (method == "none" or record.client_secret is None):
            raise ConfigError(
                f"{preset.label} needs the client secret from every application, installed ones included",
                profile=profile.name,
                field="client_secret",
                actions=(Action.EDIT_FIELD,),
            )
        if method != "none" and record.client_secret is None:
            raise ConfigError(
                f"no client secret is stored, and {method} needs one "
                '(a public client sets token_endpoint_auth_method = "none")',
                profile=profile.name,
                field="client_secret",
                actions=(Action.EDIT_FIELD,),
            )
        if method == "none":
            return flows.ClientAuth(profile.client_id, None, method)
        return flows.ClientAuth(profile.client_id, resolve(record.client_secret, profile=profile.name, field="client_secret"), method)

    def _stored_redirect_uri(self, record: ProfileRecord) -> str | None:
        return record.profile.redirect_uri or record.signed_in_redirect_uri

    def _renewal_slot(self) -> asyncio.Semaphore:
        loop = asyncio.get_running_loop()
        if self._slots is None or self._slots[0] is not loop:
            self._slots = (loop, asyncio.Semaphore(MAX_CONCURRENT_RENEWALS))
        return self._slots[1]

    def _single_flight(self, name: str) -> _SingleFlight:
        lock = self._locks.setdefault(name, asyncio.Lock())
        return _SingleFlight(lock, name if self._cross_process else None)

    def _changed(self, name: str) -> None:
        if "events" not in self.__dict__:
            return  # no hub yet, so nobody subscribed: nobody to tell
        from .events import ProfileChanged

        self.events.emit(ProfileChanged(name))  # a failing subscriber is logged there, not raised


class _SingleFlight:
    """An asyncio lock for this process plus the profile's lock file for the others."""

    def __init__(self, lock: asyncio.Lock, cross_process_name: str | None) -> None:
        self._lock = lock
        self._name = cross_process_name
        self._file_cm: Any = None

    async def __aenter__(self) -> None:
        await self._lock.acquire()
        if self._name is not None:
            from .store.locks import renewal_lock

            self._file_cm = renewal_lock(self._name)
            try:
                await self._file_cm.__aenter__()
            except BaseException:
                self._lock.release()
                raise

    async def __aexit__(self, *exc: Any) -> None:
        try:
            if self._file_cm is not None:
                await self._file_cm.__aexit__(*exc)
                self._file_cm = None
        finally:
            self._lock.release()


async def finish_despite_cancellation(work: Awaitable[T], *, track: set[asyncio.Future[Any]] | None = None) -> T:
    """Await ``work`` to its end even if the caller is cancelled meanwhile; the cancellation is
    raised once it is done.

    For the stretch from spending a refresh token to storing its replacement: Ctrl-C, SIGTERM
    and SIGHUP (the CLI turns each into a cancellation) or a closing window would otherwise
    drop the provider's answer, and with it the only valid refresh token. It lasts at most one
    HTTP deadline plus the keyring write and its retries.
    """
    task = asyncio.ensure_future(work)
    if track is not None:  # so that closing the engine can wait for it (``aclose``)
        track.add(task)
        task.add_done_callback(track.discard)
    cancelled = False
    while True:
        try:
            result = await asyncio.shield(task)
            break
        except asyncio.CancelledError:
            if task.cancelled():  # the work itself was cancelled (the loop is shutting down)
                raise
            cancelled = True
    if cancelled:
        raise asyncio.CancelledError()
    return result


def _default_client(*, one_shot: bool = False) -> httpx.AsyncClient:
    """``core.http.make_client``, imported when the first client is made: the module loads httpx
    (~7 MB), which a desktop app at rest never needs (benchmarks/README.md, "GUI"). Under the
    stack's lock: httpx imports httpcore (see ``HTTP_STACK_LOCK``).

    Args:
        one_shot: as ``TokenEngine``'s (a command that ends with its process).
    """
    from .http_stack import HTTP_STACK_LOCK

    with HTTP_STACK_LOCK:
        from .http import make_client

    return make_client(one_shot=one_shot)


def _warm_client(factory: Callable[[], httpx.AsyncClient]) -> httpx.AsyncClient:
    """A new shared client, built on a worker thread with what its first request imports.

    It keeps no cookies: a jar that lives as long as the app would carry one provider answer's
    cookies into the next profile's requests (each per-call client starts empty).
    """
    from http.cookiejar import DefaultCookiePolicy

    from .http_stack import HTTP_STACK_LOCK

    with HTTP_STACK_LOCK:  # httpx and its default transport import httpcore (see HTTP_STACK_LOCK)
        client = factory()
    client.cookies.jar.set_policy(DefaultCookiePolicy(allowed_domains=[]))  # accepts none
    prepare_http_stack()
    return client


def prepare_http_stack() -> None:
    """Once per process, what httpx's first request would otherwise do at an arbitrary moment.

    httpcore creates its anyio primitives on the first request, and anyio imports its asyncio
    backend lazily then: about 50 ms of imports, which stall the event loop even from a worker
    thread (unmarshalling holds the GIL). The desktop app calls this through ``warm_up_http``
    shortly before its first renewal falls due (``core/scheduler.py``); a one-shot command's
    transport does it on a worker thread (``core/http.py`` ``BackgroundTransport``). Only a head
    start: if these modules move, the first request imports them as before.

    WORKAROUND: httpcore 1.0.x runs ``import sniffio`` (an optional package) for every lock and
    event it sets up, several per request; when sniffio is absent each attempt searches the
    whole sys.path again (hundreds of stat calls, ~10 ms per sign-in). A None entry in
    sys.modules makes later attempts fail at once, as documented for the import system;
    httpcore then assumes asyncio, exactly as it does without sniffio.
    """
    from .http_stack import import_http_stack  # the work and its lock, without httpx

    import_http_stack()
def static_token_set(record: ProfileRecord) -> TokenSet:
    """A static profile's key as a token: no expiry, no refresh token; never stored as one.

    Raises:
        ConfigError: no key stored (or its environment variable unset).
    """
    from .usage import static_credential

    cred = static_credential(record)
    return TokenSet(access_token=cred.value, token_type=cred.scheme or "static", issued_at=None, expires_at=None)


def _same_client(old: Profile, new: Profile) -> bool:
    # team_id: an Apple Music user token was handed out to that developer team.
    keys = ("provider", "flow", "client_id", "team_id", "issuer", "authorization_endpoint", "token_endpoint")
    return all(getattr(old, k) == getattr(new, k) for k in keys)


def _spends_refresh_token(record: ProfileRecord, now: float) -> bool:
    """Whether ``_renew_over_http`` will send this record's refresh token (when its endpoints
    and client authentication resolve): its own checks, made early for the in-flight marker."""
    token = record.token
    return (
        token is not None
        and token.refresh_token is not None
        and not record.status.needs_sign_in
        and (token.refresh_expires_at is None or now < token.refresh_expires_at)
    )


def _refresh_scope(record: ProfileRecord, preset: Preset) -> str | None:
    """The scope a refresh asks for again (TIDAL requires one): what the provider granted,
    else what the profile asked for; never more than was granted, which a server refuses."""
    if record.token is not None and record.token.scope:
        return record.token.scope
    scopes = record.profile.scopes if record.profile.scopes is not None else preset.scopes.get("authorization_code", ())
    return " ".join(scopes) or None


def _authorization_extras(scopes: tuple[str, ...]) -> dict[str, str]:
    # OpenID Connect Core §11: an OP ignores offline_access (no refresh token) unless the
    # request also asks for consent; plain OAuth servers ignore the parameter.
    if "openid" in scopes and "offline_access" in scopes:
        return {"prompt": "consent"}
    return {}
