"""Apple Music (MusicKit) developer tokens.

The same ES256 shape as MusicAPI's DevTokens: ``kid`` is the 10-character Key ID, ``iss`` the
10-character Team ID, optional ``origin`` claim; Apple hands out the private key as a ``.p8``
download, so this preset imports a key rather than generating one. Lifetimes over 15,777,000 s
(six months) are refused. Sent as ``Authorization: Bearer``.
"""

from ..devtoken import APPLE_MAX_TTL
from .base import Preset

APPLE_MUSIC = Preset(
    id="apple-music",
    label="Apple Music",
    flows=("devtoken",),
    auth_scheme="Bearer",
    devtoken_issuer="team_id",
    devtoken_max_ttl=APPLE_MAX_TTL,
    try_url="https://api.music.apple.com/v1/catalog/us/search?term=hello&types=songs&limit=1",
)
