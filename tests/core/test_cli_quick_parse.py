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


#: What ``cli._token_words`` reads without argparse: the same values argparse gives.
PLAIN_TOKEN = [
    ["token", "mxm"],
    ["token", "mxm", "--format", "header"],
    ["token", "--format=json", "mxm", "--scheme", "basic"],
    ["token", "--scheme=devtoken", "--format", "curl", "a name"],
    ["token", "token"],
    ["token", "a=b"],
    ["token", ""],
]
#: What it leaves to argparse (which may accept it, refuse it or print help).
NOT_PLAIN = [
    ["-v", "token", "mxm"],  # a global option
    ["token", "mxm", "--form", "curl"],  # an abbreviation argparse accepts
    ["token", "mxm", "--format", "json", "--format", "raw"],  # given twice (argparse: the last)
    ["token", "--", "-dash-name"],
    ["token", "-"],
    ["token", "mxm", "-h"],
    ["token", "mxm", "--format"],
    ["token", "mxm", "--format", "yaml"],
    ["token", "mxm", "--format="],
    ["token", "mxm", "--scheme", "--format"],
    ["token", "a", "b"],
    ["token"],
    ["token", "--format", "raw"],
    ["refresh", "mxm"],
    [],
]
TOKEN_ATTRIBUTES = ("command", "verbose", "name", "format", "scheme")
#: What ``cli._refresh_words`` reads without argparse, and what it leaves to argparse.
PLAIN_REFRESH = [["refresh", "mxm"], ["refresh", "a name"], ["refresh", "refresh"], ["refresh", ""], ["refresh", "a=b"]]
NOT_PLAIN_REFRESH = [
    ["refresh"],
    ["refresh", "-"],
    ["refresh", "--", "-dash-name"],
    ["refresh", "mxm", "-h"],
    ["refresh", "-h"],
    ["refresh", "a", "b"],
    ["-v", "refresh", "mxm"],
    ["refresh", "mxm", "--verbose"],
    ["token", "mxm"],
]


@pytest.mark.parametrize("words", PLAIN_TOKEN, ids=" ".join)
def test_plain_token_words_read_as_argparse_reads_them(words: list[str]) -> None:
    plain = cli._token_words(list(words))
    assert plain is not None
    whole = cli._parse(cli.build_parser(), list(words))
    assert {a: getattr(plain, a) for a in TOKEN_ATTRIBUTES} == {a: getattr(whole, a) for a in TOKEN_ATTRIBUTES}


@pytest.mark.parametrize("words", SAME + WHOLE_PARSER + NOT_PLAIN, ids=" ".join)
def test_anything_else_goes_to_argparse(words: list[str]) -> None:
    if words not in PLAIN_TOKEN:
        assert cli._token_words(list(words)) is None


@pytest.mark.parametrize("words", PLAIN_REFRESH, ids=" ".join)
def test_plain_refresh_words_read_as_argparse_reads_them(words: list[str]) -> None:
    plain = cli._refresh_words(list(words))
    assert plain is not None
    assert vars(plain) == vars(cli._parse(cli.build_parser(), list(words)))


@pytest.mark.parametrize("words", SAME + WHOLE_PARSER + NOT_PLAIN + NOT_PLAIN_REFRESH, ids=" ".join)
def test_any_other_line_goes_to_argparse_not_the_refresh_reader(words: list[str]) -> None:
    if words not in PLAIN_REFRESH:
        assert cli._refresh_words(list(words)) is None
