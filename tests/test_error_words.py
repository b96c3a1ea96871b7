"""Every error the core can raise, with every action it could suggest, through both front ends'
words: the desktop app's never carry command-line syntax, the terminal's are always one line.

The errors are found, not listed: every core module is imported and ``MusicAuthError`` is walked
for subclasses, so an error class added anywhere in the core is checked without touching this
file (the count below makes sure the walk found them).
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

import musicauth_gui.core
from musicauth_gui.cli import error_line
from musicauth_gui.core.errors import Action, MalformedResponse, MusicAuthError
from musicauth_gui.core.secret import Secret
from musicauth_gui.gui.field_labels import FIELD_LABELS
from musicauth_gui.gui.messages import action_labels, button_label, editor_text, error_text, message_text
from tests.support.cli import assert_one_clean_line, musicauth

# What a desktop user must never be told to type or edit.
CLI_SYNTAX = ("musicauth ", "--", "profiles file", "`")
# A name a shell would act on: the terminal's words must quote it, and still be one line.
ODD_NAME = "$(touch pwned) it's"
MESSAGE = "something happened"

# A sample argument for each constructor parameter of the error classes, by name.
SAMPLES: dict[str, object] = {
    "message": MESSAGE,
    "name": ODD_NAME,
    "reason": "the refresh token has expired",
    "detail": "no backend",
    "host": "127.0.0.1",
    "port": 8765,
    "status": 400,
    "error": "invalid_request",
    "description": "a description",
    "profiles": ["a", "b"],
    "variable": "MXM_SECRET",
    "cause": MalformedResponse(MESSAGE),
    "refresh_token": Secret("rt-secret"),
}
ENTRIES = (f"profile/{ODD_NAME}", f"key/{ODD_NAME}", "index")


def error_classes() -> list[type[MusicAuthError]]:
    for module in pkgutil.walk_packages(musicauth_gui.core.__path__, "musicauth_gui.core."):
        importlib.import_module(module.name)
    found: list[type[MusicAuthError]] = []
    todo = [MusicAuthError]
    while todo:
        cls = todo.pop()
        if cls.__module__.startswith("musicauth_gui.core") and cls not in found:
            found.append(cls)
        todo.extend(cls.__subclasses__())
    return sorted(found, key=lambda c: c.__qualname__)


def instances(cls: type[MusicAuthError]) -> Iterator[MusicAuthError]:
    """``cls`` built the way its raisers build it (EntryDamaged: once per kind of entry)."""
    params = [p for p in inspect.signature(cls.__init__).parameters.values() if p.name != "self"]
    required = [p for p in params if p.default is inspect.Parameter.empty and p.kind is not p.VAR_KEYWORD]
    if any(p.name == "entry" for p in params):
        for entry in ENTRIES:
            yield cls(MESSAGE, entry=entry)  # type: ignore[call-arg]
        return
    positional = [SAMPLES[p.name] for p in required if p.kind is p.POSITIONAL_OR_KEYWORD]
    keywords = {p.name: SAMPLES[p.name] for p in required if p.kind is p.KEYWORD_ONLY}
    yield cls(*positional, **keywords)


def variants(exc: MusicAuthError) -> Iterator[MusicAuthError]:
    """``exc`` as raised, then with each action alone, about a profile, a key or neither, and
    for EDIT_FIELD with each field the editor shows (and none)."""
    yield exc
    for action in Action:
        for profile, key_name in ((ODD_NAME, None), (None, ODD_NAME), (None, None)):
            for field in (*FIELD_LABELS, "auto_renew", None) if action is Action.EDIT_FIELD else (exc.field,):
                variant = same_error(exc)
                variant.profile, variant.key_name, variant.field, variant.actions = profile, key_name, field, (action,)
                yield variant


def same_error(exc: MusicAuthError) -> MusicAuthError:
    """A copy of ``exc`` to change (``copy.copy`` would call ``__init__`` with ``args``)."""
    variant = type(exc).__new__(type(exc), *exc.args)
    variant.__dict__.update(exc.__dict__)
    return variant


CLASSES = error_classes()


def test_the_walk_finds_every_error_of_the_core() -> None:
    names = {cls.__name__ for cls in CLASSES}
    # The store's and the key module's own, next to those of errors.py.
    assert {"KeyNotFound", "KeyInUse", "EntryDamaged", "KeyProblem", "PassphraseRequired", "NeedsSignIn"} <= names
    assert len(CLASSES) >= 29


@pytest.mark.parametrize("cls", CLASSES, ids=lambda cls: cls.__name__)
def test_the_desktop_words_carry_no_command_line(cls: type[MusicAuthError]) -> None:
    checked = 0
    for exc in instances(cls):
        for variant in variants(exc):
            buttons = [button_label(action, variant) for action in variant.actions]
            for text in (error_text(variant), editor_text(variant), message_text(variant), *action_labels(variant), *buttons):
                assert not [s for s in CLI_SYNTAX if s in text], (cls.__name__, variant.actions, text)
                assert "\n" not in text and "None" not in text and "_" not in text.replace(variant.message, ""), text
            checked += 1
    assert checked > len(Action)


@pytest.mark.parametrize("cls", CLASSES, ids=lambda cls: cls.__name__)
def test_the_terminal_words_are_one_line(cls: type[MusicAuthError]) -> None:
    for exc in instances(cls):
        for variant in variants(exc):
            line = error_line(variant)
            assert len(line.splitlines()) == 1 and "None" not in line, line
            assert variant.message in line
            if variant.actions:
                assert line != variant.message  # every action has words


def test_a_sign_in_is_a_command_in_the_terminal_and_a_button_on_the_desktop() -> None:
    from musicauth_gui.core.errors import NeedsSignIn

    exc = NeedsSignIn(ODD_NAME, "the refresh token has expired")
    assert str(exc) == f"profile {ODD_NAME!r} needs sign-in (the refresh token has expired)"
    assert error_line(exc) == f"{exc}; run `musicauth login '$(touch pwned) it'\"'\"'s'`"
    assert error_text(exc) == f"{exc} — Sign in"


def test_a_field_error_names_the_profile_and_the_field_label() -> None:
    from musicauth_gui.core.profiles_file import parse_profile

    with pytest.raises(MusicAuthError) as info:
        parse_profile("mxm", {"provider": "musixmatch", "client_id": "a", "client_secret": 5})
    exc = info.value
    assert (exc.profile, exc.field, exc.actions) == ("mxm", "client_secret", (Action.EDIT_FIELD,))
    assert error_line(exc) == (
        "profile 'mxm': client_secret must be a string; set client_secret in the profiles file and import it again"
    )
    assert error_text(exc) == "profile 'mxm': client_secret must be a string — Edit Client secret"
    assert editor_text(exc) == "client_secret must be a string"


def test_the_cli_prints_a_field_error_with_its_profile_and_the_way_out(tmp_path: Path) -> None:
    path = tmp_path / "p.toml"
    path.write_text('[profiles.mine]\nprovider = "spotify"\n')
    result = musicauth("profile", "import", str(path))
    line = assert_one_clean_line(result, "profile 'mine': client_id is required")
    assert line.endswith("; set client_id in the profiles file and import it again")
    assert result.returncode == 1


def test_no_core_message_tells_a_command_line() -> None:
    """The words of a message the core raises hold no command of either front end (docstrings
    and comments may name them)."""
    core = Path(musicauth_gui.core.__file__).parent
    found = subprocess.run(
        ["grep", "-rnE", r"run .musicauth |add --force|profiles file and import", str(core)],
        capture_output=True,
        text=True,
    )
    assert found.stdout == ""
