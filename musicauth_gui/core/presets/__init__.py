"""The provider presets, by id."""

from __future__ import annotations

from ..errors import ConfigError
from .apikey import APIKEY
from .apple_music import APPLE_MUSIC
from .base import Preset, StaticPlacement
from .google import GOOGLE
from .groove import GROOVE, GROOVE_USER
from .musicapi import MUSICAPI
from .musixmatch import MUSIXMATCH
from .oauth2 import OAUTH2
from .soundcloud import SOUNDCLOUD
from .spotify import SPOTIFY
from .static import with_static

PRESETS: dict[str, Preset] = {
    p.id: with_static(p)
    for p in (GROOVE, GROOVE_USER, MUSIXMATCH, MUSICAPI, APPLE_MUSIC, SPOTIFY, SOUNDCLOUD, OAUTH2, GOOGLE, APIKEY)
}


def get_preset(provider: str) -> Preset:
    """The preset for ``provider``, or a ConfigError naming the known ones."""
    try:
        return PRESETS[provider]
    except KeyError:
        known = ", ".join(PRESETS)
        raise ConfigError(f"unknown provider {provider!r} (known: {known})") from None


__all__ = ["PRESETS", "Preset", "StaticPlacement", "get_preset"]
