"""No keyring at all (keyring's fail backend): ``MUSICAUTH_STORE=memory`` with
``MUSICAUTH_PROFILES``, and ``devtoken --key-file`` with no profile and no store. Nothing is
written anywhere."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization

from tests.core.conftest import CLIENT_ID, CLIENT_SECRET, profiles_file
from tests.support.cli import assert_one_clean_line, musicauth
from tests.support.jws import verify_es256

NO_KEYRING = {"PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring"}


def ci_env(profiles: Path, **extra: str) -> dict[str, str]:
    return {**NO_KEYRING, "MUSICAUTH_STORE": "memory", "MUSICAUTH_PROFILES": str(profiles), **extra}


@pytest.fixture
def ci_profiles(tmp_path, live) -> Path:  # type: ignore[no-untyped-def]
    return profiles_file(
        tmp_path,
        f"""
[profiles.groove]
provider = "groove"
client_id = "{CLIENT_ID}"
client_secret = {{ env = "GROOVE_SECRET" }}
token_endpoint = "{live.url('/accesstoken.srf')}"
""",
    )


def nothing_written(dirs: list[Path], keyring_dir: Path) -> None:
    written = [p for d in [*dirs, keyring_dir] for p in d.rglob("*")]
    assert written == [], written


def test_the_keyring_is_really_absent() -> None:
    assert_one_clean_line(musicauth("profile", "list", env=NO_KEYRING), "no usable keyring")


def test_token_and_exec_work_from_the_profiles_file_and_write_nothing(  # type: ignore[no-untyped-def]
    live, ci_profiles, app_written_dirs, isolated_dirs
) -> None:
    env = ci_env(ci_profiles, GROOVE_SECRET=CLIENT_SECRET)
    token = musicauth("token", "groove", "--format", "header", env=env)
    assert token.returncode == 0, token.stderr
    assert token.stdout.startswith("Authorization: Bearer ")
    assert live.is_access_token_active(token.stdout.split()[-1])

    shown = musicauth("exec", "groove", "--", sys.executable, "-c", "import os; print(os.environ['MUSICAUTH_TOKEN'])", env=env)
    assert shown.returncode == 0, shown.stderr
    assert live.is_access_token_active(shown.stdout.strip())
    # Memory only: each command fetched its own token, and none was kept.
    assert live.issued_count("client_credentials") == 2
    nothing_written(app_written_dirs, isolated_dirs["keyring"])


def test_the_secret_variable_is_still_needed(live, ci_profiles) -> None:  # type: ignore[no-untyped-def]
    result = musicauth("token", "groove", env=ci_env(ci_profiles))
    assert result.returncode == 1
    assert_one_clean_line(result, "GROOVE_SECRET is not set")
    assert live.requests == []


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        ({"MUSICAUTH_STORE": "memory"}, "MUSICAUTH_STORE=memory needs MUSICAUTH_PROFILES=FILE"),
        ({"MUSICAUTH_PROFILES": "ci.toml"}, "MUSICAUTH_PROFILES is read only with MUSICAUTH_STORE=memory"),
    ],
)
def test_one_variable_without_the_other_is_one_line(env, expected) -> None:  # type: ignore[no-untyped-def]
    result = musicauth("token", "groove", env={**NO_KEYRING, **env})
    assert result.returncode == 1
    assert_one_clean_line(result, expected)


def test_a_bad_profiles_file_names_itself(tmp_path) -> None:  # type: ignore[no-untyped-def]
    path = profiles_file(tmp_path, '[profiles.x]\nprovider = "nope"\n')
    result = musicauth("token", "x", env=ci_env(path))
    assert_one_clean_line(result, "unknown provider")


# -- devtoken with no profile and no store ---------------------------------------------------------


@pytest.fixture
def key_pem(tmp_path) -> Path:  # type: ignore[no-untyped-def]
    path = tmp_path / "key.pem"
    subprocess.run(["openssl", "ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out", str(path)], check=True)
    return path


def public_key(pem: Path):  # type: ignore[no-untyped-def]
    return serialization.load_pem_private_key(pem.read_bytes(), None).public_key()  # type: ignore[union-attr]


def test_devtoken_from_a_key_file(key_pem, app_written_dirs, isolated_dirs) -> None:  # type: ignore[no-untyped-def]
    result = musicauth(
        "devtoken", "--key-file", str(key_pem), "--kid", "KID123", "--iss", "client-1", "--sub", "user-9", "--ttl", "2h",
        env=NO_KEYRING,
    )
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    header, claims = verify_es256(result.stdout.strip(), public_key(key_pem))
    assert header == {"alg": "ES256", "kid": "KID123", "typ": "JWT"}
    assert claims["iss"] == "client-1" and claims["sub"] == "user-9"
    assert claims["exp"] - claims["iat"] == 7200
    nothing_written(app_written_dirs, isolated_dirs["keyring"])


def test_devtoken_from_stdin_and_from_a_variable(key_pem) -> None:  # type: ignore[no-untyped-def]
    piped = subprocess.run(
        [sys.executable, "-m", "musicauth_gui.cli", "devtoken", "--key-file", "-", "--kid", "K", "--iss", "i"],
        input=key_pem.read_text(),
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, **NO_KEYRING},
    )
    assert piped.returncode == 0, piped.stderr
    _, claims = verify_es256(piped.stdout.strip(), public_key(key_pem))
    assert claims["exp"] - claims["iat"] == 14 * 86400 and "sub" not in claims

    env = {**NO_KEYRING, "MAPI_KEY": key_pem.read_text()}
    from_env = musicauth("devtoken", "--key-env", "MAPI_KEY", "--kid", "K", "--iss", "i", env=env)
    assert from_env.returncode == 0, from_env.stderr
    verify_es256(from_env.stdout.strip(), public_key(key_pem))
    assert key_pem.read_text() not in from_env.stdout + from_env.stderr


def test_devtoken_from_an_encrypted_key_and_a_subjects_file(tmp_path, key_pem) -> None:  # type: ignore[no-untyped-def]
    encrypted = tmp_path / "enc.p8"
    subprocess.run(
        ["openssl", "pkcs8", "-topk8", "-v2", "aes-256-cbc", "-in", str(key_pem), "-out", str(encrypted), "-passout", "pass:pw"],
        check=True,
    )
    subjects = tmp_path / "subs.txt"
    subjects.write_text("# users\nu1\n\nu2\n")
    args = ("devtoken", "--key-file", str(encrypted), "--kid", "K", "--iss", "i", "--sub-file", str(subjects))
    assert_one_clean_line(musicauth(*args, env=NO_KEYRING), "passphrase")
    result = musicauth(*args, env={**NO_KEYRING, "MUSICAUTH_KEY_PASSPHRASE": "pw"})
    assert result.returncode == 0, result.stderr
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert [line["sub"] for line in lines] == ["u1", "u2"]
    for line in lines:
        _, claims = verify_es256(line["token"], public_key(key_pem))
        assert claims["sub"] == line["sub"] and claims["exp"] == line["exp"]


def test_devtoken_key_problems_are_one_line(tmp_path) -> None:  # type: ignore[no-untyped-def]
    assert_one_clean_line(
        musicauth("devtoken", "--key-env", "NOPE", "--kid", "K", "--iss", "i", env=NO_KEYRING),
        "the environment variable NOPE is not set",
    )
    missing = musicauth("devtoken", "--key-file", str(tmp_path / "none.pem"), "--kid", "K", "--iss", "i", env=NO_KEYRING)
    assert_one_clean_line(missing, "no such file")
    public = tmp_path / "pub.pem"
    public.write_text("not a key\n")
    assert musicauth("devtoken", "--key-file", str(public), "--kid", "K", "--iss", "i", env=NO_KEYRING).returncode == 1


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (("devtoken",), "give a profile NAME, or --key-file FILE"),
        (("devtoken", "--key-file", "k.pem", "--iss", "i"), "need --kid KID and --iss ISS"),
        (("devtoken", "mapi", "--key-file", "k.pem", "--kid", "K", "--iss", "i"), "not both"),
        (("devtoken", "--key-file", "k.pem", "--key-env", "K", "--kid", "K", "--iss", "i"), "not allowed with argument"),
    ],
)
def test_devtoken_needs_a_profile_or_a_key_with_kid_and_iss(args, expected) -> None:  # type: ignore[no-untyped-def]
    result = musicauth(*args, env=NO_KEYRING)
    assert result.returncode == 2 and expected in result.stderr, result.stderr
