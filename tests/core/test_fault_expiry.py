"""Fault suite, issue 10 item 2: odd expiry values from a provider, and in stored records.

Reproduced before the fix: an ``expires_in`` of "nan", "inf", 1e308, 1e12 or the JSON literal
1e400 was stored as is; then ``profile list`` exited 70 for every profile, ``token`` never renewed
again, and the desktop app crashed on start. Here the real CLI runs against the Musixmatch
emulator (which rotates refresh tokens) with the emulator sending such answers on refresh.
"""

from __future__ import annotations

import base64
import json
import math
import time
from pathlib import Path
from typing import Any

import pytest

from musicauth_gui.cli import _describe, _iso, format_token
from musicauth_gui.core.errors import EntryDamaged
from musicauth_gui.core.expiry import MAX_LIFETIME
from musicauth_gui.core.model import Profile, ProfileRecord, TokenSet
from musicauth_gui.core.secret import Secret
from musicauth_gui.core.store.profile_store import ProfileStore
from musicauth_gui.core.store.vault import KeyringVault
from musicauth_gui.sandbox.odd_answers import JsonLiteral
from tests.core.test_cli_flows import import_profiles, mxm_profile, refresh_tokens_sent
from tests.support.cli import assert_one_clean_line, browser_env, musicauth, stored_record
from tests.support.file_keyring import FileKeyring

ODD_EXPIRES_IN = ["nan", "inf", JsonLiteral("1e400"), JsonLiteral("NaN"), 1e308, 1e12, "-1", 0]


@pytest.fixture
def signed_in(tmp_path: Path, mxm) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    import_profiles(tmp_path, mxm_profile(mxm))
    login = musicauth("login", "mxm", env=browser_env())
    assert login.returncode == 0, login.stderr
    return stored_record("mxm")["token"]


def rotated_refresh_token(mxm) -> str:  # type: ignore[no-untyped-def]
    """The one refresh token the emulator still accepts."""
    live = [t.token for t in mxm.store.refresh_tokens.values() if mxm.is_refresh_token_active(t.token)]
    assert len(live) == 1, live
    return live[0]


def listed(name: str) -> dict[str, Any]:
    result = musicauth("profile", "list", "--json")
    assert result.returncode == 0, result.stderr
    return next(row for row in json.loads(result.stdout) if row["name"] == name)


# -- odd answers from the provider --------------------------------------------------------------------


@pytest.mark.parametrize("odd", ODD_EXPIRES_IN, ids=lambda v: f"expires_in={getattr(v, 'text', v)!r}")
def test_an_odd_expires_in_on_refresh_keeps_the_rotated_refresh_token(mxm, signed_in, odd) -> None:  # type: ignore[no-untyped-def]
    mxm.answer_next_token_with({"expires_in": odd, "refresh_token_expires_in": odd})
    refreshed = musicauth("refresh", "mxm")
    assert refreshed.returncode == 0, refreshed.stderr
    assert "Traceback" not in refreshed.stderr

    stored = stored_record("mxm")["token"]
    # The provider retired the old refresh token when it answered: the new one is what is kept.
    assert stored["refresh_token"] == rotated_refresh_token(mxm) != signed_in["refresh_token"]
    assert "expires_at" not in stored and "refresh_expires_at" not in stored  # unknown, not NaN

    row = listed("mxm")
    assert row["token_state"] == "valid" and row["expires_at"] is None and row["expires_in"] is None
    table = musicauth("profile", "list")
    assert table.returncode == 0 and "mxm" in table.stdout

    # Unknown expiry: used until the provider refuses it (core/renewal.py), so no renewal here.
    token = musicauth("token", "mxm", "--format", "json")
    assert token.returncode == 0, token.stderr
    assert json.loads(token.stdout)["access_token"] == stored["access_token"]
    assert json.loads(token.stdout)["expires_in"] is None

    # The next refresh sends the rotated token, and the provider takes it.
    again = musicauth("refresh", "mxm")
    assert again.returncode == 0, again.stderr
    assert refresh_tokens_sent(mxm)[-1] == stored["refresh_token"]
    assert listed("mxm")["expires_in"] > 3000  # a normal answer: a known expiry again


