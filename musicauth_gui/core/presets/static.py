"""Where each provider wants a static secret (``flow = "static"``): one table, read by the presets.

A preset whose id is here offers the ``static`` flow beside its own, with this placement as the
default (a profile may still set ``placement``, ``header_name``, ``scheme`` and ``query_param``).
Kept apart from the preset modules so that a provider's module (its OAuth flows) and its static
key can change independently. An entry for a provider with no preset yet does nothing.
Sources: ``shared/specs/music-providers.md``.
"""

from __future__ import annotations

import dataclasses

from .base import Preset, StaticPlacement

STATIC_PLACEMENTS: dict[str, StaticPlacement] = {
    # Any API key: a Bearer header unless the profile says otherwise.
    "apikey": StaticPlacement(),
    # Musixmatch's classic API: ?apikey=KEY.
    "musixmatch": StaticPlacement(placement="query", query_param="apikey"),
    # Last.fm's read calls: ?api_key=KEY.
    "lastfm": StaticPlacement(placement="query", query_param="api_key"),
    # Genius: the dashboard's "client access token", a Bearer token.
    "genius": StaticPlacement(),
    # Discogs' personal access token: Authorization: Discogs token=TOKEN.
    "discogs": StaticPlacement(scheme="Discogs token="),
}


def with_static(preset: Preset) -> Preset:
    """``preset`` with the ``static`` flow and its placement, when the table has it."""
    placement = STATIC_PLACEMENTS.get(preset.id)
    if placement is None:
        return preset
    flows = preset.flows if "static" in preset.flows else (*preset.flows, "static")
    return dataclasses.replace(preset, flows=flows, static=preset.static or placement)
