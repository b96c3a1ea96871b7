"""Hostile and odd input to the real ``musicauth`` command line (issue 10, items 6, 7 and 8).

Names a terminal would act on, hints that a shell would run, endpoint URLs a browser reads
differently, TOML nested to exhaust the stack, files that never end or never start, and a
generic oauth2 profile with explicit endpoints and no issuer, against the emulators.
"""

from __future__ import annotations

import os
import shlex
import subprocess
import sys
import time

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from tests.core.conftest import CLIENT_ID, CLIENT_SECRET, profiles_file
from tests.support.cli import assert_one_clean_line, browser_env, musicauth, stored_record

CLI = [sys.executable, "-m", "musicauth_gui.cli"]


def mxm_table(mxm, name: str = "mxm", **extra: str) -> str:  # type: ignore[no-untyped-def]
    fields = {
        "provider": "musixmatch",
        "flow": "authorization_code",
        "client_id": CLIENT_ID,
        "client_secret": CLIENT_SECRET,
        "authorization_endpoint": mxm.url("/oauth/authorize"),
        "token_endpoint": mxm.url("/oauth/token"),
        **extra,
    }
    return f"[profiles.{toml_string(name)}]\n" + "".join(f'{k} = "{v}"\n' for k, v in fields.items())


def toml_string(text: str) -> str:
    """A TOML basic string holding ``text``, anything unusual as a \\uXXXX escape."""
    escaped = "".join(ch if 0x20 <= ord(ch) < 0x7F and ch not in '"\\' else f"\\u{ord(ch):04x}" for ch in text)
    return f'"{escaped}"'


def run_cli(
    *args: str, stdin: bytes | None = None, env: dict[str, str] | None = None, timeout: float = 60
) -> subprocess.CompletedProcess[str]:
    """The CLI with stdin given (``musicauth()`` closes it)."""
    return subprocess.run(
        [*CLI, *args], input=stdin.decode() if stdin is not None else None, capture_output=True, text=True,
        env={**os.environ, **(env or {})}, timeout=timeout,
    )


def pem_key() -> bytes:
    return ec.generate_private_key(ec.SECP256R1()).private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )


# -- item 7: names ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "char"),
    [("a\x7fb", "U+007F"), ("a\x85b", "U+0085"), ("admin\u202egpj.exe", "U+202E"), ("a\u200bb", "U+200B")],
    ids=["DEL", "C1 NEL", "RLO", "zero-width space"],
)
def test_names_with_controls_or_invisible_characters_are_refused(tmp_path, mxm, name, char) -> None:  # type: ignore[no-untyped-def]
    result = musicauth("profile", "import", str(profiles_file(tmp_path, mxm_table(mxm, name))))
    assert_one_clean_line(result, "is not valid", char)
    assert result.returncode == 1
    # Shown escaped, never raw: the terminal gets nothing to act on.
    odd = chr(int(char[2:], 16))
    assert odd not in result.stderr
    assert musicauth("profile", "list", "--json").stdout.strip() == "[]"


def test_key_names_follow_the_same_rules(tmp_path) -> None:  # type: ignore[no-untyped-def]
    key = tmp_path / "k.pem"
    key.write_bytes(pem_key())
    result = musicauth("key", "import", "k\u202eey", str(key))
    assert_one_clean_line(result, "key name", "U+202E")
    assert "\u202e" not in result.stderr


def test_a_long_name_is_shortened_in_messages(tmp_path, mxm) -> None:  # type: ignore[no-untyped-def]
    long_name = "n" * 10_000
    result = musicauth("profile", "import", str(profiles_file(tmp_path, mxm_table(mxm, long_name))))
    line = assert_one_clean_line(result, "10000 characters long", "'" + "n" * 40 + "'…")
    assert len(line) < 300
    missing = musicauth("token", "x" * 10_000)
    assert len(assert_one_clean_line(missing, "no profile named")) < 300


def test_hints_quote_the_name_as_a_shell_needs(tmp_path, mxm) -> None:  # type: ignore[no-untyped-def]
    name = "$(touch pwned) it's"
    result = musicauth("profile", "import", str(profiles_file(tmp_path, mxm_table(mxm, name))))
    assert result.returncode == 0, result.stderr
    line = assert_one_clean_line(musicauth("token", name), "needs sign-in")
    hinted = line.split("run `", 1)[1].split("`", 1)[0]
    assert shlex.split(hinted) == ["musicauth", "login", name]
    # Pasted into a shell, it runs that command with that name, and nothing else.
    echo = subprocess.run(["sh", "-c", hinted.replace("musicauth login", "printf %s", 1)], cwd=tmp_path, capture_output=True, text=True)
    assert echo.stdout == name and not (tmp_path / "pwned").exists()


