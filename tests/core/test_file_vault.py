"""The encrypted vault file (core/store/file_vault.py): keyring's own backend contract, the file's
format under damage and a wrong passphrase, two processes writing at once, the mode, and the
migration between it and the keyring in both directions, through the real CLI as well.

Vaults made here directly use a cheap scrypt (``CHEAP``): the parameters live in each file's
header, so every later open of that file, in this process or another, is cheap too. Vaults the
CLI makes use the real parameters (about 0.2 s per command).
"""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from pathlib import Path
from typing import Any

import keyring.errors
import pytest
from keyring.backend import KeyringBackend
from keyring.testing.backend import BackendBasicTests

from musicauth_gui.core.errors import StoresDisagree, VaultDamaged, WrongVaultPassphrase
from musicauth_gui.core.secret import Secret
from musicauth_gui.core.store.file_vault import DEFAULT_KDF, FileVault, KdfParams
from musicauth_gui.core.store.migrate import migrate
from musicauth_gui.core.store.vault import MemoryVault
from tests.core.conftest import CLIENT_ID, CLIENT_SECRET, profiles_file
from tests.support.cli import assert_one_clean_line, musicauth

CHEAP = KdfParams(n=2**10, r=8, p=1)
PASSPHRASE = Secret("correct horse battery staple")
NO_KEYRING = "keyring.backends.fail.Keyring"


@pytest.fixture
def vault_path(tmp_path: Path) -> Path:
    return tmp_path / "vaults" / "vault"


def cheap_vault(path: Path, passphrase: Secret = PASSPHRASE) -> FileVault:
    return FileVault.open(path, passphrase, kdf=CHEAP)


# -- keyring's own backend contract ---------------------------------------------------------------


