"""Keeping secrets out of reprs, logs and messages.

``Secret`` wraps a value so that an accidental ``repr``, f-string or log call shows ``'****'``; the
value is unwrapped with ``reveal()`` only where it is used (the HTTP request, the clipboard, the
keyring). ``SecretScrubber`` is a logging filter that masks every secret value registered at run
time.
"""

from __future__ import annotations

import hmac
import logging
import re
import threading
from typing import Final, NoReturn

MASK: Final = "****"

# Query and form fields whose values are secrets wherever they appear (RFC 6749, RFC 7636, the
# Groove/Musixmatch docs' camelCase ``accessToken``).
SECRET_FIELDS: Final = frozenset(
    {
        "code",
        "code_verifier",
        "client_secret",
        "access_token",
        "accesstoken",
        "refresh_token",
        "id_token",
        "token",
        "password",
        "assertion",
    }
)


class Secret:
    """A string that never shows itself by accident.

    ``str()`` and ``repr()`` are masked; equality compares the values in constant time so that
    ``Secret`` can be used as a dict value without leaking through comparisons.
    """

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        if isinstance(value, Secret):  # pragma: no cover - defensive
            value = value.reveal()
        self._value = value
        register_secret(value)

    def reveal(self) -> str:
        """The plain value. Call this only at the point of use."""
        return self._value

    def __repr__(self) -> str:
        return f"Secret('{MASK}')"

    __str__ = __repr__

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Secret):
            return hmac.compare_digest(self._value.encode(), other._value.encode())
        return NotImplemented

    def __hash__(self) -> int:
        return hash(self._value)

    def __bool__(self) -> bool:
        return bool(self._value)

    def __reduce__(self) -> NoReturn:  # never pickle a secret into some cache by accident
        raise TypeError("Secret values cannot be pickled")


# Values shorter than this are not scrubbed from logs: masking "a" everywhere would garble
# every log line, and such a value is no secret worth the name anyway.
_MIN_SCRUB_LENGTH: Final = 6
_known_lock = threading.Lock()
_strong: dict[str, None] = {}


def register_secret(value: str) -> None:
    """Remember ``value`` so that ``SecretScrubber`` masks it in every log record."""
    if len(value) < _MIN_SCRUB_LENGTH:
        return
    with _known_lock:
        # A bounded, process-lifetime set: secrets of a desktop session are few (one or two per
        # profile); a cap keeps a long-running process from growing without end.
        if len(_strong) > 4096:
            _strong.pop(next(iter(_strong)))
        _strong[value] = None


def scrub(text: str) -> str:
    """``text`` with every registered secret and every secret-looking field masked."""
    with _known_lock:
        values = sorted(_strong, key=len, reverse=True)
    for value in values:
        if value in text:
            text = text.replace(value, MASK)
    text = _FIELD_RE.sub(lambda m: f"{m.group(1)}={MASK}", text)
    return _JSON_FIELD_RE.sub(lambda m: f'{m.group(1)}"{MASK}"', text)


_FIELD_RE: Final = re.compile(
    r"(?i)\b(" + "|".join(sorted(SECRET_FIELDS, key=len, reverse=True)) + r")=([^&\s\"']+)"
)


_JSON_FIELD_RE: Final = re.compile(
    r'(?i)("(?:' + "|".join(sorted(SECRET_FIELDS, key=len, reverse=True)) + r')"\s*:\s*)"[^"]*"'
)


class SecretScrubber(logging.Filter):
    """A logging filter that masks registered secrets and secret form fields in every record."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = scrub(message)
        if cleaned != message:
            record.msg = cleaned
            record.args = None
        return True


def install_log_scrubber(logger: logging.Logger | None = None) -> None:
    """Attach ``SecretScrubber`` to every handler of ``logger`` (default: the root logger)."""
    target = logger or logging.getLogger()
    for handler in target.handlers:
        if not any(isinstance(f, SecretScrubber) for f in handler.filters):
            handler.addFilter(SecretScrubber())
