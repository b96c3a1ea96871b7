"""MusicBrainz (metabrainz/musicbrainz-server ``lib/MusicBrainz/Server/Controller/OAuth2.pm``).

Code flow; PKCE is optional there and a challenge without a method means *plain*, so the
method S256 is always sent (``core/oauth/flows.py`` always does). The token endpoint takes POST
only, refuses repeated parameters and requires the client secret even for installed apps
(``client_secret_required``). Access tokens and codes live an hour; a refresh does not rotate;
revoking the refresh token at sign-out removes the grant. ``/oauth2/userinfo`` is Try it.
Loopback redirects (``http://127.0.0.1:PORT/...``) work, so ``urn:ietf:wg:oauth:2.0:oob`` is
not needed.
"""

from .base import Preset

BASE = "https://musicbrainz.org"

MUSICBRAINZ = Preset(
    id="musicbrainz",
    label="MusicBrainz",
    flows=("authorization_code",),
    authorization_endpoint=f"{BASE}/oauth2/authorize",
    token_endpoint=f"{BASE}/oauth2/token",
    revocation_endpoint=f"{BASE}/oauth2/revoke",
    scopes={"authorization_code": ("profile",)},
    auth_method={"authorization_code": "client_secret_post"},
    client_secret_required=True,
    try_url=f"{BASE}/oauth2/userinfo",
    notes="The client secret is needed even for an installed application.",
)
