"""A secret the profiles file names instead of holding: ``client_secret = { env = "VAR" }``.

For machines with no store worth the name (CI above all): the variable's name is what is kept,
in the store and in an export; its value is read from the environment each time the secret is
used, and never stored. A variable that is unset or empty is one error naming it (GitHub
Actions turns a secret that does not exist into an empty string, so empty counts as missing).
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from typing import Any

from .errors import Action, ConfigError
from .record import frozen_record
from .secret import Secret

#: A portable variable name (POSIX.1-2017 §8.1): what a shell and a CI system can set. Compiled
#: (and cached by ``re``) when a name is first checked: ``musicauth token`` for a profile whose
#: secrets are values never compiles it (~0.07 ms; benchmarks/README.md, "Start-up").
_VARIABLE = r"[A-Za-z_][A-Za-z0-9_]*"


@frozen_record
class EnvSecret:
    """A secret read from the environment variable ``variable`` when it is used."""

    variable: str

    def to_json(self) -> dict[str, str]:
        """The stored and exported form, the profiles file's own: ``{"env": "VAR"}``."""
        return {"env": self.variable}


#: What a profile's secret field holds: a value, or the name of the variable holding it.
StoredSecret = Secret | EnvSecret


def parse_secret(value: Any, *, profile: str, field: str) -> StoredSecret | None:
    """A secret field as the profiles file gives it: a string, or ``{ env = "VAR" }``.

    Raises:
        ConfigError: anything else (about ``field`` of ``profile``).
    """
    if value is None or value == "":
        return None
    if isinstance(value, str):
        return Secret(value)
    if isinstance(value, Mapping):
        variable = value.get("env")
        if set(value) == {"env"} and isinstance(variable, str) and re.fullmatch(_VARIABLE, variable):
            return EnvSecret(variable)
        problem = f'as a table, {field} must be {{ env = "VARIABLE" }}, a variable name of letters, digits and _'
    else:
        problem = f"{field} must be a string"
    raise ConfigError(problem, profile=profile, field=field, actions=(Action.EDIT_FIELD,))


def secret_from_json(value: Any, field: str) -> StoredSecret | None:
    """A secret as the store keeps it (``EnvSecret.to_json`` or the value itself).

    Raises:
        TypeError: neither (the store reports the entry as damaged; never the value).
    """
    if value is None or value == "":
        return None
    if isinstance(value, str):
        return Secret(value)
    if isinstance(value, dict) and set(value) == {"env"} and isinstance(value["env"], str) and re.fullmatch(_VARIABLE, value["env"]):
        return EnvSecret(value["env"])
    raise TypeError(f"{field}: not a string or an environment reference")


def secret_to_json(secret: StoredSecret | None) -> str | dict[str, str] | None:
    """The stored form: the value, or for a reference only the variable's name."""
    if secret is None:
        return None
    if isinstance(secret, EnvSecret):
        return secret.to_json()
    return secret.reveal()


#: Values given for this process only (the desktop app's "Set variable…"): kept here rather
#: than in ``os.environ``, which every process the app starts (the browser, a terminal) inherits.
_session_values: dict[str, Secret] = {}


def set_for_session(variable: str, value: Secret) -> None:
    """Let references to ``variable`` read ``value`` in this process, before the environment."""
    _session_values[variable] = value


def resolve(secret: StoredSecret | None, *, profile: str, field: str, environ: Mapping[str, str] | None = None) -> Secret | None:
    """The secret's value now: itself, or what its variable holds (a value set for this session,
    else the environment).

    Raises:
        ConfigError: the variable is unset or empty; the message names it.
    """
    if not isinstance(secret, EnvSecret):
        return secret
    if environ is None and secret.variable in _session_values:
        return _session_values[secret.variable]
    value = (os.environ if environ is None else environ).get(secret.variable)
    if not value:
        raise MissingVariable(secret.variable, profile=profile, field=field)
    return Secret(value)


class MissingVariable(ConfigError):
    """A secret is read from an environment variable that is not set (or set empty)."""

    actions: tuple[Action, ...] = (Action.SET_VARIABLE,)

    def __init__(self, variable: str, *, profile: str | None = None, field: str | None = None) -> None:
        about = f" ({field} is read from it)" if field else ""
        super().__init__(f"the environment variable {variable} is not set{about}", profile=profile, field=field)
        if field is not None:
            self.actions = (Action.SET_VARIABLE, Action.EDIT_FIELD)
        self.variable = variable
