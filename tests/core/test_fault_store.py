"""Damaged store entries (issue 10, item 4): listings skip and mark them, part markers are
bounded, and every damaged state has a one-command repair that its error line names.

The damage is written straight into the test keyring (``FileKeyring``), as a crash, a keyring
tool (Seahorse, Keychain Access) or a bad backend would leave it; the behaviour is checked
through the real ``musicauth`` command line in a subprocess.
"""

from __future__ import annotations

import json
import subprocess
import time
from pathlib import Path

import pytest

from musicauth_gui.core.errors import EntryDamaged
from musicauth_gui.core.store.vault import MAX_PARTS, KeyringVault
from tests.core.conftest import CLIENT_ID, CLIENT_SECRET, profiles_file
from tests.support.cli import assert_one_clean_line, musicauth
from tests.support.file_keyring import FileKeyring

REPAIR_INDEX = "run `musicauth store repair`"


def ok(*args: str) -> subprocess.CompletedProcess[str]:
    result = musicauth(*args)
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    return result


def profiles_toml(*names: str, key: str | None = None, mxm: object = None) -> str:
    endpoint = f'token_endpoint = "{mxm.url("/oauth/token")}"\n' if mxm is not None else ""  # type: ignore[attr-defined]
    uses_key = f'key = "{key}"\n' if key else ""
    return "".join(
        f'[profiles.{name}]\nprovider = "musixmatch"\nflow = "client_credentials"\n'
        f'client_id = "{CLIENT_ID}"\nclient_secret = "{CLIENT_SECRET}"\n{endpoint}{uses_key}\n'
        for name in names
    )


def import_profiles(tmp_path: Path, text: str) -> None:
    ok("profile", "import", str(profiles_file(tmp_path, text)))


def damage(entry: str, value: str = "garbage") -> None:
    FileKeyring().set_password("musicauth", entry, value)


def lose(entry: str) -> None:
    """Delete an entry behind the app's back, as Seahorse or Keychain Access would."""
    FileKeyring().delete_password("musicauth", entry)


def stored(entry: str) -> str | None:
    return FileKeyring().get_password("musicauth", entry)


def index() -> dict[str, list[str]]:
    raw = stored("index")
    assert raw is not None
    return json.loads(raw)  # type: ignore[no-any-return]


# -- part markers -------------------------------------------------------------------------------


class CountingKeyring(FileKeyring):
    def __init__(self) -> None:
        super().__init__()
        self.gets = 0

    def get_password(self, service: str, username: str) -> str | None:
        self.gets += 1
        return super().get_password(service, username)


@pytest.mark.parametrize("count", ["99999999", "0", "-1", "065", "abc", "", "٣", str(MAX_PARTS + 1)])
def test_a_bad_part_marker_is_damage_before_any_part_is_read(count: str) -> None:
    backend = CountingKeyring()
    backend.set_password("musicauth", "profile/x", f"musicauth-parts:{count}")
    with pytest.raises(EntryDamaged, match="bad part marker") as caught:
        KeyringVault(backend).get("profile/x")
    assert caught.value.entry == "profile/x"
    assert backend.gets == 1  # the marker only


def test_a_missing_part_is_damage_and_delete_still_removes_every_part() -> None:
    backend = FileKeyring()
    vault = KeyringVault(backend, chunk_chars=10)
    vault.set("profile/big", "x" * 35)  # marker + 4 parts
    backend.delete_password("musicauth", "profile/big#3")
    with pytest.raises(EntryDamaged, match="part 3 of 4 is missing"):
        vault.get("profile/big")
    vault.delete("profile/big")
    assert [stored(f"profile/big#{i}") for i in (1, 2, 4)] == [None, None, None]
    assert stored("profile/big") is None


