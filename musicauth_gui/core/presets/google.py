"""Google OAuth 2.0 for installed apps (the YouTube Data API and others).

Loopback code flow with PKCE on any port (out-of-band is gone since January 2023); a refresh
token comes only with ``access_type=offline``, and ``prompt=consent`` asks for a new one on
every sign-in. The device flow (RFC 8628) answers ``verification_url`` instead of
``verification_uri``, has no ``verification_uri_complete``, and may answer the waiting states
with statuses other than 400; its polls carry ``client_id`` and ``client_secret`` like every
token request of an installed app. Only some scopes are allowed on the device flow (YouTube's
are). Refresh tokens of apps in "Testing" with external users die after 7 days.
Sources: ``shared/specs/music-providers.md`` (Google).
"""

from .base import Preset

YOUTUBE_READONLY = "https://www.googleapis.com/auth/youtube.readonly"

GOOGLE = Preset(
    id="google",
    label="Google (YouTube)",
    flows=("authorization_code", "device"),
    authorization_endpoint="https://accounts.google.com/o/oauth2/v2/auth",
    token_endpoint="https://oauth2.googleapis.com/token",
    revocation_endpoint="https://oauth2.googleapis.com/revoke",
    device_authorization_endpoint="https://oauth2.googleapis.com/device/code",
    scopes={"authorization_code": (YOUTUBE_READONLY,), "device": (YOUTUBE_READONLY,)},
    authorization_params={"access_type": "offline", "prompt": "consent"},
    try_url="https://www.googleapis.com/youtube/v3/channels?part=snippet&mine=true",
)
