"""Demo mode: the provider emulators on 127.0.0.1 and an in-memory store with a profile for
every flow, so a new user can click through everything without an account. Qt-free.

Nothing of this touches the real keyring or any file: the store is a MemoryVault.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field

from .core.engine import TokenEngine
from .core.model import Placement
from .core.profiles_file import parse_profiles_text
from .sandbox import (
    AuthorizationServer,
    DeezerServer,
    DemoProvider,
    DiscogsServer,
    GeniusServer,
    MusicApiServer,
    MusicBrainzServer,
    Sandbox,
    TidalServer,
)
from .sandbox.api_key import ApiKeyServer
from .sandbox.device import DeviceAuthorizationServer
from .sandbox.emulators import DEFAULT_REDIRECT_URIS

DEMO_KEY = "demo-key"
DEMO_KID = "DEMOKID001"
DEMO_MUSICAPI_CLIENT = "demo-musicapi"
DEMO_MUSICAPI_SECRET = "demo-musicapi-secret"
#: The Apple Music emulator's demo team; its MusicKit key is the demo key (Key ID DEMO_KID).
DEMO_APPLE_TEAM = "DEMOTEAM01"
#: The round-2 providers' emulators, started beside the Sandbox's four; each has a demo client
#: ``demo-<name>`` (with the secret ``demo-<name>-secret``, but for TIDAL's public one).
MORE_PROVIDERS: dict[str, type[AuthorizationServer]] = {
    "tidal": TidalServer,
    "musicbrainz": MusicBrainzServer,
    "genius": GeniusServer,
    "deezer": DeezerServer,
}


@dataclass
class DemoWorld:
    engine: TokenEngine
    sandbox: Sandbox
    musicapi: MusicApiServer
    more: dict[str, AuthorizationServer]
    #: OAuth 1.0a, not an OAuth 2 server: apart from ``more``.
    discogs: DiscogsServer | None = None
    #: The device-flow server and the static-key APIs, by demo profile name (``_device_and_keys``).
    keyed: dict[str, AuthorizationServer | ApiKeyServer] = field(default_factory=dict)

    def stop(self) -> None:
        self.sandbox.stop()
        self.musicapi.stop()
        if self.discogs is not None:
            self.discogs.stop()
        for server in [*self.more.values(), *self.keyed.values()]:
            server.stop()
        self.engine.close()


def _client_lines(p: DemoProvider) -> str:
    """A demo provider's registered client, as profile lines."""
    return f'client_id = "{p.client.client_id}"\nclient_secret = "{p.client.client_secret}"\n'


def _groove_profiles(sandbox: Sandbox) -> str:
    """Groove's two profiles, listed last: the service is discontinued (kept for old apps)."""
    live = sandbox.providers["live"]

    return f"""
[profiles."Groove app token"]
provider = "groove"
flow = "client_credentials"
{_client_lines(live)}token_endpoint = "{live.server.url('/accesstoken.srf')}"
try_url = "{live.server.url('/1/content/music/search?q=hello')}"

[profiles."Groove user"]
provider = "groove-user"
flow = "authorization_code"
{_client_lines(live)}authorization_endpoint = "{live.server.url('/oauth20_authorize.srf')}"
token_endpoint = "{live.server.url('/oauth20_token.srf')}"
logout_endpoint = "{live.server.url('/oauth20_logout.srf')}"

"""