def test_an_odd_expires_in_falls_back_to_the_jwt_exp_and_token_renews_when_due(mxm, signed_in) -> None:  # type: ignore[no-untyped-def]
    # The access token in the odd answer is a JWT whose exp says 4 s: renewal is due half-way
    # (renewal.py: never earlier than half-way). The refresh token beside it is real.
    exp = int(time.time()) + 4
    claims = base64.urlsafe_b64encode(json.dumps({"exp": exp}).encode()).rstrip(b"=").decode()
    mxm.answer_next_token_with({"expires_in": JsonLiteral("1e400"), "access_token": f"e30.{claims}.sig"})
    assert musicauth("refresh", "mxm").returncode == 0
    stored = stored_record("mxm")["token"]
    assert stored["expires_at"] == exp
    assert stored["refresh_token"] == rotated_refresh_token(mxm)

    # Due from half-way through its life as stored (the refresh itself took part of the 4 s).
    time.sleep(max(0.0, (stored["issued_at"] + stored["expires_at"]) / 2 - time.time()) + 0.3)
    token = musicauth("token", "mxm")
    assert token.returncode == 0, token.stderr
    assert token.stdout.strip() != stored["access_token"] and mxm.is_access_token_active(token.stdout.strip())
    assert refresh_tokens_sent(mxm)[-1] == stored["refresh_token"]


@pytest.mark.parametrize("field", ["access_token", "refresh_token", "token_type"])
def test_a_token_with_a_control_character_is_one_clean_line_and_a_clean_rotation_is_kept(mxm, signed_in, field) -> None:  # type: ignore[no-untyped-def]
    mxm.answer_next_token_with({field: "abc\x1b]0;pwned\x07def"})
    result = musicauth("refresh", "mxm")
    line = assert_one_clean_line(result, field, "control character")
    assert result.returncode == 4 and "\x1b" not in result.stderr and "pwned" not in line
    stored = stored_record("mxm")["token"]
    if field == "refresh_token":
        assert stored == signed_in  # nothing in the answer is worth keeping
        return
    # The provider rotated before it sent the broken field: its new refresh token is kept (the
    # old one is spent), and the next refresh spends it.
    assert "refresh token in it was kept" in line
    assert stored["refresh_token"] == rotated_refresh_token(mxm) != signed_in["refresh_token"]
    again = musicauth("refresh", "mxm")
    assert again.returncode == 0, again.stderr
    assert refresh_tokens_sent(mxm)[-1] == stored["refresh_token"]


# -- odd values already stored (written by an older version) --------------------------------------------


def store_token_fields(name: str, raw_json_fields: dict[str, str]) -> None:
    """Rewrite fields of the stored token as raw JSON text (NaN and Infinity included), as an
    older version's ``json.dumps`` wrote them."""
    entry = stored_record(name)
    token = {k: v for k, v in entry["token"].items() if k not in raw_json_fields}
    token_text = json.dumps(token)[:-1] + "".join(f', "{k}": {v}' for k, v in raw_json_fields.items()) + "}"
    text = json.dumps({**entry, "token": "@@token@@"}).replace('"@@token@@"', token_text)
    FileKeyring().set_password("musicauth", f"profile/{name}", text)


@pytest.mark.parametrize("bad", ["NaN", "Infinity", "-Infinity", "1e308", "1e400", '"soon"', "true", "[1]", "-5"])
def test_a_stored_record_with_odd_times_lists_and_renews(mxm, signed_in, bad) -> None:  # type: ignore[no-untyped-def]
    store_token_fields("mxm", {"expires_at": bad, "refresh_expires_at": bad, "issued_at": bad, "consented_at": bad})
    row = listed("mxm")
    assert row["expires_at"] is None and row["expires_in"] is None and row["refresh_expires_at"] is None
    as_json = musicauth("token", "mxm", "--format", "json")
    assert as_json.returncode == 0, as_json.stderr
    assert json.loads(as_json.stdout)["access_token"] == signed_in["access_token"]
    assert json.loads(as_json.stdout)["issued_at"] is None
    refreshed = musicauth("refresh", "mxm")
    assert refreshed.returncode == 0, refreshed.stderr
    assert refresh_tokens_sent(mxm) == [signed_in["refresh_token"]]
    assert listed("mxm")["expires_in"] > 3000


