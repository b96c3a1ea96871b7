"""Apple Music (MusicKit): developer tokens, and Music User Tokens.

Developer tokens have the same ES256 shape as MusicAPI's DevTokens: ``kid`` is the 10-character
Key ID, ``iss`` the 10-character Team ID, optional ``origin`` claim; Apple hands out the private
key as a ``.p8`` download, so this preset imports a key rather than generating one. Lifetimes over
15,777,000 s (six months) are refused. Sent as ``Authorization: Bearer``.

A Music User Token (``flow = "music_user_token"``) has no OAuth endpoint at all: only MusicKit on
the web hands one out, from ``authorize()`` on a page that configured it with a developer token
(core/oauth/musickit_page.py). It goes in the ``Music-User-Token`` header beside a developer
token's ``Authorization``; it cannot be refreshed and its lifetime is undocumented (about six
months), so it is kept until Apple refuses it.
"""

from ..devtoken import APPLE_MAX_TTL
from .base import Preset

#: MusicKit on the web, version 3, from Apple's CDN (the sign-in page loads it; a profile's
#: ``musickit_js_url`` replaces it, e.g. with the sandbox's stand-in).
MUSICKIT_JS_URL = "https://js-cdn.music.apple.com/musickit/v3/musickit.js"
#: The Apple Music API (a profile's ``api_endpoint`` replaces it).
API_ENDPOINT = "https://api.music.apple.com"
#: The header a Music User Token travels in, beside the developer token's ``Authorization``.
USER_TOKEN_HEADER = "Music-User-Token"
#: The harmless call that needs both tokens: the user's storefront.
USER_TRY_PATH = "/v1/me/storefront"

APPLE_MUSIC = Preset(
    id="apple-music",
    label="Apple Music",
    flows=("devtoken", "music_user_token"),
    auth_scheme="Bearer",
    devtoken_issuer="team_id",
    devtoken_max_ttl=APPLE_MAX_TTL,
    try_url="https://api.music.apple.com/v1/catalog/us/search?term=hello&types=songs&limit=1",
)


def api_base(api_endpoint: str | None) -> str:
    """The Apple Music API's base URL for a profile (its override, else Apple's), no trailing slash."""
    return (api_endpoint or API_ENDPOINT).rstrip("/")
