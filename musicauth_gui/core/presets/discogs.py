"""Discogs (discogs_client ``client.py``; Discogs' authentication docs; ``music-providers.md``).

OAuth 1.0a, three-legged (``flow = "oauth1"``, ``core/oauth/oauth1.py``): a request token from
``api.discogs.com/oauth/request_token`` (a POST with the form content type and ``oauth_callback``,
here a loopback URL), the person approves at ``www.discogs.com/oauth/authorize?oauth_token=...``,
and the verifier the callback brings buys the access token at ``/oauth/access_token``. Every
request is signed with the consumer secret and, once there is one, the token secret: PLAINTEXT
by default, HMAC-SHA1 where the profile says ``signature_method = "HMAC-SHA1"``. Access tokens
do not expire (unverified: no source gives a lifetime) and there is no revocation endpoint.

Every request needs a User-Agent of the app's own. ``flow = "static"`` takes a personal access
token instead, sent as ``Authorization: Discogs token=...`` (``presets/static.py``).
"""

from .base import Preset

API = "https://api.discogs.com"

DISCOGS = Preset(
    id="discogs",
    label="Discogs",
    flows=("oauth1",),
    request_token_endpoint=f"{API}/oauth/request_token",
    authorization_endpoint="https://www.discogs.com/oauth/authorize",
    token_endpoint=f"{API}/oauth/access_token",
    auth_scheme="OAuth",
    try_url=f"{API}/oauth/identity",
    user_agent_required=True,
    token_never_expires=True,  # docs/cli.md: "tokens never expire and are never renewed"
    notes="client_id is the consumer key, client_secret the consumer secret; tokens do not expire and cannot be revoked from here.",
)
