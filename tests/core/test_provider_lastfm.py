"""Last.fm: the signature against outside truth, then the real ``musicauth`` command line against
the Last.fm emulator: web authentication with a loopback ``cb``, the signed ``auth.getSession``,
the session key as a token that never expires, a signed ``user.getInfo`` for curl and try, every
error of the sign-in (13, 14, 15, 4, a refusal, 29), sign-out without revocation, and neither the
shared secret nor the session key in any log line, error, export or listing."""

from __future__ import annotations

import asyncio
import hashlib
import json
import shlex
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

import httpx
import pytest

from musicauth_gui.core.errors import Action, ConfigError, InvalidGrant
from musicauth_gui.core.lastfm import calls, web_auth
from musicauth_gui.core.lastfm.signature import api_sig
from musicauth_gui.core.secret import Secret
from musicauth_gui.sandbox import LastfmServer
from tests.core.conftest import profiles_file
from tests.support.cli import assert_one_clean_line, browser_env, musicauth, stored_record

API_KEY = "0123456789abcdef0123456789abcdef"
# Characters that matter in a signature: not ASCII (UTF-8 bytes), and URL delimiters.
SHARED_SECRET = "sh4red-sécret&=+"


def md5_hex(text: str) -> str:
    return hashlib.md5(text.encode("utf-8")).hexdigest()


# -- the signature ------------------------------------------------------------------------------


def test_the_signature_is_md5_of_sorted_names_and_values_then_the_secret() -> None:
    params = {"token": "tök3n", "method": "auth.getSession", "api_key": API_KEY, "format": "json", "callback": "cb"}
    # Written out by hand from last.fm/api/webauth §6: sorted names, name+value, the secret last;
    # format and callback left out.
    by_hand = f"api_key{API_KEY}methodauth.getSessiontokentök3n{SHARED_SECRET}"
    assert api_sig(params, Secret(SHARED_SECRET)) == md5_hex(by_hand)
    assert api_sig({**params, "api_sig": "anything"}, Secret(SHARED_SECRET)) == md5_hex(by_hand)
    # The method name is signed case and all: another case, another signature.
    assert api_sig({**params, "method": "auth.getsession"}, Secret(SHARED_SECRET)) != md5_hex(by_hand)


def pylast_signature(params: dict[str, str], api_secret: str) -> str:
    """What pylast sends, as its source reads (pylast/pylast ``src/pylast/__init__.py`` at
    01e151dcccfa2cabe85718e7027b5f331871a903): ``_Request.__init__`` adds ``api_key`` and
    ``method`` to the call's parameters, and ``_Request._get_signature`` sorts every parameter
    name, appends name then value for each, then ``api_secret``, and takes ``md5(string)`` (its
    ``md5`` helper hashes the UTF-8 bytes and returns ``hexdigest()``). pylast asks for XML, so
    ``format`` is never among its parameters. ``SessionKeyGenerator.get_web_auth_session_key_username``
    signs ``auth.getSession`` with the parameters ``{"token": token}`` so."""
    string = ""
    for name in sorted(params):
        string += name + params[name]
    return hashlib.md5((string + api_secret).encode("utf-8")).hexdigest()


def test_the_signature_is_pylasts_for_the_same_call() -> None:
    pylast_params = {"token": "cf45fe5a3e3cebe168480a086d7fe481", "api_key": API_KEY, "method": "auth.getSession"}
    ours = api_sig({**pylast_params, "format": "json"}, Secret(SHARED_SECRET))
    assert ours == pylast_signature(pylast_params, SHARED_SECRET)
    call = {"method": "track.love", "artist": "Björk", "track": "Jóga", "sk": "d580d57f32848f5dcf574d1ce18d78b2", "api_key": API_KEY}
    assert api_sig(call, Secret(SHARED_SECRET)) == pylast_signature(call, SHARED_SECRET)