def test_a_value_written_over_a_damaged_marker_leaves_no_stray_parts() -> None:
    backend = FileKeyring()
    vault = KeyringVault(backend, chunk_chars=10)
    vault.set("profile/big", "y" * 45)  # 5 parts
    backend.set_password("musicauth", "profile/big", "musicauth-parts:99999999")
    vault.set("profile/big", "z" * 15)  # 2 parts; the old 3..5 are found one by one and go
    assert vault.get("profile/big") == "z" * 15
    assert [stored(f"profile/big#{i}") for i in (3, 4, 5)] == [None, None, None]


def test_token_with_a_huge_part_marker_fails_at_once_and_remove_repairs_it(tmp_path: Path) -> None:
    import_profiles(tmp_path, profiles_toml("a"))
    damage("profile/a", "musicauth-parts:99999999")
    started = time.monotonic()
    result = musicauth("token", "a", timeout=20)
    assert time.monotonic() - started < 10
    assert result.returncode == 1
    assert_one_clean_line(result, "'profile/a'", "bad part marker", "`musicauth profile remove a`")

    ok("profile", "remove", "a")
    assert stored("profile/a") is None and index()["profiles"] == []


# -- profiles -----------------------------------------------------------------------------------


def test_profile_list_marks_a_damaged_entry_and_lists_the_rest(tmp_path: Path) -> None:
    import_profiles(tmp_path, profiles_toml("a", "b", "c"))
    damage("profile/b")

    text = ok("profile", "list")
    rows = [line.split() for line in text.stdout.splitlines()[1:]]
    assert rows == [
        ["a", "musixmatch", "client_credentials", "none", "-"],
        ["c", "musixmatch", "client_credentials", "none", "-"],
        ["b", "-", "-", "damaged", "-"],
    ]
    assert "`musicauth profile remove b`" in text.stderr

    listed = json.loads(ok("profile", "list", "--json").stdout)
    assert [(r["name"], r["token_state"]) for r in listed] == [("a", "none"), ("c", "none"), ("b", "damaged")]
    assert "'profile/b' is damaged (not JSON)" in listed[2]["reason"]
    assert set(listed[2]) == set(listed[0])  # one shape for scripts

    ok("profile", "remove", "b")
    assert [r["name"] for r in json.loads(ok("profile", "list", "--json").stdout)] == ["a", "c"]


def test_a_damaged_profile_does_not_stop_the_others_tokens(tmp_path: Path, mxm) -> None:  # type: ignore[no-untyped-def]
    import_profiles(tmp_path, profiles_toml("a", "b", mxm=mxm))
    damage("profile/b", '{"profile": "not a table"}')
    assert ok("token", "a").stdout.strip()
    result = musicauth("token", "b")
    assert_one_clean_line(result, "the stored profile 'b' is damaged", "`musicauth profile remove b`")


def test_export_leaves_out_damaged_profiles_and_says_so(tmp_path: Path) -> None:
    import_profiles(tmp_path, profiles_toml("a", "b", "c"))
    damage("profile/b")

    everything = ok("profile", "export")
    assert "[profiles.a]" in everything.stdout and "[profiles.c]" in everything.stdout
    assert "profiles.b" not in everything.stdout
    assert "not exported: the keyring entry 'profile/b' is damaged" in everything.stderr

    named = musicauth("profile", "export", "a", "b")
    assert named.returncode == 1  # a profile asked for by name is missing from the export
    assert "[profiles.a]" in named.stdout and "profiles.b" not in named.stdout
    assert_one_clean_line(named, "not exported", "'profile/b'", "`musicauth profile remove b`")

    import_profiles(tmp_path, profiles_toml("b"))  # importing it again over the damage works too
    assert "[profiles.b]" in ok("profile", "export", "b").stdout


