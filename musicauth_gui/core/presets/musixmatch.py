"""Musixmatch enterprise OAuth (spec: ``musixmatch-oauth.txt``).

Code flow with ``state`` and PKCE S256, scope ``profile email``; rotating refresh tokens (a used
one dies with its access tokens); introspection at ``token-metadata`` with the form field
``accessToken``; client credentials; both discovery documents.
"""

from .base import Preset

BASE = "https://connect.musixmatch.com"

MUSIXMATCH = Preset(
    id="musixmatch",
    label="Musixmatch",
    flows=("authorization_code", "client_credentials"),
    issuer=BASE,
    authorization_endpoint=f"{BASE}/oauth/authorize",
    token_endpoint=f"{BASE}/oauth/token",
    introspection_endpoint=f"{BASE}/oauth/token-metadata",
    introspection_style="musixmatch",
    scopes={"authorization_code": ("profile", "email")},
    required_scopes=("profile", "email"),
    auth_method={"authorization_code": "client_secret_post", "client_credentials": "client_secret_post"},
)
