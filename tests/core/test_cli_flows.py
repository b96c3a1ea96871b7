"""The real ``musicauth`` command line against the provider emulators on 127.0.0.1.

Each test runs the CLI in a subprocess, as a user would, with the test keyring backend shared
between processes; sign-in goes through $BROWSER set to a stand-in browser.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.core.conftest import CLIENT_ID, CLIENT_SECRET, profiles_file
from tests.support.cli import assert_one_clean_line, browser_env, musicauth, stored_record


def import_profiles(tmp_path: Path, text: str) -> None:
    result = musicauth("profile", "import", str(profiles_file(tmp_path, text)))
    assert result.returncode == 0, result.stderr


def mxm_profile(mxm, flow: str = "authorization_code", name: str = "mxm") -> str:  # type: ignore[no-untyped-def]
    return f"""
[profiles.{name}]
provider = "musixmatch"
flow = "{flow}"
client_id = "{CLIENT_ID}"
client_secret = "{CLIENT_SECRET}"
authorization_endpoint = "{mxm.url('/oauth/authorize')}"
token_endpoint = "{mxm.url('/oauth/token')}"
introspection_endpoint = "{mxm.url('/oauth/token-metadata')}"
"""


def refresh_tokens_sent(server) -> list[str]:  # type: ignore[no-untyped-def]
    return [r.form["refresh_token"] for r in server.requests if r.form.get("grant_type") == "refresh_token"]


# -- client credentials ---------------------------------------------------------------------------


def test_groove_app_token_with_a_secret_that_needs_url_encoding(tmp_path, live) -> None:  # type: ignore[no-untyped-def]
    import_profiles(
        tmp_path,
        f"""
[profiles.groove]
provider = "groove"
flow = "client_credentials"
client_id = "{CLIENT_ID}"
client_secret = "{CLIENT_SECRET}"
token_endpoint = "{live.url('/accesstoken.srf')}"
""",
    )
    raw = musicauth("token", "groove")
    assert raw.returncode == 0, raw.stderr
    token = raw.stdout.strip()
    assert live.is_access_token_active(token)
    sent = next(r for r in live.requests if r.path == "/accesstoken.srf")
    assert sent.form["grant_type"] == "client_credentials"
    assert sent.form["scope"] == "app.music.xboxlive.com"
    assert sent.form["client_secret"] == CLIENT_SECRET

    # Reused while valid: one issuance, however many calls.
    header = musicauth("token", "groove", "--format", "header")
    assert header.stdout.strip() == f"Authorization: Bearer {token}"
    as_json = json.loads(musicauth("token", "groove", "--format", "json").stdout)
    assert as_json["access_token"] == token
    assert 86390 <= as_json["expires_in"] <= 86400  # from expires_in, not assumed
    assert as_json["expires_at"].endswith("Z") and as_json["token_type"] == "bearer"
    curl = musicauth("token", "groove", "--format", "curl").stdout.strip()
    assert curl.startswith("curl -H 'Authorization: Bearer ")
    assert live.issued_count("client_credentials") == 1


def test_musixmatch_client_credentials(tmp_path, mxm) -> None:  # type: ignore[no-untyped-def]
    import_profiles(tmp_path, mxm_profile(mxm, flow="client_credentials"))
    result = musicauth("token", "mxm")
    assert result.returncode == 0, result.stderr
    assert mxm.is_access_token_active(result.stdout.strip())
    forced = musicauth("refresh", "mxm")
    assert forced.returncode == 0 and mxm.issued_count("client_credentials") == 2


def test_a_plain_refresh_never_imports_argparse(tmp_path, mxm) -> None:  # type: ignore[no-untyped-def]
    """``refresh NAME`` is read by hand (cli.py ``_refresh_words``; benchmarks/README.md, "Start-up")."""
    import_profiles(tmp_path, mxm_profile(mxm, flow="client_credentials"))
    code = (
        "import atexit, sys\n"
        "atexit.register(lambda: print('argparse' in sys.modules, file=sys.stderr))\n"
        "from musicauth_gui.cli import main\n"
        "sys.exit(main())\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code, "refresh", "mxm"], capture_output=True, text=True, timeout=60, stdin=subprocess.DEVNULL
    )
    assert result.returncode == 0 and result.stderr.splitlines()[-1] == "False", result.stderr
    assert mxm.issued_count("client_credentials") == 1


#: What ``import httpcore`` loads of anyio itself: its package, which (anyio 4.x) loads the rest
#: when first asked for it.
ANYIO_SHELL = {"anyio", "anyio._lazyimport"}


@pytest.mark.parametrize("command", ["refresh", "login"])
def test_refresh_and_login_never_import_anyio(tmp_path, mxm, command) -> None:  # type: ignore[no-untyped-def]
    """The CLI's requests go through httpcore's synchronous stack (core/threaded_transport.py;
    benchmarks/README.md, "Start-up"): anyio's asyncio backend (~12 ms) is never imported."""
    import_profiles(tmp_path, mxm_profile(mxm))
    if command == "refresh":
        assert musicauth("login", "mxm", env=browser_env()).returncode == 0
    code = (
        "import atexit, json, sys\n"
        "atexit.register(lambda: print(json.dumps([sorted(m for m in sys.modules if m.split('.')[0] in ('anyio', 'sniffio')),\n"
        "    sys.modules['musicauth_gui'].__file__]), file=sys.stderr))\n"
        "from musicauth_gui.cli import main\n"
        "sys.exit(main())\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code, command, "mxm"], capture_output=True, text=True, timeout=60, stdin=subprocess.DEVNULL,
        env={**os.environ, **browser_env()},
    )
    assert result.returncode == 0, result.stderr
    modules, source = json.loads(result.stderr.splitlines()[-1])
    assert Path(source).is_relative_to(Path(__file__).parents[2])  # this tree's code, not an installed copy
    assert [m for m in modules if m not in ANYIO_SHELL] == [], modules
    assert mxm.issued_count("refresh_token") == (command == "refresh")
    assert mxm.issued_count("authorization_code") == 1


