"""Last.fm (last.fm/api/webauth, /api/authspec; pylast ``SessionKeyGenerator``).

Not OAuth (``dialect="lastfm"``, ``core/lastfm/``): the profile's ``client_id`` is the API key
and its ``client_secret`` the shared secret, which signs every call (``api_sig``, MD5). The
browser sign-in goes to ``authorization_endpoint`` with a loopback ``cb``; the one-time token it
brings back becomes a session key through ``auth.getSession`` at ``api_endpoint``. The session
key is the stored token: it never expires and is never renewed, and Last.fm has no endpoint to
revoke it (the user does that in their Last.fm settings). ``flow = "static"`` keeps the API key
alone for read calls (``?api_key=``, ``presets/static.py``).
"""

from .base import Preset

LASTFM = Preset(
    id="lastfm",
    label="Last.fm",
    flows=("authorization_code",),
    authorization_endpoint="https://www.last.fm/api/auth/",
    api_endpoint="https://ws.audioscrobbler.com/2.0/",
    client_secret_required=True,
    dialect="lastfm",
    # The session key travels as ?sk= beside api_key and api_sig; there is no header form.
    token_query_param="sk",
    token_never_expires=True,
    notes="client_id is the API key, client_secret the shared secret; the session key never expires.",
)
