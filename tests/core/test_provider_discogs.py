"""The real ``musicauth`` command line against the Discogs emulator: OAuth 1.0a's three legs
through the stand-in browser, PLAINTEXT and HMAC-SHA1 signatures, every refusal a strict server
makes, the token formats (a fresh header each time), try, logout, and a personal access token."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from musicauth_gui.core.http import USER_AGENT
from musicauth_gui.sandbox import DiscogsServer
from tests.core.conftest import CLIENT_SECRET, profiles_file
from tests.support.cli import assert_one_clean_line, browser_env, musicauth, stored_record

CONSUMER_KEY = "discogs-consumer"
PERSONAL_TOKEN = "personal-token-Zq9"


@pytest.fixture
def discogs() -> Iterator[DiscogsServer]:
    with DiscogsServer() as server:
        # The shared test secret: '+', '/', '=' and '&' catch a signature that is not percent-encoded.
        server.register_consumer(CONSUMER_KEY, CLIENT_SECRET, name="musicauth tests")
        server.add_personal_token(PERSONAL_TOKEN)
        yield server
    assert server.handler_errors == [], server.handler_errors[0]


def import_profile(
    tmp_path: Path, discogs: DiscogsServer, *, key: str = CONSUMER_KEY, secret: str = CLIENT_SECRET, extra: str = ""
) -> None:
    text = f"""
