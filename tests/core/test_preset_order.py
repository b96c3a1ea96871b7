"""The one order presets are offered in: live services first, Groove (discontinued) last."""

from __future__ import annotations

from musicauth_gui.core.presets import PRESETS


def test_presets_are_in_the_offered_order_with_the_live_services_first_and_groove_last() -> None:
    ids = list(PRESETS)
    assert ids[:6] == ["spotify", "musixmatch", "soundcloud", "oauth2", "musicapi", "apple-music"]
    assert ids[-2:] == ["groove", "groove-user"]
    assert not any(preset_id.startswith("groove") for preset_id in ids[:-2])


def test_each_preset_is_found_under_its_own_id_and_made_once() -> None:
    assert len(PRESETS) == len(list(PRESETS.values())) == 16
    for preset_id, preset in PRESETS.items():
        assert preset.id == preset_id
        assert PRESETS[preset_id] is preset
    assert "nope" not in PRESETS
