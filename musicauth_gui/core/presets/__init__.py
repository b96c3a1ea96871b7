"""The provider presets, by id."""

from __future__ import annotations

from ..errors import ConfigError
from .apikey import APIKEY
from .apple_music import APPLE_MUSIC
from .base import Preset, StaticPlacement
from .deezer import DEEZER
from .discogs import DISCOGS
from .genius import GENIUS
from .google import GOOGLE
from .groove import GROOVE, GROOVE_USER
from .lastfm import LASTFM
from .musicapi import MUSICAPI
from .musicbrainz import MUSICBRAINZ
from .musixmatch import MUSIXMATCH
from .oauth2 import OAUTH2
from .soundcloud import SOUNDCLOUD
from .spotify import SPOTIFY
from .static import with_static
from .tidal import TIDAL

#: Every preset, in the one order they are offered in wherever the user picks one (the editor's
#: list, the welcome pane's menu, ``get_preset``'s list of known ids): the services people build
#: on today first, the generic OAuth 2.0 provider next, the key-based ones after, and Groove
#: (discontinued in 2017; its Live endpoints kept for old apps) last.
PRESETS: dict[str, Preset] = {
    p.id: with_static(p)
    for p in (
        SPOTIFY,
        MUSIXMATCH,
        SOUNDCLOUD,
        OAUTH2,
        MUSICAPI,
        APPLE_MUSIC,
        TIDAL,
        MUSICBRAINZ,
        GENIUS,
        DEEZER,
        DISCOGS,
        LASTFM,
        GOOGLE,
        APIKEY,
        GROOVE,
        GROOVE_USER,
    )
}


def get_preset(provider: str) -> Preset:
    """The preset for ``provider``, or a ConfigError naming the known ones."""
    try:
        return PRESETS[provider]
    except KeyError:
        known = ", ".join(PRESETS)
        raise ConfigError(f"unknown provider {provider!r} (known: {known})") from None


__all__ = ["PRESETS", "Preset", "StaticPlacement", "get_preset"]