[profiles.dg]
provider = "discogs"
client_id = "{key}"
client_secret = "{secret}"
request_token_endpoint = "{discogs.url('/oauth/request_token')}"
authorization_endpoint = "{discogs.url('/oauth/authorize')}"
token_endpoint = "{discogs.url('/oauth/access_token')}"
try_url = "{discogs.url('/oauth/identity')}"
{extra}
"""
    result = musicauth("profile", "import", str(profiles_file(tmp_path, text)))
    assert result.returncode == 0, result.stderr


def sign_in(tmp_path: Path, discogs: DiscogsServer, **kwargs: str) -> dict[str, str]:
    import_profile(tmp_path, discogs, **kwargs)
    login = musicauth("login", "dg", env=browser_env())
    assert login.returncode == 0, login.stderr
    return stored_record("dg")["token"]


def identity(discogs: DiscogsServer, header: str, *, user_agent: str | None = USER_AGENT) -> httpx.Response:
    headers = {"Authorization": header}
    with httpx.Client(trust_env=False, timeout=5) as client:
        if user_agent is None:
            del client.headers["User-Agent"]
        else:
            headers["User-Agent"] = user_agent
        return client.get(discogs.url("/oauth/identity"), headers=headers)


def test_sign_in_with_plaintext_signatures(tmp_path, discogs) -> None:  # type: ignore[no-untyped-def]
    token = sign_in(tmp_path, discogs)
    legs = [r for r in discogs.requests if r.path.startswith("/oauth/")]
    assert [(r.method, r.path) for r in legs] == [
        ("POST", "/oauth/request_token"),
        ("GET", "/oauth/authorize"),
        ("POST", "/oauth/access_token"),
    ]
    for leg in (legs[0], legs[2]):
        assert leg.content_type == "application/x-www-form-urlencoded" and leg.body == b""
        assert leg.headers["user-agent"] == USER_AGENT and USER_AGENT.startswith("musicauth/")
        assert 'oauth_signature_method="PLAINTEXT"' in leg.headers["authorization"]
    assert 'oauth_callback="http%3A%2F%2F127.0.0.1%3A' in legs[0].headers["authorization"]
    assert "oauth_verifier=" in legs[2].headers["authorization"]
    assert discogs.is_access_token_active(token["access_token"]) and token["token_secret"]
    assert token["token_type"] == "OAuth" and "expires_at" not in token and "refresh_token" not in token
    listed = json.loads(musicauth("profile", "list", "--json").stdout)[0]
    assert (listed["flow"], listed["state"], listed["expires_at"]) == ("oauth1", "static", None)  # never expires
    assert musicauth("token", "dg", "--format", "raw").stdout.strip() == token["access_token"]


def test_hmac_sha1_signatures_from_the_profile_field(tmp_path, discogs) -> None:  # type: ignore[no-untyped-def]
    sign_in(tmp_path, discogs, extra='signature_method = "HMAC-SHA1"')
    legs = [r for r in discogs.requests if r.method == "POST"]
    assert all('oauth_signature_method="HMAC-SHA1"' in r.headers["authorization"] for r in legs)
    header = musicauth("token", "dg", "--format", "header").stdout.strip()
    assert 'oauth_signature_method="HMAC-SHA1"' in header
    assert identity(discogs, header.removeprefix("Authorization: ")).status_code == 200
    tried = musicauth("try", "dg")
    assert tried.returncode == 0 and "sandbox-digger" in tried.stdout, tried


def test_each_header_is_fresh_and_good_for_one_request(tmp_path, discogs) -> None:  # type: ignore[no-untyped-def]
    sign_in(tmp_path, discogs)
    first, second = (musicauth("token", "dg", "--format", "header").stdout.strip() for _ in range(2))
    assert first != second and first.startswith("Authorization: OAuth ")
    for line in (first, second):
        answer = identity(discogs, line.removeprefix("Authorization: "))
        assert answer.status_code == 200 and answer.json()["consumer_name"] == "musicauth tests"
    replay = identity(discogs, first.removeprefix("Authorization: "))
    assert replay.status_code == 401 and "nonce" in replay.json()["message"]
    as_json = json.loads(musicauth("token", "dg", "--format", "json").stdout)
    assert as_json["authorization_header"].startswith("OAuth ") and as_json["expires_at"] is None


def test_curl_carries_the_header_and_our_user_agent(tmp_path, discogs) -> None:  # type: ignore[no-untyped-def]
    sign_in(tmp_path, discogs)
    curl = musicauth("token", "dg", "--format", "curl").stdout.strip()
    assert curl.startswith(f"curl -A '{USER_AGENT}' -H 'Authorization: OAuth ")
    assert curl.endswith(f" {discogs.url('/oauth/identity')}")
    tried = musicauth("try", "dg")
    assert tried.returncode == 0 and '"username": "sandbox-digger"' in tried.stdout, tried
    call = next(r for r in discogs.requests if r.path == "/oauth/identity")
    assert call.headers["user-agent"] == USER_AGENT


def test_a_request_without_user_agent_is_refused(discogs) -> None:  # type: ignore[no-untyped-def]
    answer = identity(discogs, f"Discogs token={PERSONAL_TOKEN}", user_agent=None)
    assert answer.status_code == 403 and "User-Agent" in answer.json()["message"]
    with httpx.Client(trust_env=False, timeout=5) as client:
        del client.headers["User-Agent"]
        leg = client.post(discogs.url("/oauth/request_token"), headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert leg.status_code == 403 and leg.text == "A User-Agent header is required."


def test_refused_consent(tmp_path, discogs) -> None:  # type: ignore[no-untyped-def]
    import_profile(tmp_path, discogs)
    discogs.consent = "deny"
    result = musicauth("login", "dg", env=browser_env())
    assert_one_clean_line(result, "refused at the provider (denied)", "nothing was stored", "musicauth login dg")
    assert stored_record("dg")["token"] is None


def test_a_wrong_consumer_secret_names_the_client_secret(tmp_path, discogs) -> None:  # type: ignore[no-untyped-def]
    import_profile(tmp_path, discogs, secret="not-the-secret")
    result = musicauth("login", "dg", env=browser_env())
    assert_one_clean_line(result, "401: Invalid signature.", "set client_secret in the profiles file")
    assert "not-the-secret" not in result.stderr


def test_an_unknown_consumer_key(tmp_path, discogs) -> None:  # type: ignore[no-untyped-def]
    import_profile(tmp_path, discogs, key="nobody")
    assert_one_clean_line(musicauth("login", "dg", env=browser_env()), "Invalid consumer.")


def test_a_foreign_oauth_token_in_the_callback(tmp_path, discogs) -> None:  # type: ignore[no-untyped-def]
    import_profile(tmp_path, discogs)
    result = musicauth("login", "dg", env=browser_env(FAKE_BROWSER_TAMPER="oauth_token"))
    assert_one_clean_line(result, "wrong state", "nothing was stored")
    assert not any(r.path == "/oauth/access_token" for r in discogs.requests)


def test_a_wrong_verifier_means_sign_in_again(tmp_path, discogs) -> None:  # type: ignore[no-untyped-def]
    import_profile(tmp_path, discogs)
    result = musicauth("login", "dg", env=browser_env(FAKE_BROWSER_TAMPER="oauth_verifier"))
    assert_one_clean_line(result, "refused the verifier (401: Invalid verifier.)", "run `musicauth login dg`")
    assert stored_record("dg")["token"] is None


def test_an_expired_verifier(tmp_path, discogs) -> None:  # type: ignore[no-untyped-def]
    import_profile(tmp_path, discogs)
    discogs.verifier_ttl = -1  # whatever the delay between the callback and the exchange
    result = musicauth("login", "dg", env=browser_env())
    assert_one_clean_line(result, "Expired verifier.", "run `musicauth login dg`")


def test_an_unconfirmed_callback_is_refused(tmp_path, discogs) -> None:  # type: ignore[no-untyped-def]
    import_profile(tmp_path, discogs)
    discogs.confirm_callback = False
    result = musicauth("login", "dg", env=browser_env())
    assert_one_clean_line(result, "did not confirm the callback (oauth_callback_confirmed=true")
    assert not any(r.path == "/oauth/authorize" for r in discogs.requests)


def test_a_timestamp_outside_the_window(tmp_path, discogs) -> None:  # type: ignore[no-untyped-def]
    sign_in(tmp_path, discogs)
    real = discogs.clock
    discogs.clock = lambda: real() + 600  # the server's clock ten minutes ahead of ours
    tried = musicauth("try", "dg")
    assert tried.returncode != 0 and tried.stdout.startswith("401") and "Invalid timestamp" in tried.stdout
    result = musicauth("login", "dg", env=browser_env())
    assert_one_clean_line(result, "Invalid timestamp")


def test_a_token_the_user_revoked_on_the_site(tmp_path, discogs) -> None:  # type: ignore[no-untyped-def]
    sign_in(tmp_path, discogs)
    discogs.revoke_all()
    tried = musicauth("try", "dg")
    assert tried.returncode != 0 and tried.stdout.startswith("401") and "Invalid access token." in tried.stdout


def test_no_renewal_and_logout_forgets_without_revoking(tmp_path, discogs) -> None:  # type: ignore[no-untyped-def]
    token = sign_in(tmp_path, discogs)
    assert_one_clean_line(musicauth("refresh", "dg"), "cannot be renewed", "musicauth login dg")
    logout = musicauth("logout", "dg")
    assert logout.returncode == 0, logout.stderr
    assert "Discogs has no way to revoke a token from here" in logout.stderr
    assert stored_record("dg")["token"] is None
    assert discogs.is_access_token_active(token["access_token"])  # said so: still valid there
    assert_one_clean_line(musicauth("token", "dg"), "needs sign-in", "musicauth login dg")


def test_no_secret_in_logs_errors_exports_or_the_list(tmp_path, discogs) -> None:  # type: ignore[no-untyped-def]
    import_profile(tmp_path, discogs)
    login = musicauth("-v", "login", "dg", env=browser_env())
    assert login.returncode == 0, login.stderr
    token = stored_record("dg")["token"]
    tried = musicauth("-v", "try", "dg")
    exported = musicauth("profile", "export", "dg")
    listed = musicauth("profile", "list", "--json")
    failed = musicauth("-v", "token", "dg", "--format", "bogus")
    for output in (login.stderr, tried.stdout, tried.stderr, exported.stdout, listed.stdout, failed.stderr):
        for secret in (CLIENT_SECRET, token["token_secret"], token["access_token"]):
            assert secret not in output
    assert "oauth1" in exported.stdout and "client_secret" not in exported.stdout


def test_a_personal_access_token(tmp_path, discogs) -> None:  # type: ignore[no-untyped-def]
    text = f"""
[profiles.pat]
provider = "discogs"
flow = "static"
token = "{PERSONAL_TOKEN}"
try_url = "{discogs.url('/oauth/identity')}"
"""
    assert musicauth("profile", "import", str(profiles_file(tmp_path, text))).returncode == 0
    header = musicauth("token", "pat", "--format", "header").stdout.strip()
    assert header == f"Authorization: Discogs token={PERSONAL_TOKEN}"
    curl = musicauth("token", "pat", "--format", "curl").stdout.strip()
    assert curl == f"curl -A '{USER_AGENT}' -H '{header}' {discogs.url('/oauth/identity')}"
    tried = musicauth("try", "pat")
    assert tried.returncode == 0 and "Personal access token" in tried.stdout, tried
    assert next(r for r in discogs.requests if r.path == "/oauth/identity").headers["user-agent"] == USER_AGENT