def test_a_signed_call_url_carries_method_key_session_signature_and_format_in_that_order() -> None:
    url = calls.signed_call_url(
        "http://127.0.0.1:9/2.0/?method=user.getInfo&format=json&sk=SK1", api_key=API_KEY, shared_secret=Secret(SHARED_SECRET)
    )
    pairs = parse_qsl(urlsplit(url).query)
    assert [name for name, _ in pairs] == ["method", "api_key", "sk", "api_sig", "format"]
    assert dict(pairs)["api_sig"] == md5_hex(f"api_key{API_KEY}methoduser.getInfoskSK1{SHARED_SECRET}")


def test_a_parameter_named_twice_is_refused_instead_of_signed_with_its_last_value() -> None:
    url = "http://127.0.0.1:9/2.0/?method=track.addTags&tags=a&sk=SK1&tags=b"
    with pytest.raises(ConfigError) as caught:
        calls.signed_call_url(url, api_key=API_KEY, shared_secret=Secret(SHARED_SECRET))
    error = caught.value
    assert (error.field, error.actions) == ("try_url", (Action.EDIT_FIELD,))
    assert error.message.startswith("try_url has the query parameter 'tags' more than once") and "SK1" not in error.message
    numbered_url = url.replace("tags=a", "tags[0]=a").replace("tags=b", "tags[1]=b")
    numbered = calls.signed_call_url(numbered_url, api_key=API_KEY, shared_secret=Secret(SHARED_SECRET))
    assert ("tags[0]", "a") in parse_qsl(urlsplit(numbered).query)


# -- the emulator and the command line ----------------------------------------------------------


@pytest.fixture
def lastfm() -> Iterator[LastfmServer]:
    with LastfmServer() as server:
        server.register_api_account(API_KEY, SHARED_SECRET)
        yield server


def with_profile(tmp_path: Path, lastfm: LastfmServer, *, secret: str = SHARED_SECRET, name: str = "lfm") -> None:
    text = f"""
[profiles.{name}]
provider = "lastfm"
client_id = "{API_KEY}"
client_secret = {json.dumps(secret)}
authorization_endpoint = "{lastfm.url('/api/auth/')}"
api_endpoint = "{lastfm.url('/2.0/')}"
"""
    imported = musicauth("profile", "import", str(profiles_file(tmp_path, text)))
    assert imported.returncode == 0, imported.stderr


def signed_in(tmp_path: Path, lastfm: LastfmServer) -> str:
    with_profile(tmp_path, lastfm)
    login = musicauth("login", "lfm", env=browser_env())
    assert login.returncode == 0, login.stderr
    return str(stored_record("lfm")["token"]["access_token"])


def test_sign_in_through_the_page_and_a_signed_get_session(tmp_path, lastfm) -> None:  # type: ignore[no-untyped-def]
    session_key = signed_in(tmp_path, lastfm)
    page = next(r for r in lastfm.requests if r.path == "/api/auth/")
    assert page.query["api_key"] == API_KEY
    cb = urlsplit(page.query["cb"])
    assert (cb.scheme, cb.hostname, cb.path) == ("http", "127.0.0.1", "/callback") and cb.port
    assert list(dict(parse_qsl(cb.query))) == ["state"]  # ours, checked when the browser comes back
    exchange = next(r for r in lastfm.requests if r.path == "/2.0/")
    assert exchange.method == "POST" and exchange.query == {}  # the token stays out of the URL
    form = exchange.form
    assert form["method"] == "auth.getSession" and form["format"] == "json"
    expected = md5_hex(f"api_key{API_KEY}methodauth.getSessiontoken{form['token']}{SHARED_SECRET}")
    assert form["api_sig"] == expected
    token = stored_record("lfm")["token"]
    assert lastfm.is_session_active(session_key)
    assert token.get("expires_at") is None and token.get("refresh_token") is None
    assert token["account"] == "sandbox-listener"
    listed = json.loads(musicauth("profile", "list", "--json").stdout)[0]
    assert (listed["state"], listed["token_state"], listed["expires_at"], listed["flow"]) == ("static", "valid", None, "authorization_code")
    assert listed["account"] == "sandbox-listener"
    # Never renewed: a forced refresh keeps the session key and asks Last.fm nothing.
    calls = len(lastfm.requests)
    assert musicauth("refresh", "lfm").returncode == 0
    assert len(lastfm.requests) == calls and stored_record("lfm")["token"]["access_token"] == session_key