def test_soundcloud_uses_the_oauth_scheme_and_reuses_capped_tokens(tmp_path, soundcloud) -> None:  # type: ignore[no-untyped-def]
    import_profiles(
        tmp_path,
        f"""
[profiles.sc]
provider = "soundcloud"
flow = "client_credentials"
client_id = "{CLIENT_ID}"
client_secret = "{CLIENT_SECRET}"
token_endpoint = "{soundcloud.url('/oauth/token')}"
""",
    )
    for _ in range(5):  # the emulator caps issuance at 3: only reuse keeps this working
        header = musicauth("token", "sc", "--format", "header")
        assert header.returncode == 0, header.stderr
    assert header.stdout.startswith("Authorization: OAuth ")
    assert soundcloud.issued_count("client_credentials") == 1
    assert "authorization" in {k.lower() for k in next(r for r in soundcloud.requests if r.path == "/oauth/token").headers}


# -- authorization code + PKCE ------------------------------------------------------------------


def test_musixmatch_sign_in_rotation_and_introspection(tmp_path, mxm) -> None:  # type: ignore[no-untyped-def]
    import_profiles(tmp_path, mxm_profile(mxm))
    before = musicauth("token", "mxm")
    assert_one_clean_line(before, "needs sign-in", "musicauth login mxm")

    login = musicauth("login", "mxm", env=browser_env())
    assert login.returncode == 0, login.stderr
    authorize = next(r for r in mxm.requests if r.path == "/oauth/authorize")
    assert authorize.query["code_challenge_method"] == "S256"
    assert authorize.query["redirect_uri"].startswith("http://127.0.0.1:")
    assert set(authorize.query["scope"].split()) >= {"profile", "email"}
    first = stored_record("mxm")["token"]

    token = musicauth("token", "mxm").stdout.strip()
    assert token == first["access_token"] and mxm.is_access_token_active(token)

    assert musicauth("refresh", "mxm").returncode == 0
    second = stored_record("mxm")["token"]
    assert second["refresh_token"] != first["refresh_token"]
    assert not mxm.is_refresh_token_active(first["refresh_token"])
    assert not mxm.is_access_token_active(first["access_token"])  # rotation kills its access tokens

    assert musicauth("refresh", "mxm").returncode == 0
    third = stored_record("mxm")["token"]
    # The old refresh token is never sent again: each one exactly once, in order.
    assert refresh_tokens_sent(mxm) == [first["refresh_token"], second["refresh_token"]]

    introspected = musicauth("introspect", "mxm")
    assert introspected.returncode == 0, introspected.stderr
    answer = json.loads(introspected.stdout)
    assert answer == {"active": True, "sub": "mxm-user-1234"}
    metadata_request = next(r for r in mxm.requests if r.path == "/oauth/token-metadata")
    assert metadata_request.form == {"accessToken": third["access_token"]}