def _profiles(sandbox: Sandbox, musicapi: MusicApiServer, more: dict[str, AuthorizationServer], discogs: DiscogsServer) -> str:
    mxm, spotify, sc = (sandbox.providers[n] for n in ("musixmatch", "spotify", "soundcloud"))
    apple = sandbox.apple_music
    tidal, mb, genius, deezer = (more[n] for n in ("tidal", "musicbrainz", "genius", "deezer"))

    def demo_client(name: str) -> str:
        return f'client_id = "demo-{name}"\nclient_secret = "demo-{name}-secret"\n'

    return f"""
[profiles."Musixmatch"]
provider = "musixmatch"
flow = "authorization_code"
{_client_lines(mxm)}issuer = "{mxm.base_url}"
try_url = "{mxm.server.url('/me')}"

[profiles."Musixmatch app"]
provider = "musixmatch"
flow = "client_credentials"
{_client_lines(mxm)}issuer = "{mxm.base_url}"

[profiles."Spotify"]
provider = "spotify"
flow = "authorization_code"
{_client_lines(spotify)}authorization_endpoint = "{spotify.server.url('/authorize')}"
token_endpoint = "{spotify.server.url('/api/token')}"
token_endpoint_auth_method = "client_secret_basic"
try_url = "{spotify.server.url('/v1/me')}"

[profiles."SoundCloud app"]
provider = "soundcloud"
flow = "client_credentials"
{_client_lines(sc)}token_endpoint = "{sc.server.url('/oauth/token')}"
try_url = "{sc.server.url('/me')}"

[profiles."TIDAL"]
provider = "tidal"
flow = "authorization_code"
client_id = "demo-tidal"
scopes = ["user.read", "search.read"]
authorization_endpoint = "{tidal.url('/authorize')}"
token_endpoint = "{tidal.url('/v1/oauth2/token')}"
try_url = "{tidal.url('/v2/searchResults/hello')}?countryCode=US"

[profiles."TIDAL app"]
provider = "tidal"
flow = "client_credentials"
client_id = "demo-tidal-app"
client_secret = "demo-tidal-secret"
token_endpoint = "{tidal.url('/v1/oauth2/token')}"
try_url = "{tidal.url('/v2/searchResults/hello')}?countryCode=US"

[profiles."MusicBrainz"]
provider = "musicbrainz"
{demo_client("musicbrainz")}scopes = ["profile", "email"]
authorization_endpoint = "{mb.url('/oauth2/authorize')}"
token_endpoint = "{mb.url('/oauth2/token')}"
revocation_endpoint = "{mb.url('/oauth2/revoke')}"
try_url = "{mb.url('/oauth2/userinfo')}"

[profiles."Genius"]
provider = "genius"
{demo_client("genius")}authorization_endpoint = "{genius.url('/oauth/authorize')}"
token_endpoint = "{genius.url('/oauth/token')}"
try_url = "{genius.url('/account')}"

[profiles."Deezer"]
provider = "deezer"
{demo_client("deezer")}authorization_endpoint = "{deezer.url('/oauth/auth.php')}"
token_endpoint = "{deezer.url('/oauth/access_token.php')}"
try_url = "{deezer.url('/user/me')}"

[profiles."Discogs"]
provider = "discogs"
{demo_client("discogs")}request_token_endpoint = "{discogs.url('/oauth/request_token')}"
authorization_endpoint = "{discogs.url('/oauth/authorize')}"
token_endpoint = "{discogs.url('/oauth/access_token')}"
try_url = "{discogs.url('/oauth/identity')}"

[profiles."Last.fm"]
provider = "lastfm"
client_id = "demo-lastfm"
client_secret = "{sandbox.lastfm_secret}"
authorization_endpoint = "{sandbox.lastfm.url('/api/auth/')}"
api_endpoint = "{sandbox.lastfm.url('/2.0/')}"

[profiles."MusicAPI"]
provider = "musicapi"
client_id = "{DEMO_MUSICAPI_CLIENT}"
client_secret = "{DEMO_MUSICAPI_SECRET}"
key = "{DEMO_KEY}"
key_id = "{DEMO_KID}"
devtoken_ttl = "14d"
try_url = "{musicapi.url('/search/introspection')}"

[profiles."Apple Music user"]
provider = "apple-music"
flow = "music_user_token"
team_id = "{DEMO_APPLE_TEAM}"
key = "{DEMO_KEY}"
key_id = "{DEMO_KID}"
musickit_js_url = "{apple.url('/musickit.js')}"
api_endpoint = "{apple.base_url}"
"""