def test_token_formats_try_and_exec(tmp_path, lastfm) -> None:  # type: ignore[no-untyped-def]
    session_key = signed_in(tmp_path, lastfm)
    assert musicauth("token", "lfm").stdout.strip() == session_key
    header = musicauth("token", "lfm", "--format", "header")
    assert_one_clean_line(header, "Last.fm takes the token as the URL's sk query parameter, not in an Authorization header")
    answer = json.loads(musicauth("token", "lfm", "--format", "json").stdout)
    assert answer["access_token"] == session_key and answer["expires_in"] is None and answer["authorization_header"] is None
    curl = shlex.split(musicauth("token", "lfm", "--format", "curl").stdout)
    assert curl[0] == "curl" and len(curl) == 2
    sig = md5_hex(f"api_key{API_KEY}methoduser.getInfosk{session_key}{SHARED_SECRET}")
    assert curl[1] == f"{lastfm.url('/2.0/')}?method=user.getInfo&api_key={API_KEY}&sk={session_key}&api_sig={sig}&format=json"
    assert httpx.get(curl[1], trust_env=False).json()["user"]["name"] == "sandbox-listener"  # the line works as printed
    tried = musicauth("try", "lfm")
    assert tried.returncode == 0, tried.stderr
    assert tried.stdout.startswith("200 GET 127.0.0.1") and "sandbox-listener" in tried.stdout
    script = "import os; print(os.environ['MUSICAUTH_TOKEN'], 'MUSICAUTH_AUTHORIZATION' in os.environ)"
    assert musicauth("exec", "lfm", "--", sys.executable, "-c", script).stdout.split() == [session_key, "False"]
    # The user revoked the application on Last.fm: try says so (error 9) and fails.
    lastfm.revoke_sessions()
    refused = musicauth("try", "lfm")
    assert refused.returncode == 4 and '"error": 9' in refused.stdout


def test_a_wrong_shared_secret_is_error_13_about_the_client_secret(tmp_path, lastfm) -> None:  # type: ignore[no-untyped-def]
    with_profile(tmp_path, lastfm, secret="not-the-shared-secret")
    result = musicauth("login", "lfm", env=browser_env())
    line = assert_one_clean_line(result, "Last.fm error 13: Invalid method signature supplied", "set client_secret")
    assert "profile 'lfm'" in line and result.returncode == 4
    assert stored_record("lfm")["token"] is None


@pytest.mark.parametrize(
    ("arrange", "env", "words"),
    [
        (lambda s: setattr(s, "authorise_tokens", False), {}, "never authorised (Last.fm error 14: This token has not been authorized)"),
        (lambda s: setattr(s, "token_lifetime", 0.0), {}, "expired (they live 60 minutes) (Last.fm error 15: This token has expired)"),
        (lambda s: None, {"FAKE_BROWSER_TAMPER": "token"}, "not valid (used already, or not this API account's) (Last.fm error 4"),
    ],
    ids=["14-not-authorised", "15-expired", "4-invalid"],
)
def test_a_dead_token_says_sign_in_again(tmp_path, lastfm, arrange, env, words) -> None:  # type: ignore[no-untyped-def]
    with_profile(tmp_path, lastfm)
    arrange(lastfm)
    result = musicauth("login", "lfm", env=browser_env(**env))
    assert_one_clean_line(result, words, "run `musicauth login lfm`")
    assert stored_record("lfm")["token"] is None