def test_a_profile_the_index_lists_without_an_entry_is_listed_and_removable(tmp_path: Path) -> None:
    import_profiles(tmp_path, profiles_toml("a", "b"))
    lose("profile/b")

    listed = json.loads(ok("profile", "list", "--json").stdout)
    assert [(r["name"], r["token_state"]) for r in listed] == [("a", "none"), ("b", "damaged")]
    assert "'profile/b' is missing" in listed[1]["reason"]
    assert "`musicauth profile remove b`" in ok("profile", "export").stderr

    ok("profile", "remove", "b")
    assert index()["profiles"] == ["a"]


# -- keys ---------------------------------------------------------------------------------------


def test_key_list_marks_damaged_and_missing_keys_and_public_still_works(tmp_path: Path) -> None:
    for name in ("good", "bad", "gone"):
        ok("key", "generate", name)
    import_profiles(tmp_path, profiles_toml("a", key="good") + profiles_toml("b"))
    damage("key/bad", '{"private_key": "-----BEGIN PRIVATE KEY-----\\nnope\\n-----END PRIVATE KEY-----\\n"}')
    lose("key/gone")
    damage("profile/b")

    listed = json.loads(ok("key", "list", "--json").stdout)
    assert [(k["name"], k.get("state", "ok")) for k in listed] == [("good", "ok"), ("bad", "damaged"), ("gone", "damaged")]
    assert listed[0]["used_by"] == ["a"]
    assert "not a P-256 private key" in listed[1]["reason"] and "'key/gone' is missing" in listed[2]["reason"]
    text = ok("key", "list")
    assert text.stdout.splitlines()[1].startswith("bad  damaged: ")
    assert "`musicauth key delete gone --force`" in text.stderr

    assert ok("key", "public", "good").stdout.startswith("-----BEGIN PUBLIC KEY-----")
    assert '"kty": "EC"' in ok("key", "public", "good", "--jwk").stdout
    assert_one_clean_line(musicauth("key", "public", "gone"), "'key/gone' is missing", "`musicauth key delete gone --force`")
    assert_one_clean_line(musicauth("key", "public", "bad"), "'bad' is damaged", "`musicauth key delete bad --force`")


def test_key_public_works_even_with_a_damaged_index() -> None:
    ok("key", "generate", "good")
    damage("index")
    assert ok("key", "public", "good").stdout.startswith("-----BEGIN PUBLIC KEY-----")


def test_key_delete_repairs_a_missing_or_damaged_key_and_drops_it_from_the_index(tmp_path: Path) -> None:
    for name in ("gone", "bad"):
        ok("key", "generate", name)
    import_profiles(tmp_path, profiles_toml("a", key="bad"))
    lose("key/gone")
    damage("key/bad")

    ok("key", "delete", "gone")
    assert_one_clean_line(musicauth("key", "delete", "bad"), "used by a", "--force")
    deleted = ok("key", "delete", "bad", "--force")
    assert "profiles now without a key: a" in deleted.stderr
    assert index()["keys"] == [] and stored("key/bad") is None
    assert json.loads(ok("key", "list", "--json").stdout) == []
    assert_one_clean_line(musicauth("key", "delete", "gone"), "no key named 'gone'")


def test_a_key_name_is_free_again_once_its_damaged_entry_is_deleted() -> None:
    ok("key", "generate", "k")
    damage("key/k", "musicauth-parts:7")
    assert_one_clean_line(musicauth("key", "generate", "k"), "exists already", "`musicauth key delete k`")
    ok("key", "delete", "k")
    ok("key", "generate", "k")
    assert index()["keys"] == ["k"]


# -- the index ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "value",
    ["garbage", '{"v": 1, "profiles": 5, "keys": []}', '{"v": 1, "profiles": ["a", 7]}', "[1, 2]", "musicauth-parts:3"],
)
def test_a_damaged_index_blocks_writes_with_one_line_naming_the_repair(tmp_path: Path, value: str) -> None:
    import_profiles(tmp_path, profiles_toml("a"))
    ok("key", "generate", "k")
    damage("index", value)
    more = profiles_file(tmp_path, profiles_toml("new"))

    for args in (
        ("profile", "import", str(more)),
        ("key", "generate", "k2"),
        ("profile", "remove", "a"),
        ("key", "delete", "k"),
        ("profile", "list"),
        ("key", "list"),
    ):
        result = musicauth(*args)
        assert result.returncode == 1, args
        assert_one_clean_line(result, "index", REPAIR_INDEX)
    # Nothing was written that no listing could find.
    assert stored("profile/new") is None and stored("key/k2") is None
    assert stored("profile/a") is not None and stored("key/k") is not None


