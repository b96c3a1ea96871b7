"""docs/cli.md tells the truth: every command and option the parser has, every exit code, every
profile field with the flows that use it (from the core's own table), and every provider; so
does the README's provider table."""

from __future__ import annotations

import argparse
import re
from pathlib import Path

from musicauth_gui import cli
from musicauth_gui.core.model import FLOWS, PROFILE_FIELDS, SECRET_FIELDS
from musicauth_gui.core.presets import PRESETS
from musicauth_gui.core.profiles_file import applicable_fields

ROOT = Path(__file__).resolve().parent.parent
DOC = (ROOT / "docs" / "cli.md").read_text(encoding="utf-8")
COLUMNS = {
    "ac": "authorization_code", "cc": "client_credentials", "dt": "devtoken", "st": "static", "dv": "device",
    "o1": "oauth1", "mu": "music_user_token",
}  # fmt: skip


def commands(parser: argparse.ArgumentParser, path: tuple[str, ...] = ()) -> dict[tuple[str, ...], argparse.ArgumentParser]:
    """Every runnable command (``("key", "import")``) and its parser."""
    found = {}
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                found.update(commands(sub, (*path, name)))
    return found or {path: parser}


def table_rows(heading: str, doc: str = DOC) -> list[list[str]]:
    """The cells of the first table under ``heading`` (a ``###`` or ``##`` line)."""
    lines = doc.split(heading, 1)[1].splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("|"))
    end = next((i for i in range(start, len(lines)) if not lines[i].startswith("|")), len(lines))
    return [[cell.strip() for cell in row.strip("|").split("|")] for row in lines[start + 2 : end]]


def test_every_command_and_option_is_documented() -> None:
    found = commands(cli.build_parser())
    assert len(found) >= 19  # so that it cannot pass by finding none
    for path, parser in found.items():
        assert f"musicauth {' '.join(path)}" in DOC, path
        for action in parser._actions:
            for option in action.option_strings:
                if option not in ("-h", "--help"):
                    assert re.search(rf"(?<![\w-]){re.escape(option)}(?![\w-])", DOC), (path, option)
    for option in ("--version", "--verbose"):
        assert option in DOC


def test_every_exit_code_is_documented() -> None:
    documented = {cell for row in table_rows("## Exit codes") for cell in row[0].split(", ")}
    codes = {value for name, value in vars(cli).items() if name.startswith("EXIT_")}
    assert {str(code) for code in codes | {0}} <= documented


def test_every_provider_is_documented() -> None:
    rows = table_rows("### Providers")
    assert {row[0].strip("`") for row in rows} == set(PRESETS)
    for row in rows:
        preset = PRESETS[row[0].strip("`")]
        assert [flow.strip(" `") for flow in row[1].split(",")] == list(preset.flows)


def test_the_field_table_says_which_flow_uses_each_field_as_the_core_does() -> None:
    rows = {row[0].strip("`"): row for row in table_rows("### Fields")}
    assert set(rows) == {*PROFILE_FIELDS, *SECRET_FIELDS}
    for column, flow in enumerate(COLUMNS.values(), start=1):
        assert flow in FLOWS
        used = set().union(*(applicable_fields(p, flow, has_issuer=True) for p in PRESETS.values() if flow in p.flows))
        for field, row in rows.items():
            assert bool(row[column]) == (field in used), (field, flow)


def test_the_readme_lists_every_preset_with_its_label_and_flows() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    rows = {row[0].strip("`"): row for row in table_rows("\n## Providers\n", readme)}
    assert set(rows) == set(PRESETS), set(rows) ^ set(PRESETS)
    for preset_id, preset in PRESETS.items():
        _, label, flows, quirks = rows[preset_id]
        assert label == preset.label, preset_id
        assert set(preset.flows) <= set(re.findall(r"`(\w+)`", flows)), preset_id
        assert quirks, preset_id
