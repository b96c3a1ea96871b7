"""MusicAPI (spec: ``musicapi-authorization.txt``): ES256 DevTokens, ``Token`` and ``Basic``.

The profile type exists so that profiles files name it; key management and DevToken signing
are not part of this version yet (the engine says so in one line instead of pretending).
"""

from .base import Preset

MUSICAPI = Preset(
    id="musicapi",
    label="MusicAPI",
    flows=("devtoken",),
    auth_scheme="DevToken",
    try_url="https://api.musicapi.com/search/introspection",
)