@pytest.mark.parametrize(
    ("where", "value"),
    [
        ("token.access_token", 5),
        ("token.access_token", None),
        ("token.refresh_token", ["r"]),
        ("token.token_type", 1),
        ("token", "a string"),
        ("profile.flow", 7),
        ("profile.name", None),
        ("profile.scopes", "profile email"),
        ("profile.auto_renew", "yes"),
        ("profile", ["name", "mxm"]),
        ("status.needs_sign_in", "no"),
        ("status.reason", {"x": 1}),
        ("client_secret", 12),
    ],
)
def test_a_wrong_typed_field_makes_that_entry_damaged_not_a_crash(mxm, signed_in, where, value) -> None:  # type: ignore[no-untyped-def]
    entry = stored_record("mxm")
    *path, last = where.split(".")
    target = entry
    for part in path:
        target = target[part]
    target[last] = value
    FileKeyring().set_password("musicauth", "profile/mxm", json.dumps(entry))

    listing = musicauth("profile", "list", "--json")
    assert listing.returncode == 0, listing.stderr
    # Skipped, or (once listings show damaged entries) listed without a token state.
    usable_states = {"valid", "expired", "renew due", "none", "needs sign-in"}
    assert not [row for row in json.loads(listing.stdout) if row.get("token_state") in usable_states]
    token = musicauth("token", "mxm")
    assert_one_clean_line(token, "damaged")
    assert token.returncode == 1


async def test_the_store_reads_odd_times_as_unknown_and_wrong_types_as_damaged() -> None:
    keyring = FileKeyring()
    store = ProfileStore(KeyringVault(keyring), cross_process=False)
    try:
        profile = Profile(name="p", provider="musixmatch", flow="client_credentials")
        await store.save(ProfileRecord(profile, token=TokenSet(access_token=Secret("a"), issued_at=1000, expires_at=2000)))
        entry = json.loads(keyring.get_password("musicauth", "profile/p") or "")
        entry["token"]["expires_at"] = float("inf")
        entry["token"]["issued_at"] = time.time() + 2 * MAX_LIFETIME
        keyring.set_password("musicauth", "profile/p", json.dumps(entry))
        token = (await store.load("p", fresh=True)).token
        assert token is not None and token.expires_at is None and token.issued_at is None

        entry["token"]["access_token"] = 42
        keyring.set_password("musicauth", "profile/p", json.dumps(entry))
        with pytest.raises(EntryDamaged):
            await store.load("p", fresh=True)
        listing = await store.scan()
        assert listing.records == [] and [d.name for d in listing.damaged] == ["p"]
    finally:
        store.close()


# -- CLI formatters, fed what validation should have stopped -----------------------------------------

BAD_TIMES = [math.nan, math.inf, -math.inf, 1e308, -1e308, 1e20]


def record_with(token: TokenSet) -> ProfileRecord:
    profile = Profile(name="p", provider="musixmatch", flow="authorization_code", client_id="c")
    return ProfileRecord(profile, token=token)


@pytest.mark.parametrize("bad", BAD_TIMES)
def test_cli_formatters_show_unknown_for_times_that_slipped_through(bad: float) -> None:
    now = time.time()
    token = TokenSet(access_token=Secret("tok"), issued_at=bad, expires_at=bad, refresh_expires_at=bad, consented_at=bad)
    record = record_with(token)
    assert _iso(bad) is None
    row = _describe(record, now)
    assert row["expires_at"] is None and row["expires_in"] is None and row["refresh_expires_at"] is None
    assert row["token_state"] in ("valid", "expired", "renew due")
    data = json.loads(format_token(record, token, "json", now=now))
    assert data["expires_in"] is None and data["expires_at"] is None and data["issued_at"] is None
    assert "refresh_token_expires_at" not in data
    for fmt in ("raw", "header", "curl"):
        assert "tok" in format_token(record, token, fmt, now=now)


def test_cli_formatters_still_show_good_times_and_none() -> None:
    now = 1_700_000_000.0
    assert _iso(None) is None
    assert _iso(now) == "2023-11-14T22:13:20Z"
    record = record_with(TokenSet(access_token=Secret("tok"), issued_at=now, expires_at=now + 90))
    assert _describe(record, now)["expires_in"] == 90
    assert _describe(record, now + 100)["token_state"] == "expired"
    assert _describe(record_with(TokenSet(access_token=Secret("tok"), issued_at=now)), now)["expires_at"] is None
