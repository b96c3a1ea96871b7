"""The provider presets, by id.

Each preset's module is imported when its preset is first asked for: a command uses one (or
none), and importing all sixteen cost ~1 ms of every ``musicauth token`` (benchmarks/README.md,
"Start-up"). Listing ``PRESETS`` (its ids, ``in``, ``len``) imports none; going through its
values imports them all.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterator, Mapping

from ..errors import ConfigError
from .base import Preset, StaticPlacement

#: Every preset's id and where it is defined (module, name), in the one order they are offered
#: in wherever the user picks one (the editor's list, the welcome pane's menu, ``get_preset``'s
#: list of known ids): the services people build on today first, the generic OAuth 2.0 provider
#: next, the key-based ones after, and Groove (discontinued in 2017; its Live endpoints kept
#: for old apps) last. Each preset's own ``id`` is its key here (tests/core/test_preset_order.py).
_WHERE: dict[str, tuple[str, str]] = {
    "spotify": ("spotify", "SPOTIFY"),
    "musixmatch": ("musixmatch", "MUSIXMATCH"),
    "soundcloud": ("soundcloud", "SOUNDCLOUD"),
    "oauth2": ("oauth2", "OAUTH2"),
    "musicapi": ("musicapi", "MUSICAPI"),
    "apple-music": ("apple_music", "APPLE_MUSIC"),
    "tidal": ("tidal", "TIDAL"),
    "musicbrainz": ("musicbrainz", "MUSICBRAINZ"),
    "genius": ("genius", "GENIUS"),
    "deezer": ("deezer", "DEEZER"),
    "discogs": ("discogs", "DISCOGS"),
    "lastfm": ("lastfm", "LASTFM"),
    "google": ("google", "GOOGLE"),
    "apikey": ("apikey", "APIKEY"),
    "groove": ("groove", "GROOVE"),
    "groove-user": ("groove", "GROOVE_USER"),
}


class _Presets(Mapping[str, Preset]):
    """Every preset by id, in the offered order; each made (its module imported, its static
    placement added: ``static.with_static``) when first asked for, then kept."""

    def __init__(self) -> None:
        self._made: dict[str, Preset] = {}

    def __getitem__(self, preset_id: str) -> Preset:
        preset = self._made.get(preset_id)
        if preset is not None:
            return preset
        module, name = _WHERE[preset_id]
        from .static import with_static

        made = with_static(getattr(importlib.import_module(f"{__name__}.{module}"), name))
        # setdefault: two threads asking at once both get the one kept.
        return self._made.setdefault(preset_id, made)

    def __contains__(self, preset_id: object) -> bool:
        return preset_id in _WHERE

    def __iter__(self) -> Iterator[str]:
        return iter(_WHERE)

    def __len__(self) -> int:
        return len(_WHERE)


PRESETS: Mapping[str, Preset] = _Presets()


def get_preset(provider: str) -> Preset:
    """The preset for ``provider``, or a ConfigError naming the known ones."""
    try:
        return PRESETS[provider]
    except KeyError:
        known = ", ".join(PRESETS)
        raise ConfigError(f"unknown provider {provider!r} (known: {known})") from None


__all__ = ["PRESETS", "Preset", "StaticPlacement", "get_preset"]
