"""MusicAPI (spec: ``musicapi-authorization.txt``).

Three ways in: ``Authorization: Token <client id>`` for public endpoints, ``Basic
base64(id:secret)`` from a backend, and the recommended ES256 DevToken (``kid`` from the
dashboard, ``iss`` the client id, optional ``sub`` the integration user, 14 days by default)
sent as ``Authorization: DevToken <jwt>``.
"""

from .base import Preset

MUSICAPI = Preset(
    id="musicapi",
    label="MusicAPI",
    flows=("devtoken",),
    auth_scheme="DevToken",
    extra_schemes=("token", "basic"),
    try_url="https://api.musicapi.com/search/introspection",
)
