"""Demo mode: the provider emulators on 127.0.0.1 and an in-memory store with a profile for
every flow, so a new user can click through everything without an account. Qt-free.

Nothing of this touches the real keyring or any file: the store is a MemoryVault.
"""

from __future__ import annotations

from dataclasses import dataclass

from .core.engine import TokenEngine
from .core.profiles_file import parse_profiles_text
from .sandbox import DemoProvider, MusicApiServer, Sandbox

DEMO_KEY = "demo-key"
DEMO_KID = "DEMOKID001"
DEMO_MUSICAPI_CLIENT = "demo-musicapi"
DEMO_MUSICAPI_SECRET = "demo-musicapi-secret"


@dataclass
class DemoWorld:
    engine: TokenEngine
    sandbox: Sandbox
    musicapi: MusicApiServer

    def stop(self) -> None:
        self.sandbox.stop()
        self.musicapi.stop()
        self.engine.close()


def _profiles(sandbox: Sandbox, musicapi: MusicApiServer) -> str:
    live, mxm, spotify, sc = (sandbox.providers[n] for n in ("live", "musixmatch", "spotify", "soundcloud"))

    def client(p: DemoProvider) -> str:
        return f'client_id = "{p.client.client_id}"\nclient_secret = "{p.client.client_secret}"\n'

    return f"""
[profiles."Groove app token"]
provider = "groove"
flow = "client_credentials"
{client(live)}token_endpoint = "{live.server.url('/accesstoken.srf')}"
try_url = "{live.server.url('/1/content/music/search?q=hello')}"

[profiles."Groove user"]
provider = "groove-user"
flow = "authorization_code"
{client(live)}authorization_endpoint = "{live.server.url('/oauth20_authorize.srf')}"
token_endpoint = "{live.server.url('/oauth20_token.srf')}"
logout_endpoint = "{live.server.url('/oauth20_logout.srf')}"

[profiles."Musixmatch"]
provider = "musixmatch"
flow = "authorization_code"
{client(mxm)}issuer = "{mxm.base_url}"
try_url = "{mxm.server.url('/me')}"

[profiles."Musixmatch app"]
provider = "musixmatch"
flow = "client_credentials"
{client(mxm)}issuer = "{mxm.base_url}"

[profiles."Spotify"]
provider = "spotify"
flow = "authorization_code"
{client(spotify)}authorization_endpoint = "{spotify.server.url('/authorize')}"
token_endpoint = "{spotify.server.url('/api/token')}"
token_endpoint_auth_method = "client_secret_basic"
try_url = "{spotify.server.url('/v1/me')}"

[profiles."SoundCloud app"]
provider = "soundcloud"
flow = "client_credentials"
{client(sc)}token_endpoint = "{sc.server.url('/oauth/token')}"
try_url = "{sc.server.url('/me')}"

[profiles."MusicAPI"]
provider = "musicapi"
client_id = "{DEMO_MUSICAPI_CLIENT}"
client_secret = "{DEMO_MUSICAPI_SECRET}"
key = "{DEMO_KEY}"
key_id = "{DEMO_KID}"
devtoken_ttl = "14d"
try_url = "{musicapi.url('/search/introspection')}"
"""


async def start_demo(*, consent: str = "interactive", short_lived: bool = True) -> DemoWorld:
    """Start the emulators and fill an in-memory store.

    Args:
        consent: the emulators' consent mode ("interactive": a page with Approve/Deny).
        short_lived: give the Spotify and SoundCloud emulators two-minute tokens, so that
            auto-renew can be watched at work.
    """
    sandbox = Sandbox(consent=consent).start()
    musicapi = MusicApiServer().start()
    musicapi.register_client(DEMO_MUSICAPI_CLIENT, DEMO_MUSICAPI_SECRET)
    if short_lived:
        sandbox.spotify.access_token_ttl = 120
        sandbox.soundcloud.access_token_ttl = 120
    engine = TokenEngine.in_memory()
    info = await engine.key_ring.generate(DEMO_KEY)
    musicapi.register_public_key(DEMO_MUSICAPI_CLIENT, DEMO_KID, info.public_pem)
    await engine.import_profiles(parse_profiles_text(_profiles(sandbox, musicapi), source="demo profiles"))
    return DemoWorld(engine=engine, sandbox=sandbox, musicapi=musicapi)
