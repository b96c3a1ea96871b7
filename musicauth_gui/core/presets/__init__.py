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

#: In the order the profile editor lists them: the live services first, the generic preset
#: after them, and Groove (discontinued in 2017; its Live endpoints kept for old apps) last.
PRESETS: dict[str, Preset] = {
    p.id: with_static(p)
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
        DISCOGS,
        LASTFM,
        GOOGLE,
        OAUTH2,
        APIKEY,
        GROOVE,
        GROOVE_USER,
    )
}

#: The order presets are offered in wherever the user picks one (the editor, the welcome pane):
#: the services people build on today first, the generic OAuth 2.0 provider next, the key-based
#: ones after, and Groove, a discontinued service kept for old apps, last.
CHOICE_ORDER: tuple[str, ...] = (
    "spotify", "musixmatch", "soundcloud", "oauth2", "musicapi", "apple-music",
    "tidal", "musicbrainz", "genius", "deezer", "discogs", "lastfm", "google", "apikey",
    "groove", "groove-user",
)  # fmt: skip


def presets_to_choose() -> list[Preset]:
    """Every preset, in ``CHOICE_ORDER``; one it does not name yet goes before Groove's."""
    live = [PRESETS[p] for p in CHOICE_ORDER if p in PRESETS and not p.startswith("groove")]
    groove = [PRESETS[p] for p in CHOICE_ORDER if p in PRESETS and p.startswith("groove")]
    unnamed = [p for p in PRESETS.values() if p.id not in CHOICE_ORDER]
    return live + unnamed + groove


def get_preset(provider: str) -> Preset:
    """The preset for ``provider``, or a ConfigError naming the known ones."""
    try:
        return PRESETS[provider]
    except KeyError:
        known = ", ".join(PRESETS)
        raise ConfigError(f"unknown provider {provider!r} (known: {known})") from None


__all__ = ["CHOICE_ORDER", "PRESETS", "Preset", "StaticPlacement", "get_preset", "presets_to_choose"]
