"""Static secrets (``flow = "static"``: an API key or a personal token) through the real CLI.

The key is kept in the store like a client secret (or read from ``{ env = "VAR" }``), placed as a
header (name and scheme configurable) or a query parameter, never expires and is never renewed.
``try`` calls an API emulator that accepts the key only where it expects it.
"""

from __future__ import annotations

import json
import shlex
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from musicauth_gui.sandbox.api_key import ApiKeyServer
from tests.core.conftest import profiles_file
from tests.support.cli import assert_one_clean_line, musicauth, stored_record

KEY = "k3y+with/odd=chars"


@pytest.fixture
def api() -> Iterator[ApiKeyServer]:
    with ApiKeyServer(KEY) as server:
        yield server


def import_profiles(tmp_path: Path, text: str) -> None:
    result = musicauth("profile", "import", str(profiles_file(tmp_path, text)))
    assert result.returncode == 0, result.stderr


def test_a_bearer_key_in_the_header_for_every_format_and_try(tmp_path, api) -> None:  # type: ignore[no-untyped-def]
    import_profiles(
        tmp_path,
        f"""
[profiles.key]
provider = "apikey"
token = "{KEY}"
try_url = "{api.url('/me')}"
""",
    )
    # Kept in the store like a client secret, and in no file.
    assert stored_record("key")["static_token"] == KEY
    raw = musicauth("token", "key")
    assert raw.returncode == 0, raw.stderr
    assert raw.stdout.strip() == KEY
    assert musicauth("token", "key", "--format", "header").stdout.strip() == f"Authorization: Bearer {KEY}"
    as_json = json.loads(musicauth("token", "key", "--format", "json").stdout)
    assert as_json["access_token"] == KEY and as_json["expires_in"] is None and as_json["expires_at"] is None
    curl = shlex.split(musicauth("token", "key", "--format", "curl").stdout)
    assert curl == ["curl", "-H", f"Authorization: Bearer {KEY}", api.url("/me")]
    # The curl line works as printed (the header it carries is the one the API takes).
    assert httpx.get(curl[3], headers=dict([curl[2].split(": ", 1)])).status_code == 200
    tried = musicauth("try", "key")
    assert tried.returncode == 0, tried.stderr
    assert api.requests[-1].headers["authorization"] == f"Bearer {KEY}"

    # Never expires, never renewed: a static state, and `refresh` changes nothing.
    listed = json.loads(musicauth("profile", "list", "--json").stdout)
    assert (listed[0]["token_state"], listed[0]["state"], listed[0]["expires_at"]) == ("valid", "static", None)
    assert musicauth("refresh", "key").returncode == 0
    assert stored_record("key")["token"] is None
    exported = musicauth("profile", "export").stdout
    assert KEY not in exported and 'provider = "apikey"' in exported


def test_a_key_in_a_named_header_with_a_scheme_of_its_own(tmp_path, api) -> None:  # type: ignore[no-untyped-def]
    api.header_name, api.scheme = "X-Api-Key", ""
    import_profiles(
        tmp_path,
        f"""
[profiles.key]
provider = "apikey"
flow = "static"
token = "{KEY}"
header_name = "X-Api-Key"
scheme = ""
try_url = "{api.url('/me')}"
""",
    )
    assert musicauth("token", "key", "--format", "header").stdout.strip() == f"X-Api-Key: {KEY}"
    assert musicauth("try", "key").returncode == 0
    exec_env = musicauth("exec", "key", "--", "env")
    assert f"MUSICAUTH_TOKEN={KEY}" in exec_env.stdout and f"MUSICAUTH_AUTHORIZATION={KEY}" in exec_env.stdout


def test_discogs_scheme_is_joined_without_a_space(tmp_path, api) -> None:  # type: ignore[no-untyped-def]
    api.scheme = "Discogs token="
    import_profiles(
        tmp_path,
        f"""
[profiles.key]
provider = "apikey"
token = "{KEY}"
scheme = "Discogs token="
try_url = "{api.url('/me')}"
""",
    )
    assert musicauth("token", "key", "--format", "header").stdout.strip() == f"Authorization: Discogs token={KEY}"
    assert musicauth("try", "key").returncode == 0


def test_a_key_in_the_query_string_from_the_environment(tmp_path, api) -> None:  # type: ignore[no-untyped-def]
    api.placement, api.query_param = "query", "apikey"
    import_profiles(
        tmp_path,
        f"""
[profiles.mxm-key]
provider = "musixmatch"
flow = "static"
token = {{ env = "MXM_API_KEY" }}
try_url = "{api.url('/me')}?format=json"
""",
    )
    env = {"MXM_API_KEY": KEY}
    # The reference is stored, never the value.
    assert stored_record("mxm-key")["static_token"] == {"env": "MXM_API_KEY"}
    assert musicauth("token", "mxm-key", env=env).stdout.strip() == KEY
    curl = shlex.split(musicauth("token", "mxm-key", "--format", "curl", env=env).stdout)
    assert curl[0] == "curl" and len(curl) == 2
    assert httpx.get(curl[1]).status_code == 200  # musixmatch's placement: ?apikey=
    assert curl[1] == api.url("/me") + "?format=json&apikey=k3y%2Bwith%2Fodd%3Dchars"
    header = musicauth("token", "mxm-key", "--format", "header", env=env)
    assert_one_clean_line(header, "query parameter apikey, not in a header")
    tried = musicauth("try", "mxm-key", env=env)
    assert tried.returncode == 0, tried.stderr
    assert api.requests[-1].query["apikey"] == KEY and "authorization" not in api.requests[-1].headers
    # Unset: one line naming the variable.
    assert_one_clean_line(musicauth("token", "mxm-key"), "MXM_API_KEY")
    exported = musicauth("profile", "export").stdout
    assert 'token = { env = "MXM_API_KEY" }' in exported
    # And the exported file imports again as it was.
    again = profiles_file(tmp_path, exported)
    assert musicauth("profile", "import", str(again)).returncode == 0
    assert stored_record("mxm-key")["static_token"] == {"env": "MXM_API_KEY"}


def test_an_import_without_the_key_keeps_the_stored_one(tmp_path) -> None:  # type: ignore[no-untyped-def]
    import_profiles(tmp_path, f'[profiles.key]\nprovider = "apikey"\ntoken = "{KEY}"\n')
    import_profiles(tmp_path, '[profiles.key]\nprovider = "apikey"\nheader_name = "X-Key"\n')
    assert musicauth("token", "key", "--format", "header").stdout.strip() == f"X-Key: Bearer {KEY}"


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ('placement = "cookie"', "placement must be one of header, query"),
        ('placement = "query"', "query_param is required for a key sent as a query parameter"),
        ('header_name = "X Key"', "header_name must be an HTTP header name"),
    ],
)
def test_a_placement_that_cannot_be_is_refused(tmp_path, fields: str, message: str) -> None:  # type: ignore[no-untyped-def]
    result = musicauth("profile", "import", str(profiles_file(tmp_path, f'[profiles.key]\nprovider = "apikey"\n{fields}\n')))
    assert_one_clean_line(result, message)


def test_a_static_profile_without_a_key_says_so(tmp_path) -> None:  # type: ignore[no-untyped-def]
    import_profiles(tmp_path, '[profiles.key]\nprovider = "apikey"\n')
    assert_one_clean_line(musicauth("token", "key"), "no token (API key) is stored", "set token")
    listed = json.loads(musicauth("profile", "list", "--json").stdout)
    assert (listed[0]["token_state"], listed[0]["state"]) == ("none", "no_token")
