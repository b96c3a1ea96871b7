"""Spotify Web API.

Code flow with PKCE (public clients need no secret), client credentials with HTTP Basic. The
redirect must be a loopback IP literal (``http://127.0.0.1:PORT``), never ``localhost``. Refresh
tokens are single-use and expire six months after the original consent, whatever the refreshes.
"""

from .base import Preset

SIX_MONTHS = 182 * 24 * 3600.0

SPOTIFY = Preset(
    id="spotify",
    label="Spotify",
    flows=("authorization_code", "client_credentials"),
    authorization_endpoint="https://accounts.spotify.com/authorize",
    token_endpoint="https://accounts.spotify.com/api/token",
    scopes={"authorization_code": ("user-read-private",)},
    auth_method={"client_credentials": "client_secret_basic"},
    refresh_token_lifetime=SIX_MONTHS,
    # developer.spotify.com "Redirect URIs": loopback IP literals "can dynamically be assigned
    # ports"; register the URI without a port.
    loopback_any_port=True,
    try_url="https://api.spotify.com/v1/me",
)
