"""``musicauth key``, ``devtoken``, ``token --scheme`` and ``try`` against the MusicAPI emulator."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import httpx
import pytest
from cryptography.hazmat.primitives import serialization

from musicauth_gui.sandbox import MusicApiServer
from tests.core.test_keys import openssl
from tests.support.cli import assert_one_clean_line, musicauth
from tests.support.jws import verify_es256

CLIENT = "2cf82db3-4064-4235-8253-16994eb51773"
SECRET = "9facfe28-83e5-4b3f-815f-23551d77cd48"


@pytest.fixture
def musicapi():  # type: ignore[no-untyped-def]
    with MusicApiServer() as server:
        server.register_client(CLIENT, SECRET)
        yield server


def ok(*args: str) -> subprocess.CompletedProcess[str]:
    result = musicauth(*args)
    assert result.returncode == 0, result.stderr
    return result


def write(tmp_path: Path, name: str, data: bytes | str) -> str:
    path = tmp_path / name
    path.write_bytes(data if isinstance(data, bytes) else data.encode())
    return str(path)


def musicapi_profile(tmp_path: Path, server: MusicApiServer, *, key: str = "mapi-key", ttl: str = "14d") -> None:
    ok("profile", "import", write(tmp_path, "p.toml", f"""
[profiles.mapi]
provider = "musicapi"
client_id = "{CLIENT}"
client_secret = "{SECRET}"
key = "{key}"
key_id = "KID123"
devtoken_ttl = "{ttl}"
try_url = "{server.url('/search/introspection')}"
"""))


def test_generate_register_and_call_with_all_three_schemes(tmp_path, musicapi) -> None:  # type: ignore[no-untyped-def]
    public = ok("key", "generate", "mapi-key").stdout
    assert public.startswith("-----BEGIN PUBLIC KEY-----")
    openssl("pkey", "-pubin", "-noout", input=public.encode())  # what the dashboard will parse
    musicapi.register_public_key(CLIENT, "KID123", public)
    musicapi_profile(tmp_path, musicapi)

    for scheme, expected in (("devtoken", "devtoken"), ("token", "token"), ("basic", "basic")):
        header = ok("token", "mapi", "--format", "header", "--scheme", scheme).stdout.strip()
        name, value = header.split(": ", 1)
        answer = httpx.get(musicapi.url("/search/introspection"), headers={name: value})
        assert answer.status_code == 200, answer.text
        assert answer.json()["scheme"] == expected
    default = ok("token", "mapi", "--format", "header").stdout
    assert default.startswith("Authorization: DevToken ")
    tried = ok("try", "mapi")
    assert tried.stdout.startswith("200 GET 127.0.0.1:") and '"scheme": "devtoken"' in tried.stdout

    listed = json.loads(ok("key", "list", "--json").stdout)
    assert listed[0]["name"] == "mapi-key" and listed[0]["used_by"] == ["mapi"]
    assert listed[0]["fingerprint"].startswith("SHA256:")


def test_devtoken_command_prints_only_the_jwt_and_batches(tmp_path, musicapi) -> None:  # type: ignore[no-untyped-def]
    public = ok("key", "generate", "mapi-key").stdout
    musicapi_profile(tmp_path, musicapi)
    out = ok("devtoken", "mapi", "--sub", "user-1", "--ttl", "2h").stdout
    assert out.count("\n") == 1 and out.count(".") == 2
    key = serialization.load_pem_public_key(public.encode())
    header, payload = verify_es256(out.strip(), key)  # type: ignore[arg-type]
    assert header == {"alg": "ES256", "kid": "KID123", "typ": "JWT"}
    assert payload["iss"] == CLIENT and payload["sub"] == "user-1" and payload["exp"] - payload["iat"] == 7200

    subs = write(tmp_path, "subs.txt", "a-uuid\n\nb-uuid\n# comment\nc-uuid\n")
    lines = ok("devtoken", "mapi", "--sub-file", subs).stdout.splitlines()
    rows = [json.loads(line) for line in lines]
    assert [r["sub"] for r in rows] == ["a-uuid", "b-uuid", "c-uuid"]
    assert all(verify_es256(r["token"], key)[1]["sub"] == r["sub"] for r in rows)  # type: ignore[arg-type]


def test_import_openssl_keys_and_reject_bad_ones(tmp_path) -> None:  # type: ignore[no-untyped-def]
    good = write(tmp_path, "private.ec.key", openssl("ecparam", "-name", "prime256v1", "-genkey", "-noout"))
    ok("key", "import", "good", good)
    with_params = write(tmp_path, "params.pem", openssl("ecparam", "-name", "prime256v1", "-genkey"))
    ok("key", "import", "with-params", with_params)
    cases = {
        "p384": (openssl("ecparam", "-name", "secp384r1", "-genkey", "-noout"), "secp384r1"),
        "rsa": (openssl("genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048"), "RSA"),
        "public": (openssl("ec", "-pubout", input=Path(good).read_bytes()), "public key"),
        "garbage": (b"\x00\x01 nonsense", "not a private key"),
        "empty": (b"", "empty"),
    }
    for name, (data, message) in cases.items():
        assert_one_clean_line(musicauth("key", "import", name, write(tmp_path, name, data)), message)
    assert_one_clean_line(musicauth("key", "import", "good", good), "exists already")
    assert [k["name"] for k in json.loads(ok("key", "list", "--json").stdout)] == ["good", "with-params"]


def test_encrypted_import_and_export(tmp_path) -> None:  # type: ignore[no-untyped-def]
    plain = openssl("ecparam", "-name", "prime256v1", "-genkey", "-noout")
    encrypted = openssl("pkcs8", "-topk8", "-v2", "aes-256-cbc", "-passout", "pass:s3cret-pass", input=plain)
    path = write(tmp_path, "AuthKey_ABCDE12345.p8", encrypted)
    assert_one_clean_line(musicauth("key", "import", "enc", path), "passphrase")
    assert_one_clean_line(
        musicauth("key", "import", "enc", path, "--passphrase-file", write(tmp_path, "wrong", "nope-nope\n")),
        "wrong passphrase",
    )
    ok("key", "import", "enc", path, "--passphrase-file", write(tmp_path, "right", "s3cret-pass\n"))
    exported = ok("key", "export", "enc", "--passphrase-file", write(tmp_path, "exp", "export-pass-123\n")).stdout
    assert "ENCRYPTED PRIVATE KEY" in exported
    decrypted = openssl("pkey", "-passin", "pass:export-pass-123", input=exported.encode())
    assert openssl("pkey", "-pubout", input=decrypted) == openssl("pkey", "-pubout", input=plain)
    assert_one_clean_line(musicauth("key", "export", "enc"), "needs a passphrase")  # never plaintext
    jwk = json.loads(ok("key", "public", "enc", "--jwk", "--kid", "K").stdout)
    assert jwk["kty"] == "EC" and jwk["crv"] == "P-256" and jwk["kid"] == "K" and len(jwk["thumbprint"]) == 43


def test_deleting_a_key_in_use_needs_force(tmp_path, musicapi) -> None:  # type: ignore[no-untyped-def]
    ok("key", "generate", "mapi-key")
    musicapi_profile(tmp_path, musicapi)
    assert_one_clean_line(musicauth("key", "delete", "mapi-key"), "used by mapi", "--force")
    out = ok("key", "delete", "mapi-key", "--force")
    assert "mapi" in out.stderr
    assert_one_clean_line(musicauth("token", "mapi"), "no key named 'mapi-key'")


def test_musicapi_emulator_rejects_a_token_for_an_unknown_kid(tmp_path, musicapi) -> None:  # type: ignore[no-untyped-def]
    ok("key", "generate", "mapi-key")  # public key never registered: the kid is unknown there
    musicapi_profile(tmp_path, musicapi)
    result = musicauth("try", "mapi")
    assert result.returncode == 4
    assert result.stdout.startswith("401 ") and "unknown kid" in result.stdout


def test_apple_music_developer_token(tmp_path) -> None:  # type: ignore[no-untyped-def]
    p8 = openssl("pkcs8", "-topk8", "-nocrypt", input=openssl("ecparam", "-name", "prime256v1", "-genkey", "-noout"))
    ok("key", "import", "apple", write(tmp_path, "AuthKey_ABCDE12345.p8", p8))
    profile = """
[profiles.am]
provider = "apple-music"
team_id = "TEAM123456"
key_id = "ABCDE12345"
key = "apple"
devtoken_ttl = "{ttl}"
origin = ["https://example.com"]
"""
    assert_one_clean_line(
        musicauth("profile", "import", write(tmp_path, "bad.toml", profile.format(ttl="200d"))), "six months"
    )
    ok("profile", "import", write(tmp_path, "am.toml", profile.format(ttl="180d")))
    header = ok("token", "am", "--format", "header").stdout.strip()
    assert header.startswith("Authorization: Bearer ")
    public = serialization.load_pem_public_key(openssl("pkey", "-pubout", input=p8))
    head, claims = verify_es256(header.split()[-1], public)  # type: ignore[arg-type]
    assert head["kid"] == "ABCDE12345" and claims["iss"] == "TEAM123456"
    assert claims["origin"] == ["https://example.com"] and claims["exp"] - claims["iat"] == 180 * 86400
