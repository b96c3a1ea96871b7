"""The environment ``musicauth exec`` gives its command: which variable holds which credential.

One profile: ``MUSICAUTH_TOKEN`` (the bare token) and ``MUSICAUTH_AUTHORIZATION`` (the whole
``Authorization`` header value, in the provider's scheme; not set for a provider that takes
the token in the query string, Deezer). Several: ``MUSICAUTH_<NAME>_TOKEN``
and ``MUSICAUTH_<NAME>_AUTHORIZATION``, NAME upper-cased with every character outside ASCII
letters and digits turned into ``_`` (the characters a variable name may portably hold,
POSIX.1-2017 §8.1), so that a shell can read each of them as ``$MUSICAUTH_MY_APP_TOKEN``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

from .errors import ConfigError
from .names import shown
from .record import frozen_record
from .usage import Credential

PREFIX = "MUSICAUTH"
_NOT_PORTABLE = re.compile(r"[^A-Za-z0-9]")


@frozen_record
class CredentialVariables:
    """The two variables one profile's credential goes into."""

    token: str
    authorization: str


def variables_for(names: Sequence[str]) -> dict[str, CredentialVariables]:
    """Each profile name with its variables, in the order given.

    Raises:
        ConfigError: two names (or one named twice) would fill the same variable: the command
            would see one of the credentials only, and not know which.
    """
    if len(names) == 1:
        return {names[0]: CredentialVariables(f"{PREFIX}_TOKEN", f"{PREFIX}_AUTHORIZATION")}
    found: dict[str, CredentialVariables] = {}
    taken: dict[str, str] = {}
    for name in names:
        stem = f"{PREFIX}_{_NOT_PORTABLE.sub('_', name).upper()}"
        if stem in taken:
            first = taken[stem]
            if first == name:
                raise ConfigError(f"profile {shown(name)} is named twice")
            raise ConfigError(
                f"profiles {shown(first)} and {shown(name)} would both be {stem}_TOKEN; "
                "each profile needs variables of its own"
            )
        taken[stem] = name
        found[name] = CredentialVariables(f"{stem}_TOKEN", f"{stem}_AUTHORIZATION")
    return found


def child_environment(base: Mapping[str, str], credentials: Mapping[str, Credential]) -> dict[str, str]:
    """``base`` plus each profile's credential, in the variables ``variables_for`` gives it."""
    env = dict(base)
    for name, variables in variables_for(list(credentials)).items():
        credential = credentials[name]
        env[variables.token] = credential.value.reveal()
        if credential.query_param is None:  # a token or key sent in the query has no header form
            # Apple Music: the Authorization is the developer token's, the token the user's.
            developer = next((h.value_text() for h in credential.companions if h.name == "Authorization"), None)
            env[variables.authorization] = developer or credential.header_value()
    return env
