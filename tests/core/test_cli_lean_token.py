"""``musicauth token`` has a lean path (cli.py ``_lean_token``, core/lean_token.py): with a valid
stored token it prints it after one keyring read, without importing the engine. It must say
exactly what the engine's path says: the same stdout, stderr and exit code, for a valid token,
a token due for renewal, and every way the read can fail.

Each case runs the real command line twice in subprocesses: as shipped, and with the lean path
switched off (the engine's path alone); the first run also reports which heavy modules it
imported.
"""

from __future__ import annotations

import json
import os
import re
import shlex
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest

from musicauth_gui.core.user_agent import USER_AGENT
from musicauth_gui.sandbox import DiscogsServer, LastfmServer
from tests.core.conftest import CLIENT_ID, CLIENT_SECRET, profiles_file
from tests.support.cli import browser_env, musicauth
from tests.support.file_keyring import FileKeyring

#: What the lean path must never import: the engine and what it stands on (the core's HTTP
#: module named too, so that a helper moved back beside it is caught even if httpx were cached),
#: and a preset no profile here names (only the profile's own preset module is loaded).
HEAVY = (
    "asyncio", "httpx", "jwt", "cryptography", "filelock", "platformdirs", "musicauth_gui.core.engine", "musicauth_gui.core.http",
    "musicauth_gui.core.presets.spotify", "musicauth_gui.core.presets.apple_music",
)
AS_SHIPPED = (
    "import atexit, os, sys\n"
    f"heavy = {HEAVY!r}\n"
    "def report():\n"
    "    with open(os.environ['LOADED_REPORT'], 'w') as fh:\n"
    # A stand-in (core/stand_ins.py) in sys.modules is not its module: nothing read it.
    "        fh.write(' '.join(sorted(m for m in heavy if type(sys.modules.get(m)).__name__ == 'module')))\n"
    "atexit.register(report)\n"
    "from musicauth_gui.cli import main\n"
    "sys.exit(main())\n"
)
ENGINE_ONLY = "import sys\nimport musicauth_gui.cli as cli\ncli._lean_token = lambda args: None\nsys.exit(cli.main())\n"


def run(code: str, *args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", code, *args],
        env={**os.environ, **(env or {})},
        capture_output=True,
        text=True,
        timeout=60,
        stdin=subprocess.DEVNULL,
    )


def both(
    tmp_path: Path, *args: str, env: dict[str, str] | None = None, fresh: Callable[[str], str] | None = None
) -> tuple[subprocess.CompletedProcess[str], str]:
    """Run ``musicauth ARGS`` as shipped, then with the engine alone; assert they say the same.

    Args:
        fresh: for output made afresh on each call (an OAuth 1.0a header's nonce), what is left
            of it once that part is taken out; the two runs must then differ only there.

    Returns: the shipped run, and the heavy modules it imported (space-separated).
    """
    report = tmp_path / "loaded.txt"
    shipped = run(AS_SHIPPED, *args, env={**(env or {}), "LOADED_REPORT": str(report)})
    engine = run(ENGINE_ONLY, *args, env=env)
    assert (shipped.returncode, shipped.stderr) == (engine.returncode, engine.stderr)
    lean_out, engine_out = shipped.stdout, engine.stdout
    if fresh is not None and shipped.returncode == 0:
        assert lean_out != engine_out  # each signed for its own request
        lean_out, engine_out = fresh(lean_out), fresh(engine_out)
    if "--format" in args and args[args.index("--format") + 1] == "json" and shipped.returncode == 0:
        lean_json, engine_json = json.loads(lean_out), json.loads(engine_out)
        # Counted down from each run's own "now": a second may pass between the two runs.
        lean_left, engine_left = lean_json.pop("expires_in"), engine_json.pop("expires_in")
        assert lean_left == engine_left if lean_left is None else abs(lean_left - engine_left) <= 1
        assert lean_json == engine_json
    else:
        assert lean_out == engine_out
    return shipped, report.read_text()


def import_profiles(tmp_path: Path, text: str) -> None:
    result = musicauth("profile", "import", str(profiles_file(tmp_path, text)))
    assert result.returncode == 0, result.stderr


def mxm_profiles(mxm) -> str:  # type: ignore[no-untyped-def]
    return f"""
[profiles.app]
provider = "musixmatch"
flow = "client_credentials"
client_id = "{CLIENT_ID}"
client_secret = "{CLIENT_SECRET}"
token_endpoint = "{mxm.url('/oauth/token')}"

[profiles.user]
provider = "musixmatch"
flow = "authorization_code"
client_id = "{CLIENT_ID}"
client_secret = "{CLIENT_SECRET}"
authorization_endpoint = "{mxm.url('/oauth/authorize')}"
token_endpoint = "{mxm.url('/oauth/token')}"

[profiles.key]
provider = "apikey"
flow = "static"
token = "static-key-value"
placement = "query"
query_param = "apikey"
"""