#: Demo profiles with a static key, by name: the provider and where the key goes (a header as the
#: preset says; Musixmatch's classic API takes ``?apikey=``), each against a key API of its own.
STATIC_DEMOS: dict[str, tuple[str, Placement]] = {
    "API key (header)": ("apikey", "header"),
    "Musixmatch classic key": ("musixmatch", "query"),
    "Genius client token": ("genius", "header"),
}
DEMO_DEVICE_PROFILE = "TV app (device)"


def _device_and_keys(consent: str) -> tuple[dict[str, AuthorizationServer | ApiKeyServer], str]:
    """The device-flow server (RFC 8628, with ``verification_uri_complete`` so the QR code shows)
    and one key API per static demo profile, started; and their profiles. Each key is new per
    run: the demo's store is in memory, and no key is written anywhere."""
    device = DeviceAuthorizationServer(consent=consent)
    device.display_name = "Device sign-in"
    device.register_client("demo-device")
    servers: dict[str, AuthorizationServer | ApiKeyServer] = {DEMO_DEVICE_PROFILE: device.start()}
    text = f"""
[profiles."{DEMO_DEVICE_PROFILE}"]
provider = "oauth2"
flow = "device"
client_id = "demo-device"
issuer = "{device.base_url}"
try_url = "{device.url("/me")}"
"""
    for name, (provider, placement) in STATIC_DEMOS.items():
        key = secrets.token_urlsafe(18)
        api = servers[name] = ApiKeyServer(key, placement=placement, query_param="apikey").start()
        where = 'placement = "query"\nquery_param = "apikey"\n' if placement == "query" else ""
        text += f"""
[profiles."{name}"]
provider = "{provider}"
flow = "static"
token = "{key}"
{where}try_url = "{api.url('/me')}"
"""
    return servers, text


async def start_demo(*, consent: str = "interactive", short_lived: bool = True) -> DemoWorld:
    """Start the emulators and fill an in-memory store.

    Args:
        consent: the emulators' consent mode ("interactive": a page with Approve/Deny).
        short_lived: give the Spotify and SoundCloud emulators two-minute tokens, so that
            auto-renew can be watched at work.
    """
    sandbox = Sandbox(consent=consent).start()
    more: dict[str, AuthorizationServer] = {}
    for name, kind in MORE_PROVIDERS.items():
        server = more[name] = kind()
        server.consent = consent
        # TIDAL's sign-in is a public client (PKCE alone); its app token has a client of its own.
        secret = None if name == "tidal" else f"demo-{name}-secret"
        server.register_client(f"demo-{name}", secret, redirect_uris=DEFAULT_REDIRECT_URIS)
        server.start()
    more["tidal"].register_client("demo-tidal-app", "demo-tidal-secret", redirect_uris=DEFAULT_REDIRECT_URIS)
    musicapi = MusicApiServer().start()
    discogs = DiscogsServer()
    discogs.consent = consent
    discogs.register_consumer("demo-discogs", "demo-discogs-secret", name="musicauth demo")
    discogs.start()
    musicapi.register_client(DEMO_MUSICAPI_CLIENT, DEMO_MUSICAPI_SECRET)
    if short_lived:
        sandbox.spotify.access_token_ttl = 120
        sandbox.soundcloud.access_token_ttl = 120
    keyed, keyed_profiles = _device_and_keys(consent)
    engine = TokenEngine.in_memory()
    info = await engine.key_ring.generate(DEMO_KEY)
    musicapi.register_public_key(DEMO_MUSICAPI_CLIENT, DEMO_KID, info.public_pem)
    sandbox.apple_music.register_key(DEMO_APPLE_TEAM, DEMO_KID, info.public_pem)
    profiles = _profiles(sandbox, musicapi, more, discogs) + keyed_profiles + _groove_profiles(sandbox)
    await engine.import_profiles(parse_profiles_text(profiles, source="demo profiles"))
    return DemoWorld(engine=engine, sandbox=sandbox, musicapi=musicapi, more=more, discogs=discogs, keyed=keyed)
