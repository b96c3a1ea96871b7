"""Genius (docs.genius.com; lyricsgenius ``auth.py``).

Code flow against ``api.genius.com/oauth/authorize`` and ``/oauth/token``; the token POST carries
``response_type=code`` beside the standard fields (``code_exchange_params``). Scopes are space
separated (``me create_annotation manage_annotation vote``); the redirect URI must be the
client's. No refresh tokens and no client credentials: a token lasts until revoked.
"""

from .base import Preset

BASE = "https://api.genius.com"

GENIUS = Preset(
    id="genius",
    label="Genius",
    flows=("authorization_code",),
    authorization_endpoint=f"{BASE}/oauth/authorize",
    token_endpoint=f"{BASE}/oauth/token",
    scopes={"authorization_code": ("me",)},
    auth_method={"authorization_code": "client_secret_post"},
    code_exchange_params={"response_type": "code"},
    try_url=f"{BASE}/account",
    notes="No refresh tokens: a token lasts until it is revoked, then sign in again.",
)