def test_groove_user_sign_in_and_refresh_send_redirect_uri(tmp_path, live) -> None:  # type: ignore[no-untyped-def]
    import_profiles(
        tmp_path,
        f"""
[profiles.groove-me]
provider = "groove-user"
flow = "authorization_code"
client_id = "{CLIENT_ID}"
client_secret = "{CLIENT_SECRET}"
authorization_endpoint = "{live.url('/oauth20_authorize.srf')}"
token_endpoint = "{live.url('/oauth20_token.srf')}"
logout_endpoint = "{live.url('/oauth20_logout.srf')}"
""",
    )
    assert musicauth("login", "groove-me", env=browser_env()).returncode == 0
    record = stored_record("groove-me")
    assert record["token"]["refresh_token"]
    refreshed = musicauth("refresh", "groove-me")
    assert refreshed.returncode == 0, refreshed.stderr
    sent = next(r for r in live.requests if r.form.get("grant_type") == "refresh_token")
    assert sent.form["redirect_uri"] == record["signed_in_redirect_uri"]
    assert sent.form["client_secret"] == CLIENT_SECRET
    out = musicauth("logout", "groove-me", "--no-browser")
    assert out.returncode == 0
    assert live.url("/oauth20_logout.srf") + "?client_id=" in out.stderr
    assert stored_record("groove-me")["token"] is None


def test_spotify_public_client_pkce_and_refresh_token_expiry(tmp_path, spotify) -> None:  # type: ignore[no-untyped-def]
    import_profiles(
        tmp_path,
        f"""
[profiles.sp]
provider = "spotify"
flow = "authorization_code"
client_id = "public-client"
token_endpoint_auth_method = "none"
authorization_endpoint = "{spotify.url('/authorize')}"
token_endpoint = "{spotify.url('/api/token')}"
""",
    )
    assert musicauth("login", "sp", env=browser_env()).returncode == 0
    token = stored_record("sp")["token"]
    six_months = 182 * 86400
    assert token["refresh_expires_at"] == pytest.approx(token["consented_at"] + six_months, abs=1)
    exchange = next(r for r in spotify.requests if r.form.get("grant_type") == "authorization_code")
    assert "client_secret" not in exchange.form and len(exchange.form["code_verifier"]) == 43
    assert musicauth("refresh", "sp").returncode == 0
    assert stored_record("sp")["token"]["refresh_expires_at"] == token["refresh_expires_at"]


# -- bad input: one clean line, nothing lost -------------------------------------------------------


@pytest.fixture
def signed_in_mxm(tmp_path, mxm):  # type: ignore[no-untyped-def]
    import_profiles(tmp_path, mxm_profile(mxm))
    assert musicauth("login", "mxm", env=browser_env()).returncode == 0
    return stored_record("mxm")["token"]


@pytest.mark.parametrize(
    ("mode", "expected"),
    [("500", "server error (500)"), ("503", "server error (503)"), ("malformed_json", "not valid JSON"), ("html", "not valid JSON")],
)
def test_failed_refresh_keeps_the_refresh_token(mxm, signed_in_mxm, mode, expected) -> None:  # type: ignore[no-untyped-def]
    mxm.fail_next("/oauth/token", mode)
    result = musicauth("refresh", "mxm")
    assert_one_clean_line(result, expected)
    assert result.returncode == 4
    assert stored_record("mxm")["token"]["refresh_token"] == signed_in_mxm["refresh_token"]
    assert mxm.is_refresh_token_active(signed_in_mxm["refresh_token"])
    assert musicauth("refresh", "mxm").returncode == 0  # and it still works afterwards