class VaultKeyring(KeyringBackend):
    """keyring's backend interface over a FileVault, so that keyring's contract tests can run on
    it: (service, username) is one vault key."""

    priority = 0  # type: ignore[assignment]  # never chosen by keyring's discovery

    def __init__(self, vault: FileVault) -> None:
        super().__init__()
        self.vault = vault

    @staticmethod
    def _key(service: str, username: str) -> str:
        return json.dumps([service, username])

    def get_password(self, service: str, username: str) -> str | None:
        return self.vault.get(self._key(service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self._validate_username(username)
        self.vault.set(self._key(service, username), password)

    def delete_password(self, service: str, username: str) -> None:
        key = self._key(service, username)
        if self.vault.get(key) is None:
            raise keyring.errors.PasswordDeleteError("not found")
        self.vault.delete(key)

    def with_properties(self, **kwargs: Any) -> VaultKeyring:  # keyring's copies keep the vault
        alt = VaultKeyring(self.vault)
        vars(alt).update(kwargs)
        return alt


class TestKeyringBackendContract(BackendBasicTests):
    def init_keyring(self) -> VaultKeyring:
        # keyring's fixture runs before any of this class's own: the test's data folder
        # (tests/conftest.py's isolated_dirs) holds the file.
        self.vault_file = Path(os.environ["XDG_DATA_HOME"]) / "contract" / "vault"
        return VaultKeyring(cheap_vault(self.vault_file))

    def test_a_second_opener_reads_what_was_written(self) -> None:
        self.set_password("service", "user", "value ✓")
        assert VaultKeyring(cheap_vault(self.vault_file)).get_password("service", "user") == "value ✓"


# -- the file -------------------------------------------------------------------------------------


def test_round_trip_mode_and_no_plaintext(vault_path: Path) -> None:
    vault = cheap_vault(vault_path)
    vault.set("profile/mxm", '{"client_secret":"s3cret-value"}')
    vault.set("index", "{}")
    vault.delete("index")
    vault.delete("never-there")  # nothing to delete is no error, as with the keyring vault
    assert stat.S_IMODE(vault_path.stat().st_mode) == 0o600
    assert stat.S_IMODE(vault_path.parent.stat().st_mode) == 0o700
    assert b"s3cret-value" not in vault_path.read_bytes() and b"mxm" not in vault_path.read_bytes()
    assert sorted(p.name for p in vault_path.parent.iterdir()) == ["vault", "vault.lock"]  # no temp files left
    again = FileVault.open(vault_path, Secret("correct horse battery staple"))
    assert again.keys() == ["profile/mxm"] and again.get("profile/mxm") == '{"client_secret":"s3cret-value"}'


def test_the_parameters_are_in_the_header_and_a_new_vault_takes_the_default(vault_path: Path) -> None:
    cheap_vault(vault_path)
    header = json.loads(vault_path.read_bytes().split(b"\n")[1])
    assert header["kdf"] == {"name": "scrypt", "n": 2**10, "r": 8, "p": 1, "salt": header["kdf"]["salt"]}
    assert header["cipher"] == "AES-256-GCM"
    assert DEFAULT_KDF == KdfParams(n=2**17, r=8, p=1)


def test_a_wrong_passphrase_says_so_and_changes_nothing(vault_path: Path) -> None:
    cheap_vault(vault_path).set("profile/a", "x")
    before = vault_path.read_bytes()
    with pytest.raises(WrongVaultPassphrase, match="passphrase does not open"):
        FileVault.open(vault_path, Secret("Correct horse battery staple"))
    assert vault_path.read_bytes() == before


def _flip(path: Path, offset: int) -> None:
    data = bytearray(path.read_bytes())
    data[offset] ^= 0x01
    path.write_bytes(bytes(data))


def _header_end(path: Path) -> int:
    data = path.read_bytes()
    return data.index(b"\n", data.index(b"\n") + 1) + 1


@pytest.mark.parametrize(
    ("damage", "says"),
    [
        ("magic", "does not start like a musicauth vault"),
        ("salt", "header does not match its checksum"),
        ("body", "fails authentication"),
        ("last byte", "fails authentication"),
        ("truncated in the body", "fails authentication"),
        ("truncated in the header", "header is cut short"),
        ("empty", "it is empty"),
    ],
)
def test_a_damaged_file_is_one_clear_error_and_is_never_written(vault_path: Path, damage: str, says: str) -> None:
    vault = cheap_vault(vault_path)
    vault.set("profile/a", "a value long enough to have a body")
    size = vault_path.stat().st_size
    if damage == "magic":
        _flip(vault_path, 0)
    elif damage == "salt":
        data = vault_path.read_bytes()
        _flip(vault_path, data.index(b'"salt":"') + 9)
    elif damage == "body":
        _flip(vault_path, _header_end(vault_path) + 3)
    elif damage == "last byte":  # the GCM tag
        _flip(vault_path, size - 1)
    elif damage == "truncated in the body":
        os.truncate(vault_path, size - 5)
    elif damage == "truncated in the header":
        os.truncate(vault_path, 40)
    else:
        os.truncate(vault_path, 0)
    damaged = vault_path.read_bytes()
    # A new opener, and the vault already open (it sees the changed file), say the same.
    with pytest.raises(VaultDamaged, match=says) as info:
        FileVault.open(vault_path, PASSPHRASE)
    assert "left as it is" in info.value.message
    for call in (lambda: vault.get("profile/a"), lambda: vault.set("profile/b", "v"), lambda: vault.delete("profile/a")):
        with pytest.raises(VaultDamaged, match=says):
            call()
    assert vault_path.read_bytes() == damaged


def test_an_altered_nonce_with_a_recomputed_checksum_still_fails_authentication(vault_path: Path) -> None:
    """Deliberate tampering (the checksum recomputed) is caught by the AEAD: the header is its
    associated data."""
    from musicauth_gui.core.store.file_vault import MAGIC, _canonical, _header_sum

    cheap_vault(vault_path).set("k", "v")
    _magic, line, body = vault_path.read_bytes().split(b"\n", 2)
    fields = json.loads(line)
    del fields["sum"]
    fields["nonce"] = "AAAAAAAAAAAAAAAA"
    fields["sum"] = _header_sum(fields)
    vault_path.write_bytes(MAGIC + b"\n" + _canonical(fields) + b"\n" + body)
    with pytest.raises(VaultDamaged, match="fails authentication"):
        FileVault.open(vault_path, PASSPHRASE)


def test_another_process_s_write_is_read_at_the_next_call(vault_path: Path) -> None:
    first, second = cheap_vault(vault_path), cheap_vault(vault_path)
    first.set("a", "1")
    assert second.get("a") == "1"
    second.set("b", "2")
    first.set("a", "3")  # a read-modify-write on the newest file: b survives
    assert (second.get("a"), first.get("b")) == ("3", "2")


WRITER = """
import sys
from musicauth_gui.core.secret import Secret
from musicauth_gui.core.store.file_vault import FileVault
vault = FileVault.open(sys.argv[1], Secret(sys.argv[2]))
for i in range(int(sys.argv[4])):
    vault.set(f"{sys.argv[3]}/{i}", str(i))
"""


def test_two_processes_writing_at_once_lose_no_update(vault_path: Path) -> None:
    cheap_vault(vault_path)  # the header's cheap scrypt is what the writers derive with
    count = 200
    writers = [
        subprocess.Popen([sys.executable, "-c", WRITER, str(vault_path), PASSPHRASE.reveal(), who, str(count)])
        for who in ("cli", "gui")
    ]
    assert [w.wait(timeout=120) for w in writers] == [0, 0]
    entries = set(cheap_vault(vault_path).keys())
    assert entries == {f"{who}/{i}" for who in ("cli", "gui") for i in range(count)}


# -- migration, in the core -----------------------------------------------------------------------


def _filled_memory_vault() -> MemoryVault:
    vault = MemoryVault()
    vault.set("index", json.dumps({"v": 1, "profiles": ["a", "b"], "keys": ["k"]}, separators=(",", ":")))  # as the store writes it
    vault.set("profile/a", '{"a":1}')
    vault.set("profile/b", '{"b":2}')
    vault.set("key/k", '{"pem":"..."}')
    return vault


def test_migrate_moves_everything_and_a_second_run_finishes_an_interrupted_one() -> None:
    source, destination = _filled_memory_vault(), MemoryVault()
    before = dict(source._data)
    original_delete = source.delete
    deleted: list[str] = []

    def fail_after_one(key: str) -> None:  # the source's deletes fail after the first
        if deleted:
            raise OSError("the keyring went away")
        deleted.append(key)
        original_delete(key)

    source.delete = fail_after_one  # type: ignore[method-assign]
    with pytest.raises(OSError):
        migrate(source, destination)
    assert destination._data == before  # everything copied and verified before any delete
    source.delete = original_delete  # type: ignore[method-assign]
    report = migrate(source, destination)
    assert (report.profiles, report.keys, report.missing) == (["a", "b"], ["k"], [])
    assert source._data == {} and destination._data == before


def test_migrate_refuses_two_different_contents_for_one_name_and_changes_nothing() -> None:
    source, destination = _filled_memory_vault(), MemoryVault()
    destination.set("profile/b", '{"b":"other"}')
    destination.set("index", json.dumps({"v": 1, "profiles": ["b"], "keys": []}))
    src, dst = dict(source._data), dict(destination._data)
    with pytest.raises(StoresDisagree, match="profile 'b'"):
        migrate(source, destination)
    assert (source._data, destination._data) == (src, dst)


# -- through the CLI ------------------------------------------------------------------------------


def vault_env(vault_path: Path, **extra: str) -> dict[str, str]:
    return {"MUSICAUTH_STORE": "file", "MUSICAUTH_STORE_FILE": str(vault_path), "MUSICAUTH_PASSPHRASE": PASSPHRASE.reveal(), **extra}


def test_token_works_end_to_end_on_the_vault_without_any_keyring(tmp_path: Path, vault_path: Path, live) -> None:  # type: ignore[no-untyped-def]
    env = vault_env(vault_path, PYTHON_KEYRING_BACKEND=NO_KEYRING)
    path = profiles_file(
        tmp_path,
        f"""
[profiles.groove]
provider = "groove"
client_id = "{CLIENT_ID}"
client_secret = "{CLIENT_SECRET}"
token_endpoint = "{live.url('/accesstoken.srf')}"
""",
    )
    imported = musicauth("profile", "import", str(path), env=env)
    assert imported.returncode == 0, imported.stderr
    first = musicauth("token", "groove", env=env)
    assert first.returncode == 0, first.stderr
    assert live.is_access_token_active(first.stdout.strip())
    # The second process reads the stored token from the file: no second issuance.
    second = musicauth("token", "groove", "--format", "header", env=env)
    assert second.stdout.strip() == f"Authorization: Bearer {first.stdout.strip()}"
    assert live.issued_count("client_credentials") == 1
    assert stat.S_IMODE(vault_path.stat().st_mode) == 0o600
    data = vault_path.read_bytes()
    assert CLIENT_SECRET.encode() not in data and first.stdout.strip().encode() not in data
    # The passphrase from a file works as well; a wrong one is one clear line.
    (tmp_path / "pass").write_text(PASSPHRASE.reveal() + "\n")
    from_file = {**env, "MUSICAUTH_PASSPHRASE": "", "MUSICAUTH_PASSPHRASE_FILE": str(tmp_path / "pass")}
    assert musicauth("token", "groove", env=from_file).stdout == first.stdout
    wrong = musicauth("token", "groove", env={**env, "MUSICAUTH_PASSPHRASE": "nope"})
    assert_one_clean_line(wrong, "passphrase does not open the vault file", "MUSICAUTH_PASSPHRASE")


def test_the_no_keyring_message_names_the_vault() -> None:
    result = musicauth("profile", "list", env={"PYTHON_KEYRING_BACKEND": NO_KEYRING})
    assert_one_clean_line(result, "no usable keyring", "MUSICAUTH_STORE=file")


def test_without_a_passphrase_or_a_terminal_it_says_how_to_give_one(vault_path: Path) -> None:
    result = musicauth("profile", "list", env=vault_env(vault_path, MUSICAUTH_PASSPHRASE=""))
    assert_one_clean_line(result, "needs its passphrase", "MUSICAUTH_PASSPHRASE_FILE")
    assert not vault_path.exists()


def keyring_entries() -> dict[str, str]:
    """Every musicauth entry the test keyring holds, by name."""
    folder = Path(os.environ["MUSICAUTH_TEST_KEYRING_DIR"])
    entries = {}
    for path in folder.glob("*.json"):
        item = json.loads(path.read_text())
        if item["service"] == "musicauth":
            entries[item["username"]] = item["value"]
    return entries


def test_migrate_both_ways_through_the_cli_loses_nothing_even_when_interrupted(tmp_path: Path, vault_path: Path, live) -> None:  # type: ignore[no-untyped-def]
    path = profiles_file(
        tmp_path,
        "".join(
            f"""
[profiles.{name}]
provider = "groove"
client_id = "{CLIENT_ID}"
client_secret = "{CLIENT_SECRET}"
token_endpoint = "{live.url('/accesstoken.srf')}"
"""
            for name in ("one", "two", "three")
        ),
    )
    for args in (("profile", "import", str(path)), ("token", "one"), ("token", "two"), ("key", "generate", "mapi-key")):
        done = musicauth(*args)
        assert done.returncode == 0, done.stderr
    original = keyring_entries()
    assert set(original) == {"index", "profile/one", "profile/two", "profile/three", "key/mapi-key"}
    env = vault_env(vault_path)
    env.pop("MUSICAUTH_STORE")  # the engine on the keyring; the vault file is the other store

    # The keyring fails to delete: everything is in both stores, nothing lost.
    failing = musicauth("store", "migrate", "--to", "file", env={**env, "MUSICAUTH_TEST_KEYRING_FAIL": "delete"})
    assert_one_clean_line(failing, "the keyring failed")
    assert keyring_entries() == original
    assert {k: FileVault.open(vault_path, PASSPHRASE).get(k) for k in original} == original

    # Run again: it finishes.
    moved = musicauth("store", "migrate", "--to", "file", env=env)
    assert moved.returncode == 0, moved.stderr
    assert "moved 3 profile(s) and 1 key(s) from the keyring to the vault file" in moved.stderr
    assert "set MUSICAUTH_STORE=file" in moved.stderr
    assert keyring_entries() == {}
    vault = FileVault.open(vault_path, PASSPHRASE)
    assert {k: vault.get(k) for k in vault.keys()} == original
    listed = musicauth("profile", "list", "--json", env=vault_env(vault_path))
    assert [row["name"] for row in json.loads(listed.stdout)] == ["one", "two", "three"]
    token = musicauth("token", "one", env=vault_env(vault_path))
    assert token.returncode == 0 and live.issued_count("client_credentials") == 2  # the stored one

    # And back, from an engine on the vault file; a keyring write failure first, then the rest.
    back_env = vault_env(vault_path)
    failing = musicauth(
        "store", "migrate", "--to", "keyring",
        env={**back_env, "MUSICAUTH_TEST_KEYRING_FAIL": "set", "MUSICAUTH_TEST_KEYRING_FAIL_TIMES": "1"},
    )
    assert_one_clean_line(failing, "the keyring failed")
    vault.reread()
    assert {k: vault.get(k) for k in vault.keys()} == original
    back = musicauth("store", "migrate", "--to", "keyring", env=back_env)
    assert back.returncode == 0, back.stderr
    assert "unset MUSICAUTH_STORE" in back.stderr
    assert keyring_entries() == original
    vault.reread()
    assert vault.keys() == []
    assert musicauth("token", "one").stdout == token.stdout


def test_migrating_from_a_vault_file_that_is_not_there_makes_none(vault_path: Path) -> None:
    env = vault_env(vault_path)
    env.pop("MUSICAUTH_STORE")
    result = musicauth("store", "migrate", "--to", "keyring", env=env)
    assert_one_clean_line(result, "there is no vault file at")
    assert not vault_path.exists()


def test_a_wrong_passphrase_from_the_environment_names_its_variable(vault_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Asking again would read the same variable: the error says where the passphrase came from
    and that the way out is to set it right (the desktop app's Retry cannot help)."""
    from musicauth_gui.core.errors import Action
    from musicauth_gui.core.store.selection import open_vault

    monkeypatch.setenv("MUSICAUTH_STORE_FILE", str(vault_path))
    monkeypatch.setenv("MUSICAUTH_PASSPHRASE", PASSPHRASE.reveal())
    open_vault("file")  # makes it
    monkeypatch.setenv("MUSICAUTH_PASSPHRASE", "nope")
    with pytest.raises(WrongVaultPassphrase) as caught:
        open_vault("file", ask=lambda new, path: pytest.fail("not asked: the variable is set"))
    assert "came from MUSICAUTH_PASSPHRASE" in caught.value.message
    assert caught.value.actions == (Action.SET_VARIABLE,)