def test_store_repair_drops_names_whose_entries_are_gone(tmp_path: Path) -> None:
    import_profiles(tmp_path, profiles_toml("a", "b", "c"))
    ok("key", "generate", "k")
    lose("profile/b")
    lose("key/k")
    damage("profile/c")

    result = ok("store", "repair")
    assert "dropped profile 'b' from the index" in result.stderr
    assert "dropped key 'k' from the index" in result.stderr
    assert "still damaged: the keyring entry 'profile/c' is damaged (not JSON); run `musicauth profile remove c`" in result.stderr
    assert index() == {"v": 1, "profiles": ["a", "c"], "keys": []}

    again = ok("store", "repair")
    assert "it was sound, nothing was changed" in again.stderr


def test_store_repair_rebuilds_an_unreadable_index_from_what_it_still_shows(tmp_path: Path) -> None:
    import_profiles(tmp_path, profiles_toml("a", "b") + profiles_toml("c", key="k"))
    ok("key", "generate", "k")
    # Cut short mid-value, as a hand edit or a bad backend might leave it.
    damage("index", '{"v":1,"profiles":["a","b","c","ghost"],"ke')

    result = ok("store", "repair")
    assert "the keyring entry 'index' is damaged (not JSON): rebuilt it" in result.stderr
    for line in ("listed profile 'a' again", "listed profile 'c' again", "listed key 'k' again"):
        assert line in result.stderr
    assert "ghost" not in result.stderr  # not in the keyring: not put back
    assert "import your profiles files again" in result.stderr
    assert index() == {"v": 1, "profiles": ["a", "b", "c"], "keys": ["k"]}
    assert [r["name"] for r in json.loads(ok("profile", "list", "--json").stdout)] == ["a", "b", "c"]
    assert json.loads(ok("key", "list", "--json").stdout)[0]["used_by"] == ["c"]


def test_store_repair_resets_an_illegible_index_and_finds_the_names_it_is_given(tmp_path: Path) -> None:
    import_profiles(tmp_path, profiles_toml("a", "b"))
    ok("key", "generate", "k")
    damage("index", "musicauth-parts:99999999")

    reset = ok("store", "repair")
    assert "reset it to empty" in reset.stderr and "`musicauth store repair NAME...`" in reset.stderr
    assert index() == {"v": 1, "profiles": [], "keys": []}

    found = ok("store", "repair", "a", "k", "nothing-here")
    assert "listed profile 'a' again" in found.stderr and "listed key 'k' again" in found.stderr
    assert index() == {"v": 1, "profiles": ["a"], "keys": ["k"]}
    # Re-importing finds the other profile again, into the index.
    import_profiles(tmp_path, profiles_toml("b"))
    assert index()["profiles"] == ["a", "b"]


def test_store_repair_changes_nothing_when_the_keyring_is_locked(tmp_path: Path) -> None:
    import_profiles(tmp_path, profiles_toml("a"))
    damage("index")
    result = musicauth("store", "repair", env={"MUSICAUTH_TEST_KEYRING_LOCKED": "1"})
    assert_one_clean_line(result, "locked")
    assert stored("index") == "garbage"


def test_store_repair_is_in_the_help() -> None:
    assert "store" in ok("--help").stdout
    assert "repair" in ok("store", "--help").stdout
    assert "rebuilt from the names" in ok("store", "repair", "--help").stdout.replace("\n", " ").replace("  ", " ")