def test_hung_server_is_a_clear_timeout(mxm, signed_in_mxm) -> None:  # type: ignore[no-untyped-def]
    mxm.fail_next("/oauth/token", "hang")
    started = time.monotonic()
    result = musicauth("refresh", "mxm", env={"MUSICAUTH_HTTP_TIMEOUT": "1.5"})
    assert time.monotonic() - started < 20
    assert_one_clean_line(result, "did not answer within 2 s")
    assert stored_record("mxm")["token"]["refresh_token"] == signed_in_mxm["refresh_token"]


def test_revoked_consent_marks_the_profile_as_needing_sign_in(mxm, signed_in_mxm) -> None:  # type: ignore[no-untyped-def]
    mxm.revoke_all_for_user()
    result = musicauth("refresh", "mxm")
    assert_one_clean_line(result, "needs sign-in", "musicauth login mxm")
    assert result.returncode == 3
    listed = json.loads(musicauth("profile", "list", "--json").stdout)
    assert listed[0]["token_state"] == "needs sign-in"
    assert musicauth("login", "mxm", env=browser_env()).returncode == 0
    assert json.loads(musicauth("profile", "list", "--json").stdout)[0]["token_state"] == "valid"


def test_wrong_state_stores_nothing(mxm, signed_in_mxm) -> None:  # type: ignore[no-untyped-def]
    result = musicauth("login", "mxm", env=browser_env(FAKE_BROWSER_TAMPER="state"))
    assert_one_clean_line(result, "wrong state", "nothing was stored")
    assert stored_record("mxm")["token"] == signed_in_mxm


def test_refused_consent_stores_nothing(mxm, signed_in_mxm) -> None:  # type: ignore[no-untyped-def]
    mxm.consent = "deny"
    result = musicauth("login", "mxm", env=browser_env())
    assert_one_clean_line(result, "access_denied")
    assert stored_record("mxm")["token"] == signed_in_mxm


def test_garbage_sent_to_the_listener_does_not_end_the_sign_in(tmp_path, mxm) -> None:  # type: ignore[no-untyped-def]
    import_profiles(tmp_path, mxm_profile(mxm))
    result = musicauth("login", "mxm", env=browser_env(FAKE_BROWSER_GARBAGE="1"))
    assert result.returncode == 0, result.stderr
    assert stored_record("mxm")["token"]["access_token"]


def test_sign_in_timeout(tmp_path, mxm) -> None:  # type: ignore[no-untyped-def]
    import_profiles(tmp_path, mxm_profile(mxm))
    result = musicauth("login", "mxm", "--no-browser", "--timeout", "0.5")
    assert_one_clean_line(result, "no answer from the browser")
    assert "http://127.0.0.1:" in result.stderr  # the URL was printed for the user


def test_ctrl_c_ends_login_cleanly(tmp_path, mxm) -> None:  # type: ignore[no-untyped-def]
    import signal

    import_profiles(tmp_path, mxm_profile(mxm))
    proc = subprocess.Popen(
        [sys.executable, "-m", "musicauth_gui.cli", "login", "mxm", "--no-browser"],
        stderr=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
    )
    assert proc.stderr is not None
    for line in proc.stderr:
        if line.startswith("http://"):
            break
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=20)
    assert proc.returncode == 130
    assert "cancelled; nothing was stored" in err and "Traceback" not in err
    assert stored_record("mxm")["token"] is None