@pytest.mark.parametrize("fmt", ["raw", "header", "json", "curl"])
def test_a_valid_token_prints_the_same_without_the_engine_and_after_one_keyring_read(tmp_path, mxm, fmt) -> None:  # type: ignore[no-untyped-def]
    import_profiles(tmp_path, mxm_profiles(mxm))
    first = musicauth("token", "app")
    assert first.returncode == 0, first.stderr
    counter = tmp_path / "calls.txt"

    shipped, heavy = both(tmp_path, "token", "app", "--format", fmt, env={"MUSICAUTH_TEST_KEYRING_COUNT": str(counter)})

    assert shipped.returncode == 0 and first.stdout.strip() in shipped.stdout
    assert heavy == ""
    # The shipped run's one read, then the engine's: its load reads the record once too.
    assert counter.read_text().split() == ["get", "get"]
    assert mxm.issued_count("client_credentials") == 1


#: What a valid token's plain path leaves unimported besides HEAVY, each used only elsewhere
#: (benchmarks/README.md, "Start-up"): the store's worker thread, the name rules' and the
#: error words' helpers, the constant-time compare, the signal handling, argparse (plain
#: `token` words are read without it, cli.py ``_token_words``), the change stamps and the
#: folders (a write's), keyring's chainer (a backend named by its path is none), and what keyring's
#: import would load for nothing (``core/store/keyring_import.py``: urllib.request with http.client
#: and ssl, the plugin discovery's metadata reader, more_itertools, subprocess and tempfile,
#: whose real imports bring _posixsubprocess and random, and configparser; pathlib too, which
#: this interpreter's editable install imports at start) and
#: on Python 3.11 two of inspect's imports (deferred by cli.py: dataclasses reads it for no
#: record there; keyring's logging imports tokenize), and traceback's (deferred by cli.py too:
#: logging formats an exception with it).
NOT_FOR_A_VALID_TOKEN = (
    "concurrent.futures", "shlex", "unicodedata", "hmac", "musicauth_gui.interrupts", "argparse",
    "musicauth_gui.core.store.change_log", "musicauth_gui.core.paths", "keyring.backends.chainer",
    "http.client", "ssl", "importlib_metadata._adapters", "importlib.metadata._adapters", "more_itertools.more",
    "_posixsubprocess", "random", "configparser", "linecache", "textwrap",
    *(("ast", "dis") if sys.version_info < (3, 12) else ()),
)


def test_a_valid_token_imports_none_of_what_only_other_paths_use(tmp_path, mxm) -> None:  # type: ignore[no-untyped-def]
    import_profiles(tmp_path, mxm_profiles(mxm))
    assert musicauth("token", "app").returncode == 0
    report = tmp_path / "loaded.txt"
    code = AS_SHIPPED.replace(f"heavy = {HEAVY!r}", f"heavy = {NOT_FOR_A_VALID_TOKEN!r}")

    shipped = run(code, "token", "app", "--format", "header", env={"LOADED_REPORT": str(report)})

    assert shipped.returncode == 0, shipped.stderr
    assert report.read_text() == ""


#: Whether the collector runs, whether the heap is frozen and how many collections ``main()``
#: ran, when it has returned and after the command's own atexit handlers (this one, registered
#: first, runs last).
GC_REPORT = (
    "import atexit, gc, os, sys\n"
    "passes = []\n"
    "gc.callbacks.append(lambda phase, info: phase == 'start' and passes.append(info['generation']))\n"
    "def report(when):\n"
    "    with open(os.environ['GC_REPORT'], 'a') as fh:\n"
    "        fh.write(f'{when}: collecting={gc.isenabled()} frozen={gc.get_freeze_count() > 0} passes={len(passes)}\\n')\n"
    "atexit.register(report, 'exit')\n"
    "from musicauth_gui.cli import main\n"
    "passes.clear()  # the command's own, not its imports'\n"
    "code = main()\n"
    "report('returned')\n"
    "sys.exit(code)\n"
)


