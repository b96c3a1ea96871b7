"""The one table of which profile fields apply to which flow (core/profiles_file.py), read by
the profiles file's checks and by the profile editor."""

from __future__ import annotations

import pytest

from musicauth_gui.core.errors import ConfigError
from musicauth_gui.core.model import PROFILE_FIELDS, SECRET_FIELDS
from musicauth_gui.core.presets import PRESETS
from musicauth_gui.core.profiles_file import FLOW_FIELDS, applicable_fields, parse_profile, required_fields

EVERY_FIELD = {"name", *SECRET_FIELDS, *PROFILE_FIELDS}
COMBINATIONS = [(preset, flow) for preset in PRESETS.values() for flow in preset.flows]


def test_the_table_names_only_real_fields_and_every_field_is_used_somewhere() -> None:
    used = set().union(*(applicable_fields(p, f, has_issuer=True) for p, f in COMBINATIONS))
    assert set().union(*FLOW_FIELDS.values()) <= EVERY_FIELD
    assert used == EVERY_FIELD


@pytest.mark.parametrize(("preset", "flow"), COMBINATIONS, ids=lambda v: getattr(v, "id", v))
def test_a_required_field_always_applies(preset, flow) -> None:  # type: ignore[no-untyped-def]
    assert set(required_fields(preset, flow)) <= applicable_fields(preset, flow)


@pytest.mark.parametrize(
    ("table", "missing"),
    [
        ({"provider": "spotify"}, "client_id is required"),
        ({"provider": "groove", "flow": "client_credentials"}, "client_id is required"),
        ({"provider": "musicapi", "key": "k", "key_id": "KID"}, "client_id is required for DevTokens"),
        ({"provider": "apple-music", "key": "k", "key_id": "ABCDE12345"}, "team_id is required for DevTokens"),
        ({"provider": "apple-music", "team_id": "TEAM123456", "key": "k"}, "key_id is required for DevTokens"),
    ],
)
def test_the_profiles_file_requires_what_the_table_requires(table: dict[str, str], missing: str) -> None:
    with pytest.raises(ConfigError) as caught:
        parse_profile("p", table)
    # The profile and the field are data (core/errors.py); the front ends name the profile.
    error = caught.value
    assert (error.message, error.profile, error.field) == (missing, "p", missing.split()[0])


def test_what_a_devtoken_profile_shows_depends_on_the_preset() -> None:
    apple, musicapi = PRESETS["apple-music"], PRESETS["musicapi"]
    assert {"team_id", "origin"} <= applicable_fields(apple, "devtoken")
    assert not {"client_id", "client_secret", "issuer"} & applicable_fields(apple, "devtoken")
    assert {"client_id", "client_secret"} <= applicable_fields(musicapi, "devtoken")  # Basic sends id:secret
    assert not {"team_id", "origin"} & applicable_fields(musicapi, "devtoken")


def test_an_issuer_applies_where_discovery_does_or_the_profile_already_has_one() -> None:
    spotify, oauth2 = PRESETS["spotify"], PRESETS["oauth2"]
    assert "issuer" in applicable_fields(oauth2, "client_credentials")
    assert "issuer" not in applicable_fields(spotify, "authorization_code")
    assert "issuer" in applicable_fields(spotify, "authorization_code", has_issuer=True)
    assert "redirect_uri" not in applicable_fields(oauth2, "client_credentials")
