"""Profile and key names: which ones are acceptable, and how to show one in a message.

A name is typed by the user, ends up in keyring entry names, file names (hashed), terminal
output and the commands the command line suggests for an error. So:

- it may not hold characters a terminal acts on or hides: C0 and C1 controls, DEL, and Unicode
  format characters such as U+202E RIGHT-TO-LEFT OVERRIDE, which reorders what is shown
  (Trojan Source, CVE-2021-42574); nor slashes, which would nest keyring entry names;
- a message shows it shortened and quoted (``shown``), so that a long name cannot flood the
  one-line message;
- a suggested command quotes it as a POSIX shell needs (``shell_arg``), so that copying the
  suggestion runs that command and nothing else (a profile named ``$(touch x)``).
"""

from __future__ import annotations

# shlex and unicodedata are imported where used: every command imports this module for its
# error words, and `musicauth token` with a valid token uses neither (benchmarks/README.md,
# "Start-up").

MAX_NAME_LENGTH = 100
#: How much of a name a message shows before an ellipsis.
SHOWN_LENGTH = 40

# Unicode general categories refused anywhere in a name: Cc (controls, C0, DEL and C1), Cf
# (format: bidi overrides, zero-width characters, BOM), Cs (lone surrogates), Co (private
# use), Cn (unassigned), and the line and paragraph separators Zl and Zp.
_REFUSED_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"})


def name_problem(name: str) -> str | None:
    """Why ``name`` cannot be a profile or key name, or None when it can."""
    if not name:
        return "it is empty"
    if len(name) > MAX_NAME_LENGTH:
        return f"it is {len(name)} characters long (at most {MAX_NAME_LENGTH})"
    import unicodedata

    for ch in name:
        if ch in "/\\":
            return "it contains a slash"
        if unicodedata.category(ch) in _REFUSED_CATEGORIES:
            return f"it contains the control or invisible character U+{ord(ch):04X}"
    return None


def shown(name: str) -> str:
    """``name`` for a message: quoted, escapes for anything unprintable, at most
    ``SHOWN_LENGTH`` characters of it before an ellipsis."""
    if len(name) > SHOWN_LENGTH:
        return repr(name[:SHOWN_LENGTH]) + "…"
    return repr(name)


def shell_arg(name: str) -> str:
    """``name`` as one POSIX shell word, for a command an error suggests (``musicauth login NAME``)."""
    import shlex

    return shlex.quote(name)
