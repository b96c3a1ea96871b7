"""The real ``musicauth`` command line against the MusicBrainz emulator: sign-in with PKCE S256
and the client secret, refresh without rotation, Try it at ``userinfo``, revocation at sign-out,
and the secret that installed apps need too."""

from __future__ import annotations

from pathlib import Path

from musicauth_gui.sandbox import MusicBrainzServer
from tests.core.conftest import CLIENT_ID, CLIENT_SECRET, profiles_file
from tests.support.cli import assert_one_clean_line, browser_env, musicauth, stored_record


def mb_profile(mb: MusicBrainzServer, *, secret: str | None = CLIENT_SECRET, extra: str = "") -> str:
    secret_line = f'client_secret = "{secret}"\n' if secret is not None else ""
    return f"""
[profiles.mb]
provider = "musicbrainz"
client_id = "{CLIENT_ID}"
{secret_line}scopes = "profile email"
authorization_endpoint = "{mb.url('/oauth2/authorize')}"
token_endpoint = "{mb.url('/oauth2/token')}"
revocation_endpoint = "{mb.url('/oauth2/revoke')}"
try_url = "{mb.url('/oauth2/userinfo')}"
{extra}"""


def import_text(tmp_path: Path, text: str):  # type: ignore[no-untyped-def]
    return musicauth("profile", "import", str(profiles_file(tmp_path, text)))


def signed_in(tmp_path: Path, mb: MusicBrainzServer) -> dict:  # type: ignore[type-arg]
    assert import_text(tmp_path, mb_profile(mb)).returncode == 0
    login = musicauth("login", "mb", env=browser_env())
    assert login.returncode == 0, login.stderr
    return stored_record("mb")["token"]


def test_sign_in_sends_s256_and_the_secret(tmp_path, musicbrainz) -> None:  # type: ignore[no-untyped-def]
    token = signed_in(tmp_path, musicbrainz)
    authorize = next(r for r in musicbrainz.requests if r.path == "/oauth2/authorize")
    assert authorize.query["code_challenge_method"] == "S256"  # a bare challenge would mean plain there
    assert authorize.query["scope"] == "profile email"
    exchange = next(r for r in musicbrainz.requests if r.form.get("grant_type") == "authorization_code")
    assert exchange.method == "POST" and exchange.form["client_secret"] == CLIENT_SECRET
    assert token["refresh_token"] and musicbrainz.is_access_token_active(token["access_token"])


def test_refresh_does_not_rotate(tmp_path, musicbrainz) -> None:  # type: ignore[no-untyped-def]
    first = signed_in(tmp_path, musicbrainz)
    for _ in range(2):
        refreshed = musicauth("refresh", "mb")
        assert refreshed.returncode == 0, refreshed.stderr
    now = stored_record("mb")["token"]
    assert now["refresh_token"] == first["refresh_token"]
    assert musicbrainz.is_refresh_token_active(first["refresh_token"])
    assert now["access_token"] != first["access_token"] and musicbrainz.is_access_token_active(now["access_token"])


def test_try_it_calls_userinfo(tmp_path, musicbrainz) -> None:  # type: ignore[no-untyped-def]
    token = signed_in(tmp_path, musicbrainz)
    tried = musicauth("try", "mb")
    assert tried.returncode == 0, tried.stderr
    assert tried.stdout.startswith("200 GET 127.0.0.1") and '"sub": "sandbox-editor"' in tried.stdout
    call = next(r for r in musicbrainz.requests if r.path == "/oauth2/userinfo")
    assert call.headers["authorization"] == f"Bearer {token['access_token']}"


def test_sign_out_revokes_the_grant(tmp_path, musicbrainz) -> None:  # type: ignore[no-untyped-def]
    token = signed_in(tmp_path, musicbrainz)
    out = musicauth("logout", "mb", "--no-browser")
    assert out.returncode == 0, out.stderr
    revoked = [r.form["token_type_hint"] for r in musicbrainz.requests if r.path == "/oauth2/revoke"]
    assert revoked == ["refresh_token", "access_token"]
    assert not musicbrainz.is_refresh_token_active(token["refresh_token"])
    assert not musicbrainz.is_access_token_active(token["access_token"])
    assert stored_record("mb")["token"] is None


def test_an_installed_app_still_needs_its_secret(tmp_path, musicbrainz) -> None:  # type: ignore[no-untyped-def]
    refused = import_text(tmp_path, mb_profile(musicbrainz, extra='token_endpoint_auth_method = "none"\n'))
    assert_one_clean_line(refused, "needs the client secret", "token_endpoint_auth_method")
    # Without a secret at all, the import itself refuses it now (core/profiles_file.secret_problem),
    # so no sign-in can open the browser for nothing.
    missing = import_text(tmp_path, mb_profile(musicbrainz, secret=None))
    assert_one_clean_line(missing, "client secret", "set client_secret in the profiles file")
    assert missing.returncode == 1
    login = musicauth("login", "mb", env=browser_env())
    assert login.returncode == 1  # no such profile was stored
    assert not any(r.path == "/oauth2/authorize" for r in musicbrainz.requests)  # no browser for nothing


def test_a_revoked_grant_needs_sign_in(tmp_path, musicbrainz) -> None:  # type: ignore[no-untyped-def]
    signed_in(tmp_path, musicbrainz)
    musicbrainz.revoke_all_for_user()
    result = musicauth("refresh", "mb")
    assert_one_clean_line(result, "needs sign-in", "musicauth login mb")
    assert result.returncode == 3


def test_sign_out_says_when_the_provider_did_not_confirm_the_revocation(tmp_path, musicbrainz) -> None:  # type: ignore[no-untyped-def]
    token = signed_in(tmp_path, musicbrainz)
    musicbrainz.fail_next("/oauth2/revoke", "500")
    out = musicauth("logout", "mb", "--no-browser")
    assert out.returncode == 0, out.stderr
    assert "warning: the provider did not confirm the revocation (" in out.stderr
    assert "the tokens were deleted here anyway" in out.stderr
    assert "Traceback" not in out.stderr and token["refresh_token"] not in out.stderr
    assert stored_record("mb")["token"] is None
