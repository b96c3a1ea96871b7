"""SoundCloud.

Code flow with PKCE (required), client credentials with HTTP Basic. Tokens go out as
``Authorization: OAuth <token>``, not Bearer. Refresh tokens are single-use. Client-credentials
issuance is capped per app and per IP, so a valid token is reused, never re-fetched early.
"""

from .base import Preset

SOUNDCLOUD = Preset(
    id="soundcloud",
    label="SoundCloud",
    flows=("authorization_code", "client_credentials"),
    authorization_endpoint="https://secure.soundcloud.com/authorize",
    token_endpoint="https://secure.soundcloud.com/oauth/token",
    auth_scheme="OAuth",
    auth_method={"client_credentials": "client_secret_basic"},
    try_url="https://api.soundcloud.com/me",
)