def test_a_refusal_and_a_rate_limit(tmp_path, lastfm) -> None:  # type: ignore[no-untyped-def]
    with_profile(tmp_path, lastfm)
    lastfm.consent = "deny"
    denied = musicauth("login", "lfm", env=browser_env())
    assert_one_clean_line(denied, "without a token: access was not granted", "nothing was stored")
    assert not any(r.path == "/2.0/" for r in lastfm.requests)
    lastfm.consent = "approve"
    forged = musicauth("login", "lfm", env=browser_env(FAKE_BROWSER_TAMPER="state"))  # our state rides in cb
    assert_one_clean_line(forged, "wrong state")
    assert not any(r.path == "/2.0/" for r in lastfm.requests)
    lastfm.rate_limit_next()
    limited = musicauth("login", "lfm", env=browser_env())
    assert_one_clean_line(limited, "rate limited (Last.fm error 29", "try again later")
    assert stored_record("lfm")["token"] is None


def test_a_token_lives_sixty_minutes_on_the_sandbox_clock(lastfm) -> None:  # type: ignore[no-untyped-def]
    def token_from_page() -> Secret:
        page = httpx.get(
            lastfm.url("/api/auth/"), params={"api_key": API_KEY, "cb": "http://127.0.0.1:9/cb?state=s"}, trust_env=False
        )
        location = urlsplit(page.headers["location"])
        assert location.path == "/cb" and dict(parse_qsl(location.query))["state"] == "s"  # &token= after a query
        return Secret(dict(parse_qsl(location.query))["token"])

    async def session(token: Secret) -> str:
        async with httpx.AsyncClient(trust_env=False) as client:
            got = await web_auth.get_session(
                client, lastfm.url("/2.0/"), api_key=API_KEY, shared_secret=Secret(SHARED_SECRET), token=token, now=0.0
            )
        return got.access_token.reveal()

    start = time.time()
    fresh, stale = token_from_page(), token_from_page()
    lastfm.clock = lambda: start + 59 * 60
    assert lastfm.is_session_active(asyncio.run(session(fresh)))
    with pytest.raises(InvalidGrant, match="error 4"):  # spent by its first use
        asyncio.run(session(fresh))
    lastfm.clock = lambda: start + 61 * 60
    with pytest.raises(InvalidGrant, match="error 15") as expired:
        asyncio.run(session(stale))
    assert expired.value.actions == (Action.SIGN_IN,) and expired.value.error == "15"


def test_errors_are_xml_without_format_json(lastfm) -> None:  # type: ignore[no-untyped-def]
    answer = httpx.get(lastfm.url("/2.0/"), params={"method": "auth.getSession", "api_key": "unknown"}, trust_env=False)
    assert answer.headers["content-type"].startswith("text/xml")
    assert '<lfm status="failed"><error code="10">' in answer.text
    params = {"method": "auth.getSession", "api_key": API_KEY, "token": "t", "api_sig": "0" * 32, "format": "json"}
    as_json = httpx.get(lastfm.url("/2.0/"), params=params, trust_env=False)
    assert as_json.json() == {"error": 13, "message": "Invalid method signature supplied"}


def test_logout_forgets_the_session_key_and_nothing_leaks(tmp_path, lastfm) -> None:  # type: ignore[no-untyped-def]
    with_profile(tmp_path, lastfm)
    login = musicauth("-v", "login", "lfm", env=browser_env())
    assert login.returncode == 0 and "musicauth: DEBUG" in login.stderr  # every step logged
    assert "signed in to 'lfm' as sandbox-listener" in login.stderr
    session_key = str(stored_record("lfm")["token"]["access_token"])
    token = musicauth("-v", "token", "lfm", "--format", "json")
    assert session_key in token.stdout  # asked for: the one place it may appear
    outputs = [
        login,
        musicauth("-v", "try", "lfm"),
        musicauth("profile", "list"),
        musicauth("profile", "list", "--json"),
        musicauth("profile", "export", "lfm"),
        musicauth("token", "lfm", "--format", "header"),
        musicauth("introspect", "lfm"),
    ]
    export = outputs[4].stdout
    assert 'provider = "lastfm"' in export and "api_endpoint" in export and "client_secret" not in export
    assert session_key not in token.stderr and SHARED_SECRET not in token.stdout + token.stderr
    for result in outputs:
        assert session_key not in result.stdout + result.stderr, result.args
        assert SHARED_SECRET not in result.stdout + result.stderr, result.args
    calls = len(lastfm.requests)
    out = musicauth("-v", "logout", "lfm", "--no-browser")
    assert out.returncode == 0, out.stderr
    assert "revoked" not in out.stderr and len(lastfm.requests) == calls  # nothing to revoke at Last.fm
    assert "Last.fm has no way to revoke a token from here" in out.stderr  # says where it stays valid
    assert stored_record("lfm")["token"] is None
    assert SHARED_SECRET not in out.stderr and session_key not in out.stderr
    assert lastfm.is_session_active(session_key)  # forgotten here; only the user can revoke it on Last.fm
    assert_one_clean_line(musicauth("token", "lfm"), "needs sign-in")