def test_a_valid_token_leaves_its_heap_to_the_exit_and_the_engine_collects(tmp_path, mxm) -> None:  # type: ignore[no-untyped-def]
    """The lean path's collector rests while it works, comes back without a pass over what the
    path built (cli.py ``_resume_collecting``), and its heap is frozen only at exit, so Python's
    shutdown does not walk it (``_freeze_at_exit``); a command the engine finishes (here the
    vault file's) collects while it runs, and its heap is frozen at exit too, once the engine is
    closed."""
    profiles = profiles_file(tmp_path, mxm_profiles(mxm))
    import_profiles(tmp_path, mxm_profiles(mxm))
    assert musicauth("token", "app").returncode == 0
    vault = {"MUSICAUTH_STORE": "file", "MUSICAUTH_STORE_FILE": str(tmp_path / "vault"), "MUSICAUTH_PASSPHRASE": "pass phrase"}
    assert musicauth("profile", "import", str(profiles), env=vault).returncode == 0
    lean, engine = tmp_path / "lean.txt", tmp_path / "engine.txt"

    shipped = run(GC_REPORT, "token", "app", "--format", "header", env={"GC_REPORT": str(lean)})
    handed_over = run(GC_REPORT, "token", "app", env={**vault, "GC_REPORT": str(engine)})

    assert shipped.returncode == 0 and handed_over.returncode == 0, shipped.stderr + handed_over.stderr
    assert lean.read_text().splitlines() == [
        "returned: collecting=True frozen=False passes=0",
        "exit: collecting=True frozen=True passes=0",
    ]
    assert [line.rpartition(" passes=")[0] for line in engine.read_text().splitlines()] == [
        "returned: collecting=True frozen=False",
        "exit: collecting=True frozen=True",
    ]


def test_a_static_key_and_a_scheme_the_provider_does_not_take(tmp_path, mxm) -> None:  # type: ignore[no-untyped-def]
    import_profiles(tmp_path, mxm_profiles(mxm))
    for args in (("token", "key", "--format", "curl"), ("token", "key", "--format", "header"), ("token", "key", "--scheme", "basic")):
        shipped, heavy = both(tmp_path, *args)
        assert heavy == "", args
    assert shipped.returncode == 1 and "MusicAPI" in shipped.stderr


def test_a_token_due_for_renewal_is_renewed_by_the_engine(tmp_path, mxm) -> None:  # type: ignore[no-untyped-def]
    import_profiles(tmp_path, mxm_profiles(mxm))
    mxm.answer_next_token_with({"expires_in": 2})  # renewed half-way through its life (renewal.py)
    login = musicauth("login", "user", env=browser_env())
    assert login.returncode == 0, login.stderr
    time.sleep(1.5)

    shipped, heavy = both(tmp_path, "token", "user")

    assert shipped.returncode == 0
    assert mxm.issued_count("refresh_token") == 1  # the shipped run renewed; the engine's reused it
    assert "musicauth_gui.core.engine" in heavy.split()


@pytest.mark.parametrize(
    ("case", "env", "exit_code"),
    [
        ("missing profile", {}, 1),
        ("damaged entry", {}, 1),
        ("locked keyring", {"MUSICAUTH_TEST_KEYRING_LOCKED": "1"}, 1),
        ("failing keyring", {"MUSICAUTH_TEST_KEYRING_FAIL": "get"}, 1),
        ("no keyring", {"PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring"}, 1),
        ("unknown store", {"MUSICAUTH_STORE": "cloud"}, 1),
        ("profiles file without the memory store", {"MUSICAUTH_PROFILES": "profiles.toml"}, 1),
    ],
)
def test_every_failure_reads_the_same(tmp_path, mxm, case, env, exit_code) -> None:  # type: ignore[no-untyped-def]
    import_profiles(tmp_path, mxm_profiles(mxm))
    assert musicauth("token", "app").returncode == 0
    FileKeyring().set_password("musicauth", "profile/bad", "{not json")
    name = {"missing profile": "nope", "damaged entry": "bad"}.get(case, "app")

    shipped, _ = both(tmp_path, "token", name, env=env)

    assert shipped.returncode == exit_code
    lines = shipped.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("musicauth: "), shipped.stderr
    assert shipped.stdout == ""


def test_the_vault_file_and_the_memory_store_go_through_the_engine(tmp_path, mxm) -> None:  # type: ignore[no-untyped-def]
    profiles = profiles_file(tmp_path, mxm_profiles(mxm))
    report = tmp_path / "loaded.txt"
    memory = {"MUSICAUTH_STORE": "memory", "MUSICAUTH_PROFILES": str(profiles), "LOADED_REPORT": str(report)}
    # A store that lives as long as the command: each run fetches its own token.
    shipped = run(AS_SHIPPED, "token", "app", env=memory)
    assert shipped.returncode == 0 and "musicauth_gui.core.engine" in report.read_text().split()
    vault = {"MUSICAUTH_STORE": "file", "MUSICAUTH_STORE_FILE": str(tmp_path / "vault"), "MUSICAUTH_PASSPHRASE": "pass phrase"}
    assert musicauth("profile", "import", str(profiles), env=vault).returncode == 0
    shipped, heavy = both(tmp_path, "token", "app", env=vault)
    assert shipped.returncode == 0 and "musicauth_gui.core.engine" in heavy.split()


# -- Last.fm and Discogs: signed in the lean path too, without the HTTP stack -------------------

