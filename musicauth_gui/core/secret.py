"""Keeping secrets out of reprs, logs and messages.

``Secret`` wraps a value so that an accidental ``repr``, f-string or log call shows ``'****'``; the
value is unwrapped with ``reveal()`` only where it is used (the HTTP request, the clipboard, the
keyring). ``SecretScrubber`` is a logging filter that masks every live secret's value.

How long secrets stay in memory (the policy; docs/secrets.md has the reasons and the costs):

- At rest they are in the keyring and nowhere else.
- The profile store's cache (``ProfileStore._cache``) keeps, per profile, the record without its
  refresh token and ID token (``WITHHELD`` stands in, so "has a refresh token" stays true). A
  refresh token is only ever spent by a renewal or a sign-out, and both read the record afresh
  under the renewal lock anyway, so keeping it cached bought nothing. The access token and the
  client secret stay cached while the profile exists: the window shows and copies the one, and
  the Basic scheme, introspection and "Try it" use the other; a keyring read at each copy would
  cost 20 ms and possibly an unlock prompt. Listings (``scan``) hand out the same form.
- The scrub registry holds no copy of its own: it refers weakly to the live ``Secret`` objects,
  so a value is masked in logs exactly as long as something in the process still holds it, and
  leaves the registry with the last holder (a cache entry replaced, a token renewed).
- Loaded private keys (``KeyStore``) are dropped after ``KEY_IDLE_SECONDS`` unused.
"""

from __future__ import annotations

import _thread  # as threading.RLock, without threading's import (0.4 ms of `musicauth token`)
import functools
import re
import weakref
from typing import TYPE_CHECKING, Final, NoReturn

if TYPE_CHECKING:
    import logging

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

    __slots__ = ("__weakref__", "_value")

    def __init__(self, value: str) -> None:
        if isinstance(value, Secret):  # pragma: no cover - defensive
            value = value.reveal()
        self._value = value
        _register(self)

    def reveal(self) -> str:
        """The plain value. Call this only at the point of use."""
        return self._value

    def __repr__(self) -> str:
        return f"Secret('{MASK}')"

    __str__ = __repr__

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Secret):
            import hmac  # here: a valid token printed by `musicauth token` compares none

            return hmac.compare_digest(self._value.encode(), other._value.encode())
        return NotImplemented

    def __hash__(self) -> int:
        return hash(self._value)

    def __bool__(self) -> bool:
        return bool(self._value)

    def __reduce__(self) -> NoReturn:  # never pickle a secret into some cache by accident
        raise TypeError("Secret values cannot be pickled")


class _Withheld(Secret):
    """Stands for a secret that exists in the keyring but was not handed out with this record
    (see the policy above). It is true, so "there is a refresh token" still reads right; using
    it is a bug, so ``reveal()`` raises, and a record holding one can never be written back
    over the real value (``to_json`` reveals)."""

    __slots__ = ()

    def __init__(self) -> None:
        self._value = ""  # not registered: there is nothing to scrub

    def reveal(self) -> str:
        raise RuntimeError("this secret was withheld from the cached record; read the record fresh to use it")

    def __bool__(self) -> bool:
        return True

    def __repr__(self) -> str:
        return "Secret(withheld)"

    __str__ = __repr__


#: The one stand-in for every withheld secret.
WITHHELD: Final[Secret] = _Withheld()

# Values shorter than this are not scrubbed from logs: masking "a" everywhere would garble
# every log line, and such a value is no secret worth the name anyway.
_MIN_SCRUB_LENGTH: Final = 6
# RLock: a weakref callback may run during a garbage collection that starts inside the lock.
_known_lock = _thread.RLock()
#: id(secret) -> a weak reference to it: the live secrets, and no plaintext of their own.
_live: dict[int, weakref.ref[Secret]] = {}


def _register(secret: Secret) -> None:
    """Let ``SecretScrubber`` mask ``secret``'s value for as long as ``secret`` lives."""
    if len(secret._value) < _MIN_SCRUB_LENGTH:
        return
    key = id(secret)

    def forget(ref: weakref.ref[Secret]) -> None:
        with _known_lock:
            if _live.get(key) is ref:  # not a newer secret that got the same id
                del _live[key]

    with _known_lock:
        _live[key] = weakref.ref(secret, forget)


def live_secret_count() -> int:
    """How many secrets the scrubber currently masks (tests; a bound on what it holds)."""
    with _known_lock:
        return len(_live)


def scrub(text: str) -> str:
    """``text`` with every live secret's value and every secret-looking field masked."""
    with _known_lock:
        secrets = [ref() for ref in _live.values()]
    values = sorted({s._value for s in secrets if s is not None}, key=len, reverse=True)
    for value in values:
        if value in text:
            text = text.replace(value, MASK)
    field, json_field = _field_patterns()
    text = field.sub(lambda m: f"{m.group(1)}={MASK}", text)
    return json_field.sub(lambda m: f'{m.group(1)}"{MASK}"', text)


@functools.cache
def _field_patterns() -> tuple[re.Pattern[str], re.Pattern[str]]:
    """A secret field in a form or query (``name=value``), and in JSON (``"name": "value"``).
    Compiled when first needed (~0.3 ms), not by every command that imports this module."""
    names = "|".join(sorted(SECRET_FIELDS, key=len, reverse=True))
    return (
        re.compile(r"(?i)\b(" + names + r")=([^&\s\"']+)"),
        re.compile(r'(?i)("(?:' + names + r')"\s*:\s*)"[^"]*"'),
    )


class SecretScrubber:
    """A logging filter that masks registered secrets and secret form fields in every record
    (logging takes any object with a ``filter`` method: not a ``logging.Filter``, so that this
    module imports no logging, ~3 ms of `musicauth token` on the Secret Service)."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = scrub(message)
        if cleaned != message:
            record.msg = cleaned
            record.args = None
        return True


def install_log_scrubber(logger: logging.Logger | None = None) -> None:
    """Attach ``SecretScrubber`` to every handler of ``logger`` (default: the root logger)."""
    import logging

    target = logger or logging.getLogger()
    for handler in target.handlers:
        if not any(isinstance(f, SecretScrubber) for f in handler.filters):
            handler.addFilter(SecretScrubber())