def test_the_shared_secret_is_required(tmp_path, lastfm) -> None:  # type: ignore[no-untyped-def]
    text = f'[profiles.lfm]\nprovider = "lastfm"\nclient_id = "{API_KEY}"\n'
    refused = musicauth("profile", "import", str(profiles_file(tmp_path, text)))
    assert_one_clean_line(refused, "the shared secret is needed: it signs every Last.fm call", "set client_secret")


def test_the_static_api_key_still_goes_in_the_query(tmp_path, lastfm) -> None:  # type: ignore[no-untyped-def]
    text = f"""
[profiles.lfm-key]
provider = "lastfm"
flow = "static"
token = "{API_KEY}"
try_url = "{lastfm.url('/2.0/')}?method=user.getInfo&user=rj&format=json"
"""
    assert musicauth("profile", "import", str(profiles_file(tmp_path, text))).returncode == 0
    curl = musicauth("token", "lfm-key", "--format", "curl").stdout.strip()
    assert curl == f"curl '{lastfm.url('/2.0/')}?method=user.getInfo&user=rj&format=json&api_key={API_KEY}'"
    tried = musicauth("try", "lfm-key")
    assert tried.returncode == 0 and '"name": "rj"' in tried.stdout


def test_the_interactive_page_approves_and_denies_by_form(lastfm) -> None:  # type: ignore[no-untyped-def]
    lastfm.consent = "interactive"
    cb = "http://127.0.0.1:9/callback?state=s"
    with httpx.Client(trust_env=False) as client:
        for decision, token_sent in (("approve", True), ("deny", False)):
            page = client.get(lastfm.url("/api/auth/"), params={"api_key": API_KEY, "cb": cb})
            assert page.status_code == 200 and "Approve" in page.text and API_KEY in page.text
            request_id = page.text.split('name="request_id" value="', 1)[1].split('"', 1)[0]
            answer = client.post(lastfm.url("/api/auth/decision"), data={"request_id": request_id, "decision": decision})
            location = answer.headers["location"]
            assert answer.status_code == 303 and location.startswith(cb)
            assert ("&token=" in location) is token_sent
        unknown = client.get(lastfm.url("/api/auth/"), params={"api_key": "nobody", "cb": cb})
        assert unknown.status_code == 400 and "Invalid API key" in unknown.text



async def test_every_sign_in_error_knows_its_profile(lastfm) -> None:  # type: ignore[no-untyped-def]
    """The listener's errors (here a timeout: no browser ever answers) reach the front ends
    with the profile they are about, so the desktop app can offer that profile's Sign in."""
    from musicauth_gui.core.engine import TokenEngine
    from musicauth_gui.core.errors import SignInTimeout
    from musicauth_gui.core.profiles_file import parse_profiles_text

    engine = TokenEngine.in_memory()
    text = (
        f'[profiles.lfm]\nprovider = "lastfm"\nclient_id = "{API_KEY}"\nclient_secret = {json.dumps(SHARED_SECRET)}\n'
        f'authorization_endpoint = "{lastfm.url("/api/auth/")}"\napi_endpoint = "{lastfm.url("/2.0/")}"\n'
    )
    await engine.import_profiles(parse_profiles_text(text))
    with pytest.raises(SignInTimeout) as raised:
        await engine.login("lfm", open_browser=lambda url: None, timeout=0.2)
    assert raised.value.profile == "lfm" and Action.SIGN_IN in raised.value.actions
    engine.close()
