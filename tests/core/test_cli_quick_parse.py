"""The one-command parser (``cli._parse_quickly``) reads a command line exactly as the whole
parser does, and hands every help, version request and error to the whole parser."""

from __future__ import annotations

import pytest

from musicauth_gui import cli

SAME = [
    ["token", "mxm"],
    ["token", "mxm", "--format", "header"],
    ["token", "--format=json", "mxm", "--scheme", "basic"],
    ["token", "mxm", "--form", "curl"],  # an abbreviation argparse accepts
    ["-v", "token", "mxm"],
    ["--verbose", "refresh", "a name"],
    ["login", "mxm-user", "--no-browser", "--timeout", "12.5"],
    ["refresh", "--", "-dash-name"],
]

WHOLE_PARSER = [
    ["token"],  # a missing NAME
    ["token", "mxm", "--format", "yaml"],  # not a choice
    ["token", "mxm", "--nope"],
    ["token", "-h"],
    ["-vh", "token", "mxm"],
    ["--version", "token", "x"],
    ["login", "x", "--timeout", "soon"],
    ["refresh", "a", "b"],
    ["profile", "list"],  # not a quick command
    ["exec", "a", "--", "env"],
    [],
]


@pytest.mark.parametrize("words", SAME, ids=" ".join)
def test_same_namespace_as_the_whole_parser(words: list[str]) -> None:
    quick = cli._parse_quickly(list(words))
    assert quick is not None
    assert quick == cli._parse(cli.build_parser(), list(words))


@pytest.mark.parametrize("words", WHOLE_PARSER, ids=" ".join)
def test_help_versions_and_errors_go_to_the_whole_parser(words: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    assert cli._parse_quickly(list(words)) is None
    assert capsys.readouterr() == ("", "")  # it printed nothing of its own


def test_the_usage_error_is_the_whole_parsers(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        cli.main(["token", "mxm", "--format", "yaml"])
    assert exit_info.value.code == 2
    err = capsys.readouterr().err
    assert err.startswith("usage: musicauth token [-h]") and "invalid choice: 'yaml'" in err