LASTFM_KEY = "0123456789abcdef0123456789abcdef"
LASTFM_SECRET = "sh4red-sécret&=+"
DISCOGS_KEY = "discogs-consumer"


@pytest.fixture
def lastfm() -> Iterator[LastfmServer]:
    with LastfmServer() as server:
        server.register_api_account(LASTFM_KEY, LASTFM_SECRET)
        yield server


@pytest.fixture
def discogs() -> Iterator[DiscogsServer]:
    with DiscogsServer() as server:
        server.register_consumer(DISCOGS_KEY, CLIENT_SECRET, name="musicauth tests")
        yield server
    assert server.handler_errors == [], server.handler_errors[0]


def signed_in_to_lastfm(tmp_path: Path, lastfm: LastfmServer, extra: str = "") -> None:
    import_profiles(
        tmp_path,
        f"""
[profiles.lfm]
provider = "lastfm"
client_id = "{LASTFM_KEY}"
client_secret = {json.dumps(LASTFM_SECRET)}
authorization_endpoint = "{lastfm.url('/api/auth/')}"
api_endpoint = "{lastfm.url('/2.0/')}"
{extra}
""",
    )
    login = musicauth("login", "lfm", env=browser_env())
    assert login.returncode == 0, login.stderr


@pytest.mark.parametrize("fmt", ["raw", "json", "curl", "header"])
def test_a_lastfm_session_key_and_its_signed_call(tmp_path, lastfm, fmt) -> None:  # type: ignore[no-untyped-def]
    signed_in_to_lastfm(tmp_path, lastfm)

    shipped, heavy = both(tmp_path, "token", "lfm", "--format", fmt)

    assert heavy == ""
    if fmt == "header":  # the session key goes in the signed query, never in a header
        assert shipped.returncode == 1 and "sk query parameter" in shipped.stderr
        return
    assert shipped.returncode == 0, shipped.stderr
    if fmt == "curl":
        url = shlex.split(shipped.stdout)[-1]
        with httpx.Client(trust_env=False, timeout=5) as client:
            answer = client.get(url)
        assert answer.status_code == 200 and "sandbox-listener" in answer.text, answer.text


def test_a_lastfm_call_naming_a_parameter_twice_is_refused_on_both_paths(tmp_path, lastfm) -> None:  # type: ignore[no-untyped-def]
    signed_in_to_lastfm(tmp_path, lastfm, extra=f'try_url = "{lastfm.url("/2.0/")}?method=track.addTags&tags=a&tags=b"')

    shipped, heavy = both(tmp_path, "token", "lfm", "--format", "curl")

    assert heavy == "" and shipped.returncode == 1 and shipped.stdout == ""
    assert shipped.stderr == (
        "musicauth: profile 'lfm': try_url has the query parameter 'tags' more than once; Last.fm takes a list as "
        "name[0], name[1], ...; set try_url in the profiles file and import it again\n"
    )


def without_nonce(text: str) -> str:
    """An OAuth 1.0a header (plain, in a curl line or in JSON) without what is new each time."""
    return re.sub(r'(oauth_(?:nonce|timestamp|signature)=\\?")[^"\\]*', r"\1...", text)


@pytest.mark.parametrize("method", ["PLAINTEXT", "HMAC-SHA1"])
@pytest.mark.parametrize("fmt", ["header", "json", "curl"])
def test_a_discogs_header_signed_afresh(tmp_path, discogs, fmt, method) -> None:  # type: ignore[no-untyped-def]
    import_profiles(
        tmp_path,
        f"""
[profiles.dg]
provider = "discogs"
client_id = "{DISCOGS_KEY}"
client_secret = "{CLIENT_SECRET}"
signature_method = "{method}"
request_token_endpoint = "{discogs.url('/oauth/request_token')}"
authorization_endpoint = "{discogs.url('/oauth/authorize')}"
token_endpoint = "{discogs.url('/oauth/access_token')}"
try_url = "{discogs.url('/oauth/identity')}"
""",
    )
    assert (login := musicauth("login", "dg", env=browser_env())).returncode == 0, login.stderr

    shipped, heavy = both(tmp_path, "token", "dg", "--format", fmt, fresh=without_nonce)

    assert shipped.returncode == 0 and heavy == ""
    if fmt == "json":
        header = json.loads(shipped.stdout)["authorization_header"]
    else:
        line = shipped.stdout.strip() if fmt == "header" else shlex.split(shipped.stdout)[-2]  # curl -A UA -H LINE URL
        header = line.removeprefix("Authorization: ")
    with httpx.Client(trust_env=False, timeout=5) as client:  # the lean path's header is good for its request
        answer = client.get(discogs.url("/oauth/identity"), headers={"Authorization": header, "User-Agent": USER_AGENT})
    assert answer.status_code == 200 and answer.json()["consumer_name"] == "musicauth tests", answer.text
