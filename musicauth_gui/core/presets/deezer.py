"""Deezer Connect (connect.deezer.com; markbates/goth ``providers/deezer``; python-social-auth
``backends/deezer.py``).

Not quite OAuth 2.0 (``dialect="deezer"``, ``core/oauth/deezer.py``): the authorization page takes
``app_id`` (the profile's ``client_id``) and ``perms`` (its ``scopes``, comma separated); a
refusal comes back as ``error_reason``. The token is fetched with ``app_id``, ``secret`` (the
``client_secret``), ``code`` and ``output=json``; without ``output=json`` the answer is
form-encoded text, and a bad code answers the text ``wrong code``. ``expires`` is in seconds, 0
meaning never (with ``offline_access``); there is no refresh token. The API takes the token as
``?access_token=`` and reports errors inside 200 answers. No new applications are accepted at
present; existing app ids still work.
"""

from .base import Preset

DEEZER = Preset(
    id="deezer",
    label="Deezer",
    flows=("authorization_code",),
    authorization_endpoint="https://connect.deezer.com/oauth/auth.php",
    token_endpoint="https://connect.deezer.com/oauth/access_token.php",
    scopes={"authorization_code": ("basic_access", "offline_access")},
    client_secret_required=True,
    dialect="deezer",
    token_query_param="access_token",
    try_url="https://api.deezer.com/user/me",
    notes="client_id is the app id, client_secret the secret key; no new apps are accepted at present.",
)