# -- item 7: endpoint URLs ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        # A browser opens evil.example over http; urlsplit saw 127.0.0.1.
        ("http://evil.example\\\\@127.0.0.1/token", "backslash"),
        ("http://user:hunter2@127.0.0.1/token", "user information"),
        ("https://user:hunter2@id.example.com/token", "user information"),
        ("http://127.0.0.1\\t.evil.example/token", "white space"),
    ],
)
def test_endpoints_a_browser_would_read_differently_are_refused(tmp_path, mxm, url, expected) -> None:  # type: ignore[no-untyped-def]
    text = mxm_table(mxm) + f'introspection_endpoint = "{url}"\n'
    result = musicauth("profile", "import", str(profiles_file(tmp_path, text)))
    assert_one_clean_line(result, "introspection_endpoint", expected)
    assert "hunter2" not in result.stderr  # userinfo may be a password: never echoed


def test_deeply_nested_toml_is_one_clear_line(tmp_path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "deep.toml"
    path.write_text("x = " + "[" * 100_000 + "]" * 100_000 + "\n")
    result = musicauth("profile", "import", str(path))
    assert_one_clean_line(result, "nests arrays or tables too deeply")
    assert result.returncode == 1


# -- item 6: files that never end, never start, or come through a pipe ---------------------------------


@pytest.mark.parametrize("command", [("key", "import", "k"), ("profile", "import")], ids=["key import", "profile import"])
def test_endless_and_oversized_files_are_refused_at_1_mb(tmp_path, command) -> None:  # type: ignore[no-untyped-def]
    started = time.monotonic()
    result = musicauth(*command, "/dev/zero")
    assert time.monotonic() - started < 10  # it used to grow to 3-4 GB in five seconds
    assert_one_clean_line(result, "/dev/zero is larger than 1 MB")
    big = tmp_path / "big"
    big.write_bytes(b"#" * ((1 << 20) + 1))
    assert_one_clean_line(musicauth(*command, str(big)), "larger than 1 MB")


@pytest.mark.parametrize("command", [("key", "import", "k"), ("profile", "import")], ids=["key import", "profile import"])
def test_a_fifo_with_no_writer_gives_up_after_a_bounded_wait(tmp_path, command) -> None:  # type: ignore[no-untyped-def]
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    started = time.monotonic()
    result = musicauth(*command, str(fifo), env={"MUSICAUTH_INPUT_TIMEOUT": "1"})
    assert time.monotonic() - started < 15
    assert_one_clean_line(result, "nothing came from", "within 1 s")


def test_pipes_process_substitution_and_stdin_still_work(tmp_path, mxm) -> None:  # type: ignore[no-untyped-def]
    key = tmp_path / "key.pem"
    key.write_bytes(pem_key())
    # <(...) is a pipe whose writer starts late: the reader waits for it.
    script = f'{shlex.join(CLI)} key import piped <(sleep 0.5; cat {shlex.quote(str(key))})'
    result = subprocess.run(["bash", "-c", script], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    from_stdin = run_cli("key", "import", "stdin-key", "-", stdin=key.read_bytes())
    assert from_stdin.returncode == 0, from_stdin.stderr
    listed = musicauth("key", "list").stdout
    assert "piped" in listed and "stdin-key" in listed

    imported = run_cli("profile", "import", "-", stdin=mxm_table(mxm).encode())
    assert imported.returncode == 0, imported.stderr
    assert imported.stdout.split() == ["mxm"]
    # A named pipe whose writer comes a moment later is read too.
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    source = shlex.quote(str(profiles_file(tmp_path, mxm_table(mxm, "late"))))
    late = subprocess.Popen(["sh", "-c", f"sleep 0.5; cat {source} > {shlex.quote(str(fifo))}"])
    try:
        assert musicauth("profile", "import", str(fifo)).stdout.split() == ["late"]
    finally:
        late.wait(timeout=30)


# -- item 8: a generic oauth2 profile with explicit endpoints and no issuer ---------------------------


def test_oauth2_with_explicit_endpoints_needs_no_issuer(tmp_path, mxm) -> None:  # type: ignore[no-untyped-def]
    text = f"""
[profiles.generic]
provider = "oauth2"
flow = "authorization_code"
client_id = "{CLIENT_ID}"
client_secret = "{CLIENT_SECRET}"
scopes = ["profile", "email"]
authorization_endpoint = "{mxm.url('/oauth/authorize')}"
token_endpoint = "{mxm.url('/oauth/token')}"
"""
    assert musicauth("profile", "import", str(profiles_file(tmp_path, text))).returncode == 0
    login = musicauth("login", "generic", env=browser_env())
    assert login.returncode == 0, login.stderr
    first = stored_record("generic")["token"]
    token = musicauth("token", "generic")
    assert token.returncode == 0 and token.stdout.strip() == first["access_token"]
    assert musicauth("refresh", "generic").returncode == 0
    assert mxm.is_refresh_token_active(stored_record("generic")["token"]["refresh_token"])
    # Nothing to discover without an issuer: no metadata was asked for.
    assert not [r for r in mxm.requests if r.path.startswith("/.well-known/")]
    # Without the token endpoint there is still nothing to go on: one line naming the fix.
    text = text.replace(f'token_endpoint = "{mxm.url("/oauth/token")}"\n', "").replace("generic", "partial")
    assert_one_clean_line(musicauth("profile", "import", str(profiles_file(tmp_path, text))), "needs an issuer")
