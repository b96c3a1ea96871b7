"""The real ``musicauth`` command line against the Genius emulator: the code flow with
``response_type=code`` in the token request, no refresh, errors, Try it and sign-out."""

from __future__ import annotations

from pathlib import Path

from musicauth_gui.sandbox import GeniusServer
from tests.core.conftest import CLIENT_ID, CLIENT_SECRET, free_port, profiles_file
from tests.support.cli import assert_one_clean_line, browser_env, musicauth, stored_record


def with_profile(tmp_path: Path, genius: GeniusServer) -> None:
    redirect = f"http://127.0.0.1:{free_port()}/callback"
    genius.register_client(CLIENT_ID, CLIENT_SECRET, redirect_uris=[redirect], loopback_any_port=False)
    text = f"""
[profiles.genius]
provider = "genius"
client_id = "{CLIENT_ID}"
client_secret = "{CLIENT_SECRET}"
redirect_uri = "{redirect}"
scopes = "me vote"
authorization_endpoint = "{genius.url('/oauth/authorize')}"
token_endpoint = "{genius.url('/oauth/token')}"
try_url = "{genius.url('/account')}"
"""
    assert musicauth("profile", "import", str(profiles_file(tmp_path, text))).returncode == 0


def test_sign_in_sends_response_type_code_to_the_token_endpoint(tmp_path, genius) -> None:  # type: ignore[no-untyped-def]
    with_profile(tmp_path, genius)
    login = musicauth("login", "genius", env=browser_env())
    assert login.returncode == 0, login.stderr
    exchange = next(r for r in genius.requests if r.path == "/oauth/token")
    assert exchange.form["response_type"] == "code" and exchange.form["grant_type"] == "authorization_code"
    assert exchange.form["client_secret"] == CLIENT_SECRET
    assert next(r for r in genius.requests if r.path == "/oauth/authorize").query["scope"] == "me vote"
    token = stored_record("genius")["token"]
    assert token.get("refresh_token") is None and token.get("expires_at") is None  # lasts until revoked
    printed = musicauth("token", "genius", "--format", "header")
    assert printed.stdout.strip() == f"Authorization: Bearer {token['access_token']}"


def test_no_refresh_then_sign_in_again(tmp_path, genius) -> None:  # type: ignore[no-untyped-def]
    with_profile(tmp_path, genius)
    assert musicauth("login", "genius", env=browser_env()).returncode == 0
    result = musicauth("refresh", "genius")
    assert_one_clean_line(result, "needs sign-in", "no refresh token", "musicauth login genius")
    assert result.returncode == 3
    assert not any(r.form.get("grant_type") == "refresh_token" for r in genius.requests)


def test_try_it_and_sign_out(tmp_path, genius) -> None:  # type: ignore[no-untyped-def]
    with_profile(tmp_path, genius)
    assert musicauth("login", "genius", env=browser_env()).returncode == 0
    tried = musicauth("try", "genius")
    assert tried.returncode == 0, tried.stderr
    assert "sandbox-annotator" in tried.stdout
    out = musicauth("logout", "genius", "--no-browser")
    assert out.returncode == 0, out.stderr
    assert stored_record("genius")["token"] is None


def test_refused_consent_and_a_revoked_token(tmp_path, genius) -> None:  # type: ignore[no-untyped-def]
    with_profile(tmp_path, genius)
    genius.consent = "deny"
    assert_one_clean_line(musicauth("login", "genius", env=browser_env()), "access_denied")
    genius.consent = "approve"
    assert musicauth("login", "genius", env=browser_env()).returncode == 0
    genius.revoke_all_for_user()
    tried = musicauth("try", "genius")
    assert tried.returncode == 4 and tried.stdout.startswith("401 ")
