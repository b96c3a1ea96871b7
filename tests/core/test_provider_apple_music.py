"""The real ``musicauth`` command line against the Apple Music emulator: a Music User Token got
through the loopback MusicKit page (driven by the stand-in browser), refusal, a forged nonce,
the output shapes with both headers, Try it, sign-out, and no secret where it does not belong.

The page's own script runs in a real browser in test_apple_music_chromium.py.
"""

from __future__ import annotations

import json
import shlex
from pathlib import Path

from cryptography.hazmat.primitives import serialization

from musicauth_gui.sandbox import AppleMusicServer
from tests.core.conftest import APPLE_KID, APPLE_TEAM, free_port, profiles_file
from tests.support.cli import assert_one_clean_line, browser_env, musicauth, stored_record
from tests.support.jws import verify_es256


def with_profile(tmp_path: Path, apple: AppleMusicServer, *, team: str = APPLE_TEAM, extra: str = "") -> str:
    """Import the profile ``am`` with a new key registered at the emulator for ``team``; the
    public PEM."""
    generated = musicauth("key", "generate", "am-key")
    assert generated.returncode == 0, generated.stderr
    apple.register_key(team, APPLE_KID, generated.stdout)
    text = f"""
[profiles.am]
provider = "apple-music"
flow = "music_user_token"
team_id = "{APPLE_TEAM}"
key = "am-key"
key_id = "{APPLE_KID}"
musickit_js_url = "{apple.url('/musickit.js')}"
api_endpoint = "{apple.base_url}"
{extra}"""
    imported = musicauth("profile", "import", str(profiles_file(tmp_path, text)))
    assert imported.returncode == 0, imported.stderr
    return generated.stdout


def test_sign_in_stores_the_user_token_the_page_posted(tmp_path, apple_music) -> None:  # type: ignore[no-untyped-def]
    with_profile(tmp_path, apple_music)
    log = tmp_path / "browser.log"
    login = musicauth("login", "am", "--timeout", "60", env=browser_env(FAKE_BROWSER_LOG=str(log)))
    assert login.returncode == 0, login.stderr
    assert "signed in to 'am'" in login.stderr
    assert "page ok: You are signed in to Apple Music" in log.read_text()
    token = stored_record("am")["token"]
    assert [token["access_token"]] == apple_music.user_tokens()
    assert token["token_type"] == "Music-User-Token"
    assert "refresh_token" not in token and "expires_at" not in token  # no refresh, no known expiry
    assert token["issued_at"] == token["consented_at"]
    # The page's developer token: signed for this sign-in, as long as it may wait plus 5 min,
    # and without an origin claim (core/oauth/musickit_page.py says why).
    claims = apple_music.last_developer_claims
    assert claims is not None and claims["iss"] == APPLE_TEAM
    assert claims["exp"] - claims["iat"] == 60 + 300 and "origin" not in claims
    # The emulator's MusicKit calls came from the page's own loopback origin.
    calls = [r for r in apple_music.requests if r.path.startswith("/musickit/") and r.method == "POST"]
    assert [r.path for r in calls] == ["/musickit/configure", "/musickit/authorize"]
    assert calls[0].headers["origin"].startswith("http://127.0.0.1:")


def test_every_output_shape_carries_both_tokens(tmp_path, apple_music) -> None:  # type: ignore[no-untyped-def]
    public_pem = with_profile(tmp_path, apple_music, extra='origin = ["https://app.example"]\ndevtoken_ttl = "1d"\n')
    assert musicauth("login", "am", env=browser_env()).returncode == 0
    user_token = stored_record("am")["token"]["access_token"]
    public = serialization.load_pem_public_key(public_pem.encode())

    assert musicauth("token", "am").stdout.strip() == user_token  # raw: the user token itself
    lines = musicauth("token", "am", "--format", "header").stdout.strip().splitlines()
    assert len(lines) == 2 and lines[1] == f"Music-User-Token: {user_token}"
    scheme, developer = lines[0].removeprefix("Authorization: ").split(" ")
    header, claims = verify_es256(developer, public)  # type: ignore[arg-type]
    assert scheme == "Bearer" and header["kid"] == APPLE_KID and claims["iss"] == APPLE_TEAM
    # The API's developer token is the profile's: its lifetime and its origin claim.
    assert claims["exp"] - claims["iat"] == 86400 and claims["origin"] == ["https://app.example"]

    data = json.loads(musicauth("token", "am", "--format", "json").stdout)
    assert data["access_token"] == user_token and data["token_type"] == "Music-User-Token"
    assert data["expires_at"] is None and data["expires_in"] is None and data["issued_at"]
    assert data["authorization_header"].startswith("Bearer ey")
    assert data["headers"]["Music-User-Token"] == user_token

    curl = shlex.split(musicauth("token", "am", "--format", "curl").stdout)
    assert curl[0] == "curl" and curl[-1] == apple_music.url("/v1/me/storefront")
    sent = [curl[i + 1] for i, word in enumerate(curl) if word == "-H"]
    assert [h.split(":")[0] for h in sent] == ["Authorization", "Music-User-Token"]

    ran = musicauth("exec", "am", "--", "sh", "-c", 'printf "%s|%s" "$MUSICAUTH_TOKEN" "$MUSICAUTH_AUTHORIZATION"')
    token_var, authorization_var = ran.stdout.split("|")
    assert token_var == user_token and authorization_var.startswith("Bearer ey")


