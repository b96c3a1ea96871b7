"""The order presets are offered in: live services first, Groove (discontinued) last."""

from __future__ import annotations

from musicauth_gui.core.presets import CHOICE_ORDER, PRESETS, presets_to_choose


def test_every_preset_is_offered_once_with_the_live_services_first_and_groove_last() -> None:
    ids = [preset.id for preset in presets_to_choose()]
    assert sorted(ids) == sorted(PRESETS) and set(CHOICE_ORDER) == set(PRESETS)
    assert ids[:4] == ["spotify", "musixmatch", "soundcloud", "oauth2"]
    assert ids[-2:] == ["groove", "groove-user"]
