"""``client_secret = { env = "VAR" }``: the reference is what is stored and exported; the value is
read from the environment at each use, and a missing variable is one line naming it."""

from __future__ import annotations

import base64
import tomllib
from pathlib import Path

import pytest

from musicauth_gui.cli import error_line
from musicauth_gui.core.env_secret import EnvSecret, MissingVariable
from musicauth_gui.core.errors import Action, ConfigError
from musicauth_gui.core.model import ProfileRecord
from musicauth_gui.core.profiles_file import export_profiles, parse_profile, parse_profiles_text
from musicauth_gui.core.usage import credential
from musicauth_gui.gui.messages import error_text
from tests.core.conftest import CLIENT_ID, CLIENT_SECRET, profiles_file
from tests.support.cli import assert_one_clean_line, musicauth, stored_record


def groove_with_env_secret(live) -> str:  # type: ignore[no-untyped-def]
    return f"""
[profiles.groove]
provider = "groove"
client_id = "{CLIENT_ID}"
client_secret = {{ env = "GROOVE_SECRET" }}
token_endpoint = "{live.url('/accesstoken.srf')}"
"""


def test_the_reference_is_stored_and_the_value_read_at_use(tmp_path, live) -> None:  # type: ignore[no-untyped-def]
    imported = musicauth("profile", "import", str(profiles_file(tmp_path, groove_with_env_secret(live))))
    assert imported.returncode == 0, imported.stderr
    assert stored_record("groove")["client_secret"] == {"env": "GROOVE_SECRET"}

    token = musicauth("token", "groove", env={"GROOVE_SECRET": CLIENT_SECRET})
    assert token.returncode == 0, token.stderr
    assert live.is_access_token_active(token.stdout.strip())
    sent = next(r for r in live.requests if r.path == "/accesstoken.srf")
    assert sent.form["client_secret"] == CLIENT_SECRET
    assert CLIENT_SECRET not in str(stored_record("groove"))  # still never stored


@pytest.mark.parametrize("value", [None, ""], ids=["unset", "empty"])
def test_a_missing_variable_is_one_line_naming_it(tmp_path, live, monkeypatch, value) -> None:  # type: ignore[no-untyped-def]
    assert musicauth("profile", "import", str(profiles_file(tmp_path, groove_with_env_secret(live)))).returncode == 0
    if value is None:
        monkeypatch.delenv("GROOVE_SECRET", raising=False)
    else:
        monkeypatch.setenv("GROOVE_SECRET", value)  # what GitHub Actions gives for a secret that does not exist
    result = musicauth("token", "groove")
    assert result.returncode == 1
    line = assert_one_clean_line(result, "GROOVE_SECRET is not set", "profile 'groove'", "environment")
    assert live.requests == []  # nothing was sent without it
    assert line == (
        "musicauth: profile 'groove': the environment variable GROOVE_SECRET is not set (client_secret is read from it); "
        "set it in musicauth's environment (in CI: from the job's secrets), "
        "or set client_secret in the profiles file and import it again"
    )


def test_the_error_is_data_worded_by_each_front_end() -> None:
    exc = MissingVariable("MXM_SECRET", profile="mxm", field="client_secret")
    assert isinstance(exc, ConfigError)
    assert (exc.variable, exc.profile, exc.field, exc.actions) == (
        "MXM_SECRET",
        "mxm",
        "client_secret",
        (Action.SET_VARIABLE, Action.EDIT_FIELD),
    )
    assert "musicauth" not in exc.message and "`" not in exc.message  # no command line in the core
    assert error_text(exc).endswith("— Set the variable for this session or Edit Client secret")
    assert "in CI" in error_line(exc)


def test_export_writes_the_reference_back_and_it_imports_again(tmp_path, live) -> None:  # type: ignore[no-untyped-def]
    assert musicauth("profile", "import", str(profiles_file(tmp_path, groove_with_env_secret(live)))).returncode == 0
    exported = musicauth("profile", "export")
    assert exported.returncode == 0, exported.stderr
    assert 'client_secret = { env = "GROOVE_SECRET" }' in exported.stdout.splitlines()
    assert tomllib.loads(exported.stdout)["profiles"]["groove"]["client_secret"] == {"env": "GROOVE_SECRET"}
    again = tmp_path / "again.toml"
    again.write_text(exported.stdout)
    assert musicauth("profile", "import", str(again)).returncode == 0
    assert stored_record("groove")["client_secret"] == {"env": "GROOVE_SECRET"}


def test_export_of_a_stored_value_still_writes_no_secret() -> None:
    [item] = parse_profiles_text(f'[profiles.a]\nprovider = "spotify"\nclient_id = "x"\nclient_secret = "{CLIENT_SECRET}"\n')
    text = export_profiles([ProfileRecord(item.profile, client_secret=item.client_secret)])
    assert "client_secret" not in text and CLIENT_SECRET not in text


def test_basic_scheme_reads_the_variable_too(monkeypatch) -> None:
    item = parse_profile(
        "mapi",
        {"provider": "musicapi", "client_id": "cid", "client_secret": {"env": "MAPI_SECRET"}, "key": "k", "key_id": "KID"},
    )
    assert item.client_secret == EnvSecret("MAPI_SECRET")
    record = ProfileRecord(item.profile, client_secret=item.client_secret)
    monkeypatch.setenv("MAPI_SECRET", "s3cret")
    cred = credential(record, None, "basic")
    assert base64.b64decode(cred.value.reveal()) == b"cid:s3cret"
    monkeypatch.delenv("MAPI_SECRET")
    with pytest.raises(MissingVariable, match="MAPI_SECRET"):
        credential(record, None, "basic")


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("{ env = 5 }", "as a table, client_secret must be { env"),
        ('{ env = "1ABC" }', "a variable name of letters"),
        ('{ env = "A B" }', "a variable name of letters"),
        ('{ file = "/x" }', "as a table"),
        ("5", "client_secret must be a string"),
    ],
)
def test_a_reference_of_the_wrong_shape_is_a_field_error(value: str, expected: str, tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as info:
        parse_profiles_text(f'[profiles.a]\nprovider = "spotify"\nclient_id = "x"\nclient_secret = {value}\n')
    assert expected in info.value.message
    assert (info.value.profile, info.value.field) == ("a", "client_secret")
