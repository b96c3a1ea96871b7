"""Spotify's 2025-26 rules (music-providers.md, "Spotify and SoundCloud: what changed recently"),
with the real CLI against the Spotify emulator: a loopback IP literal only, and refresh tokens
that die six months after the original consent, whatever the refreshes, which means sign in
again (exit 3), whether the stored date says so first or the provider's invalid_grant does."""

from __future__ import annotations

import json
from pathlib import Path

from musicauth_gui.sandbox import SpotifyServer
from tests.core.conftest import CLIENT_ID, CLIENT_SECRET, profiles_file
from tests.support.cli import assert_one_clean_line, browser_env, musicauth, stored_record
from tests.support.file_keyring import FileKeyring

SIX_MONTHS = 182 * 86400


def spotify_profile(spotify: SpotifyServer, redirect: str = "http://127.0.0.1/callback") -> str:
    return f"""
[profiles.sp]
provider = "spotify"
client_id = "{CLIENT_ID}"
client_secret = "{CLIENT_SECRET}"
token_endpoint_auth_method = "client_secret_basic"
redirect_uri = "{redirect}"
authorization_endpoint = "{spotify.url('/authorize')}"
token_endpoint = "{spotify.url('/api/token')}"
"""


def signed_in(tmp_path: Path, spotify: SpotifyServer) -> dict:  # type: ignore[type-arg]
    assert musicauth("profile", "import", str(profiles_file(tmp_path, spotify_profile(spotify)))).returncode == 0
    assert musicauth("login", "sp", env=browser_env()).returncode == 0
    return stored_record("sp")["token"]


def test_localhost_is_refused_before_any_browser(tmp_path, spotify) -> None:  # type: ignore[no-untyped-def]
    text = spotify_profile(spotify, redirect="http://localhost:8888/callback")
    result = musicauth("profile", "import", str(profiles_file(tmp_path, text)))
    assert_one_clean_line(result, "localhost", "http://127.0.0.1")
    assert not spotify.requests


def test_refreshing_never_extends_the_six_months(tmp_path, spotify) -> None:  # type: ignore[no-untyped-def]
    first = signed_in(tmp_path, spotify)
    assert first["refresh_expires_at"] == first["consented_at"] + SIX_MONTHS
    spotify.clock = lambda: first["consented_at"] + 90 * 86400  # three months later, at Spotify
    assert musicauth("refresh", "sp").returncode == 0
    later = stored_record("sp")["token"]
    assert later["refresh_token"] != first["refresh_token"]  # rotated...
    assert later["consented_at"] == first["consented_at"]  # ...yet counted from the consent
    assert later["refresh_expires_at"] == first["refresh_expires_at"]


def test_invalid_grant_at_six_months_means_sign_in_again(tmp_path, spotify) -> None:  # type: ignore[no-untyped-def]
    token = signed_in(tmp_path, spotify)
    spotify.clock = lambda: token["consented_at"] + SIX_MONTHS + 1  # Spotify's clock says: expired
    result = musicauth("refresh", "sp")
    assert_one_clean_line(result, "needs sign-in", "Refresh token expired", "musicauth login sp")
    assert result.returncode == 3
    listed = json.loads(musicauth("profile", "list", "--json").stdout)
    assert listed[0]["token_state"] == "needs sign-in"
    spotify.clock = lambda: token["consented_at"] + SIX_MONTHS + 60
    assert musicauth("login", "sp", env=browser_env()).returncode == 0  # a new consent, a new six months


def test_a_refresh_token_past_its_six_months_is_not_even_sent(tmp_path, spotify) -> None:  # type: ignore[no-untyped-def]
    signed_in(tmp_path, spotify)
    keyring = FileKeyring()
    record = json.loads(keyring.get_password("musicauth", "profile/sp") or "")
    token = record["token"]
    shift = SIX_MONTHS + 3600.0  # as if the consent was six months and an hour ago
    for key in ("issued_at", "expires_at", "consented_at", "refresh_expires_at"):
        token[key] -= shift
    keyring.set_password("musicauth", "profile/sp", json.dumps(record))
    result = musicauth("token", "sp")
    assert_one_clean_line(result, "needs sign-in", "the refresh token has expired")
    assert result.returncode == 3
    assert not any(r.form.get("grant_type") == "refresh_token" for r in spotify.requests)