def test_concurrent_renewals_never_spend_a_refresh_token_twice(mxm, signed_in_mxm) -> None:  # type: ignore[no-untyped-def]
    procs = [
        subprocess.Popen(
            [sys.executable, "-m", "musicauth_gui.cli", "refresh", "mxm"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        )
        for _ in range(3)
    ]
    results = [p.communicate(timeout=60) for p in procs]
    assert all(p.returncode == 0 for p in procs), results
    sent = refresh_tokens_sent(mxm)
    # Processes that asked while another was renewing took its result; one that started after
    # it finished renewed again, with the newest token. Never the same refresh token twice.
    assert sent[0] == signed_in_mxm["refresh_token"]
    assert len(sent) == len(set(sent)) <= 3
    assert mxm.is_refresh_token_active(stored_record("mxm")["token"]["refresh_token"])


# -- profiles and the keyring ------------------------------------------------------------------


def test_profile_import_list_export_remove(tmp_path, mxm) -> None:  # type: ignore[no-untyped-def]
    import_profiles(tmp_path, mxm_profile(mxm) + mxm_profile(mxm, flow="client_credentials", name="mxm-app"))
    listed = musicauth("profile", "list")
    assert listed.returncode == 0
    assert "mxm-app" in listed.stdout and "client_credentials" in listed.stdout
    exported = musicauth("profile", "export", "mxm")
    assert exported.returncode == 0
    assert CLIENT_SECRET not in exported.stdout and "client_secret" not in exported.stdout
    import tomllib

    assert tomllib.loads(exported.stdout)["profiles"]["mxm"]["client_id"] == CLIENT_ID
    # The export imports again (secret kept from the keyring).
    (tmp_path / "again.toml").write_text(exported.stdout)
    assert musicauth("profile", "import", str(tmp_path / "again.toml")).returncode == 0
    assert stored_record("mxm")["client_secret"] == CLIENT_SECRET
    assert musicauth("profile", "remove", "mxm").returncode == 0
    assert_one_clean_line(musicauth("token", "mxm"), "no profile named 'mxm'")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('[profiles.x]\nprovider = "musixmatch"\nclient_id = "a"\ntoken_endpoint = "http://example.com/t"\n', "not loopback"),
        ('[profiles.x]\nprovider = "nope"\nclient_id = "a"\n', "unknown provider"),
        ('[profiles.x]\nprovider = "groove"\nflow = "authorization_code"\nclient_id = "a"\n', "supports client_credentials"),
        ('[profiles.x]\nprovider = "spotify"\nclient_id = "a"\nredirect_uri = "http://localhost:8080/cb"\n', "localhost"),
        ("[profiles.x\n", "not valid TOML"),
    ],
)
def test_bad_profiles_files_are_one_clean_line(tmp_path, text, expected) -> None:  # type: ignore[no-untyped-def]
    result = musicauth("profile", "import", str(profiles_file(tmp_path, text)))
    assert_one_clean_line(result, expected)


def test_no_keyring_names_the_way_out(tmp_path) -> None:  # type: ignore[no-untyped-def]
    result = musicauth("profile", "list", env={"PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring"})
    line = assert_one_clean_line(result, "no usable keyring", "PYTHON_KEYRING_BACKEND")
    assert "gnome-keyring" in line


def test_locked_keyring_is_one_clean_line(tmp_path, mxm) -> None:  # type: ignore[no-untyped-def]
    import_profiles(tmp_path, mxm_profile(mxm))
    result = musicauth("token", "mxm", env={"MUSICAUTH_TEST_KEYRING_LOCKED": "1"})
    assert_one_clean_line(result, "keyring is locked")


def test_no_file_the_app_writes_contains_a_secret(tmp_path, mxm, live, app_written_dirs) -> None:  # type: ignore[no-untyped-def]
    import_profiles(tmp_path, mxm_profile(mxm))
    (tmp_path / "profiles.toml").unlink()  # the user's own file, not one the app wrote
    assert musicauth("login", "mxm", env=browser_env()).returncode == 0
    assert musicauth("refresh", "mxm").returncode == 0
    assert musicauth("-v", "token", "mxm").returncode == 0
    record = stored_record("mxm")
    secrets = [CLIENT_SECRET, record["token"]["access_token"], record["token"]["refresh_token"]]
    written = [p for d in app_written_dirs for p in d.rglob("*") if p.is_file()]
    assert written, "expected lock files at least"
    for path in written:
        data = path.read_bytes()
        for secret in secrets:
            assert secret.encode() not in data, f"{path} holds a secret"


def test_verbose_logs_mask_secrets(tmp_path, mxm) -> None:  # type: ignore[no-untyped-def]
    import_profiles(tmp_path, mxm_profile(mxm, flow="client_credentials"))
    result = musicauth("-v", "refresh", "mxm")
    assert result.returncode == 0
    token = stored_record("mxm")["token"]["access_token"]
    assert token not in result.stderr and CLIENT_SECRET not in result.stderr
