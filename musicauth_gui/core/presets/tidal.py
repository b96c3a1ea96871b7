"""TIDAL developer platform (spec: ``music-providers.md``, "TIDAL"; tidal-sdk-web's
``packages/auth/src/auth/auth.ts``).

Code flow with PKCE S256 (``login.tidal.com/authorize``) and client credentials with
``client_id`` and ``client_secret`` in the body, both against ``auth.tidal.com/v1/oauth2/token``.
Scopes are space separated. A refresh must send ``scope`` again, and its answer carries no
refresh token: the old one stays valid and is kept (``core/oauth/flows.py``). Errors are
``{error, error_description, status, sub_status}``; ``sub_status`` reaches the front ends as
data (``ProviderRejected.sub_status``). TIDAL's device flow is for its own apps only: not offered.
"""

from .base import Preset

TIDAL = Preset(
    id="tidal",
    label="TIDAL",
    flows=("authorization_code", "client_credentials"),
    authorization_endpoint="https://login.tidal.com/authorize",
    token_endpoint="https://auth.tidal.com/v1/oauth2/token",
    scopes={"authorization_code": ("user.read",)},
    auth_method={"client_credentials": "client_secret_post"},
    refresh_sends_scope=True,
    # A catalogue search: an app token (client credentials) may make it as well as a user's.
    try_url="https://openapi.tidal.com/v2/searchResults/hello?countryCode=US",
    notes="Redirect URIs must match the dashboard's list exactly: pin redirect_uri with its port.",
)