def test_try_calls_the_storefront_with_both_headers(tmp_path, apple_music) -> None:  # type: ignore[no-untyped-def]
    with_profile(tmp_path, apple_music)
    assert musicauth("login", "am", env=browser_env()).returncode == 0
    tried = musicauth("try", "am")
    assert tried.returncode == 0, tried.stderr
    assert tried.stdout.startswith("200 GET 127.0.0.1") and '"storefronts"' in tried.stdout
    call = [r for r in apple_music.requests if r.path == "/v1/me/storefront"][-1]
    assert call.headers["music-user-token"] == stored_record("am")["token"]["access_token"]
    apple_music.withdraw_user_tokens()  # withdrawn at Apple: the provider's refusal is the answer
    tried = musicauth("try", "am")
    assert tried.returncode == 4 and tried.stdout.startswith("403 ") and "withdrawn" in tried.stdout


def test_a_refused_authorization_stores_nothing(tmp_path, apple_music) -> None:  # type: ignore[no-untyped-def]
    with_profile(tmp_path, apple_music)
    apple_music.consent = "deny"
    log = tmp_path / "browser.log"
    result = musicauth("login", "am", env=browser_env(FAKE_BROWSER_LOG=str(log)))
    assert_one_clean_line(result, "refused", "authorize()", "nothing was stored", "musicauth login am")
    assert result.returncode == 1
    assert "page failed: the Apple Music sign-in was refused" in log.read_text()
    assert stored_record("am")["token"] is None and apple_music.user_tokens() == []


def test_a_post_with_a_forged_nonce_ends_the_sign_in(tmp_path, apple_music) -> None:  # type: ignore[no-untyped-def]
    with_profile(tmp_path, apple_music)
    result = musicauth("login", "am", env=browser_env(FAKE_BROWSER_TAMPER="state"))
    assert_one_clean_line(result, "wrong state", "nothing was stored", "musicauth login am")
    assert stored_record("am")["token"] is None
    assert len(apple_music.user_tokens()) == 1  # Apple handed one out; it never reached the store


def test_what_the_page_cannot_do_is_said_with_the_field_to_check(tmp_path, apple_music) -> None:  # type: ignore[no-untyped-def]
    # A developer token MusicKit refuses (the key is registered for another team).
    with_profile(tmp_path, apple_music, team="OTHER12345")
    refused = musicauth("login", "am", env=browser_env())
    assert_one_clean_line(refused, "did not accept the developer token", "iss is not the Team ID")
    # MusicKit JS that cannot be loaded.
    closed = f"http://127.0.0.1:{free_port()}/musickit.js"
    text = (tmp_path / "profiles.toml").read_text().replace(apple_music.url("/musickit.js"), closed)
    (tmp_path / "profiles.toml").write_text(text)
    assert musicauth("profile", "import", str(tmp_path / "profiles.toml")).returncode == 0
    unavailable = musicauth("login", "am", env=browser_env())
    assert_one_clean_line(unavailable, "could not load MusicKit JS", "set musickit_js_url in the profiles file")


def test_the_profile_shows_its_age_and_only_a_sign_in_renews_it(tmp_path, apple_music) -> None:  # type: ignore[no-untyped-def]
    with_profile(tmp_path, apple_music)
    never = json.loads(musicauth("profile", "list", "--json").stdout)[0]
    assert never["state"] == "needs_sign_in" and never["obtained_at"] is None
    assert_one_clean_line(musicauth("token", "am"), "needs sign-in", "never signed in", "musicauth login am")
    assert musicauth("login", "am", env=browser_env()).returncode == 0
    row = json.loads(musicauth("profile", "list", "--json").stdout)[0]
    assert row["state"] == "static" and row["token_state"] == "valid" and row["expires_at"] is None
    assert row["obtained_at"] and row["obtained_at"].endswith("Z")
    table = musicauth("profile", "list").stdout
    assert f"obtained {row['obtained_at']}" in table
    refreshed = musicauth("refresh", "am")
    assert_one_clean_line(refreshed, "needs sign-in", "cannot be renewed", "musicauth login am")
    out = musicauth("logout", "am", "--no-browser")
    assert out.returncode == 0 and "signed out of 'am'" in out.stderr
    assert "Apple Music has no way to revoke a token from here" in out.stderr
    assert stored_record("am")["token"] is None


def test_no_user_token_or_private_key_outside_the_store(tmp_path, apple_music, app_written_dirs) -> None:  # type: ignore[no-untyped-def]
    with_profile(tmp_path, apple_music)
    login = musicauth("-v", "login", "am", env=browser_env())
    assert login.returncode == 0, login.stderr
    user_token = stored_record("am")["token"]["access_token"]
    outputs = [
        login.stderr,
        musicauth("-v", "profile", "list", "--json").stdout,
        musicauth("profile", "list").stdout,
        musicauth("profile", "export", "am").stdout,
        musicauth("key", "list", "--json").stdout,
        musicauth("-v", "try", "am").stderr,
    ]
    for text in outputs:
        assert user_token not in text and "PRIVATE KEY" not in text
    for folder in app_written_dirs:
        for path in folder.rglob("*"):
            if path.is_file():
                assert user_token.encode() not in path.read_bytes(), path
