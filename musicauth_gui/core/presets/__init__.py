"""The provider presets, by id."""

from __future__ import annotations

from ..errors import ConfigError
from .apple_music import APPLE_MUSIC
from .base import Preset
from .deezer import DEEZER
from .genius import GENIUS
from .groove import GROOVE, GROOVE_USER
from .musicapi import MUSICAPI
from .musicbrainz import MUSICBRAINZ
from .musixmatch import MUSIXMATCH
from .oauth2 import OAUTH2
from .soundcloud import SOUNDCLOUD
from .spotify import SPOTIFY
from .tidal import TIDAL

#: In the order the profile editor lists them: the live services first, the generic preset
#: after them, and Groove (discontinued in 2017; its Live endpoints kept for old apps) last.
PRESETS: dict[str, Preset] = {
    p.id: p
    for p in (
        SPOTIFY,
        TIDAL,
        APPLE_MUSIC,
        MUSICAPI,
        MUSIXMATCH,
        SOUNDCLOUD,
        MUSICBRAINZ,
        GENIUS,
        DEEZER,
        OAUTH2,
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


__all__ = ["PRESETS", "Preset", "get_preset"]
