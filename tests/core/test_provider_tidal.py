"""The real ``musicauth`` command line against the TIDAL emulator: sign-in with PKCE on the
exact redirect URI, refresh that sends ``scope`` and keeps the refresh token, client credentials,
errors with TIDAL's ``sub_status``, Try it, sign-out."""

from __future__ import annotations

from pathlib import Path

from musicauth_gui.sandbox import TidalServer
from tests.core.conftest import CLIENT_ID, CLIENT_SECRET, free_port, profiles_file
from tests.support.cli import assert_one_clean_line, browser_env, musicauth, stored_record


def import_profiles(tmp_path: Path, text: str) -> None:
    result = musicauth("profile", "import", str(profiles_file(tmp_path, text)))
    assert result.returncode == 0, result.stderr


def signed_in(tmp_path: Path, tidal: TidalServer) -> dict:  # type: ignore[type-arg]
    redirect = f"http://127.0.0.1:{free_port()}/callback"
    tidal.register_client("tidal-public", redirect_uris=[redirect], loopback_any_port=False)
    import_profiles(
        tmp_path,
        f"""
[profiles.tidal]
provider = "tidal"
client_id = "tidal-public"
redirect_uri = "{redirect}"
scopes = ["user.read", "playlists.read"]
authorization_endpoint = "{tidal.url('/authorize')}"
token_endpoint = "{tidal.url('/v1/oauth2/token')}"
try_url = "{tidal.url('/v2/searchResults/hello')}?countryCode=US"
""",
    )
    login = musicauth("login", "tidal", env=browser_env())
    assert login.returncode == 0, login.stderr
    return stored_record("tidal")["token"]


def test_sign_in_with_pkce_on_the_exact_redirect_uri(tmp_path, tidal) -> None:  # type: ignore[no-untyped-def]
    token = signed_in(tmp_path, tidal)
    authorize = next(r for r in tidal.requests if r.path == "/authorize")
    assert authorize.query["code_challenge_method"] == "S256"
    assert authorize.query["scope"] == "user.read playlists.read"  # space separated
    exchange = next(r for r in tidal.requests if r.form.get("grant_type") == "authorization_code")
    assert exchange.form["client_id"] == "tidal-public" and "client_secret" not in exchange.form
    assert exchange.headers["content-type"].startswith("application/x-www-form-urlencoded")
    assert token["refresh_token"] and tidal.is_access_token_active(token["access_token"])
    header = musicauth("token", "tidal", "--format", "header")
    assert header.stdout.strip() == f"Authorization: Bearer {token['access_token']}"


def test_refresh_sends_scope_and_keeps_the_refresh_token(tmp_path, tidal) -> None:  # type: ignore[no-untyped-def]
    first = signed_in(tmp_path, tidal)
    for _ in range(2):
        refreshed = musicauth("refresh", "tidal")
        assert refreshed.returncode == 0, refreshed.stderr
    refreshes = [r for r in tidal.requests if r.form.get("grant_type") == "refresh_token"]
    assert [r.form["scope"] for r in refreshes] == ["user.read playlists.read"] * 2
    assert [r.form["refresh_token"] for r in refreshes] == [first["refresh_token"]] * 2
    now = stored_record("tidal")["token"]
    assert now["refresh_token"] == first["refresh_token"]  # the answer had none: the old one stays
    assert now["access_token"] != first["access_token"] and tidal.is_access_token_active(now["access_token"])
    assert tidal.is_refresh_token_active(first["refresh_token"])


def test_an_empty_refresh_token_in_the_answer_is_never_stored(tmp_path, tidal) -> None:  # type: ignore[no-untyped-def]
    first = signed_in(tmp_path, tidal)
    tidal.answer_next_token_with({"refresh_token": ""})
    assert musicauth("refresh", "tidal").returncode == 0
    assert stored_record("tidal")["token"]["refresh_token"] == first["refresh_token"]
    assert musicauth("refresh", "tidal").returncode == 0


def test_try_it_and_sign_out(tmp_path, tidal) -> None:  # type: ignore[no-untyped-def]
    token = signed_in(tmp_path, tidal)
    tried = musicauth("try", "tidal")
    assert tried.returncode == 0, tried.stderr
    assert "200" in tried.stdout and "Hello" in tried.stdout
    search = next(r for r in tidal.requests if r.path == "/v2/searchResults/hello")
    assert search.headers["authorization"] == f"Bearer {token['access_token']}"
    out = musicauth("logout", "tidal", "--no-browser")
    assert out.returncode == 0, out.stderr
    assert stored_record("tidal")["token"] is None
    assert_one_clean_line(musicauth("token", "tidal"), "needs sign-in")


def cc_profile(tidal: TidalServer, secret: str = CLIENT_SECRET) -> str:
    return f"""
[profiles.tidal-app]
provider = "tidal"
flow = "client_credentials"
client_id = "{CLIENT_ID}"
client_secret = "{secret}"
token_endpoint = "{tidal.url('/v1/oauth2/token')}"
try_url = "{tidal.url('/v2/searchResults/hello')}?countryCode=US"
"""


def test_client_credentials_in_the_body(tmp_path, tidal) -> None:  # type: ignore[no-untyped-def]
    import_profiles(tmp_path, cc_profile(tidal))
    token = musicauth("token", "tidal-app")
    assert token.returncode == 0, token.stderr
    sent = next(r for r in tidal.requests if r.form.get("grant_type") == "client_credentials")
    assert sent.form["client_id"] == CLIENT_ID and sent.form["client_secret"] == CLIENT_SECRET
    assert "authorization" not in sent.headers
    assert tidal.is_access_token_active(token.stdout.strip())
    assert musicauth("try", "tidal-app").returncode == 0


def test_errors_show_tidals_sub_status(tmp_path, tidal) -> None:  # type: ignore[no-untyped-def]
    import_profiles(tmp_path, cc_profile(tidal, secret="wrong"))
    result = musicauth("token", "tidal-app")
    line = assert_one_clean_line(result, "invalid_client", "(sub_status 11002)")
    assert result.returncode == 4
    assert "client_secret" in line  # what to fix, as for every invalid_client


def test_an_expired_token_at_the_api_is_a_refusal_with_sub_status_11003(tmp_path, tidal) -> None:  # type: ignore[no-untyped-def]
    signed_in(tmp_path, tidal)
    tidal.revoke_all_for_user()
    tried = musicauth("try", "tidal")
    assert tried.returncode == 4
    assert "401" in tried.stdout and '"sub_status": 11003' in tried.stdout
