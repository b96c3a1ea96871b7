"""Token answers with odd fields, for tests of what a client does with them.

A real provider may send ``"expires_in": "nan"``, ``1e308``, the literal ``1e400`` (which
Python's ``json`` reads as infinity) or a token with a control character in it, all in an answer
that also carries a freshly rotated refresh token. :meth:`AuthorizationServer.answer_next_token_with
<musicauth_gui.sandbox.authorization_server.AuthorizationServer.answer_next_token_with>` queues
such changes; this module writes the JSON text, which ``json.dumps`` alone cannot (it has no way
to spell ``1e400``).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

__all__ = ["REMOVE", "JsonLiteral", "odd_json"]


@dataclass(frozen=True)
class JsonLiteral:
    """JSON source text written into the answer as is, e.g. ``JsonLiteral("1e400")``."""

    text: str


REMOVE = JsonLiteral("")
"""As a field's value: leave the field out of the answer."""


def odd_json(body: Mapping[str, Any], changes: Mapping[str, Any]) -> bytes:
    """``body`` with ``changes`` applied, as JSON text.

    Args:
        body: The normal answer.
        changes: Field values to set; a :class:`JsonLiteral` is written verbatim, :data:`REMOVE`
            drops the field, anything else goes through ``json.dumps`` (so ``float("nan")``
            becomes the non-standard ``NaN`` that lenient parsers accept).
    """
    merged = {**body, **changes}
    members = []
    for name, value in merged.items():
        if value is REMOVE:
            continue
        text = value.text if isinstance(value, JsonLiteral) else json.dumps(value)
        members.append(f"{json.dumps(name)}: {text}")
    return ("{" + ", ".join(members) + "}").encode()
