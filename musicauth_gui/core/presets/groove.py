"""Groove Music (Microsoft Live): app tokens and Microsoft-account sign-in.

Specs: ``groove-developer-access-token.md`` (client credentials against ``accesstoken.srf`` with
the fixed scope ``app.music.xboxlive.com``) and ``groove-user-code-flow.md`` (the Live code flow,
``offline_access`` for a refresh token, ``redirect_uri`` and the secret on refresh too, and a
logout URL that clears the browser's single-sign-on cookies).
"""

from .base import Preset

LIVE = "https://login.live.com"

GROOVE = Preset(
    id="groove",
    label="Groove app token",
    flows=("client_credentials",),
    token_endpoint=f"{LIVE}/accesstoken.srf",
    # One Groove table says grant_type "client"; the example requests and the service use
    # client_credentials, which is what core.oauth.flows sends for every provider.
    extra_token_params={"scope": "app.music.xboxlive.com"},
    auth_method={"client_credentials": "client_secret_post"},
    try_url="https://music.xboxlive.com/1/content/music/search?q=hello",
    notes="Tokens last 24 h today; the lifetime is read from expires_in, never assumed.",
)

GROOVE_USER = Preset(
    id="groove-user",
    label="Groove user (Microsoft account)",
    flows=("authorization_code",),
    authorization_endpoint=f"{LIVE}/oauth20_authorize.srf",
    token_endpoint=f"{LIVE}/oauth20_token.srf",
    logout_endpoint=f"{LIVE}/oauth20_logout.srf",
    scopes={"authorization_code": ("MicrosoftMediaServices.GrooveApiAccess", "offline_access")},
    required_scopes=("MicrosoftMediaServices.GrooveApiAccess",),
    auth_method={"authorization_code": "client_secret_post"},
    refresh_sends_redirect_uri=True,
)
