"""The words of the detail pane's answer tabs: a Try it answer (status, time, headers, body) and
a JWT's claims with its times in local time beside the numbers.

Plain functions of data from the core (``TryResult``, a decoded JWT), so the pane only places
the text, and a test reads it without a window.
"""

from __future__ import annotations

import json
import re
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # try_call imports httpx (~25 ms, ~5 MB): only once something was tried
    from ..core.try_call import TryResult
from .local_time import local_time

#: Registered claims that are NumericDate values (RFC 7519 §4.1.4-6; OpenID Connect Core §2
#: adds auth_time), shown in local time beside the number.
TIME_CLAIMS = ("exp", "nbf", "iat", "auth_time")


def try_text(result: TryResult) -> str:
    """The whole answer: a status line, the headers, then the body (JSON indented)."""
    from http import HTTPStatus  # here: its enums (~70 members) are not a window's at rest

    from ..core.try_call import MAX_BODY_CHARS

    try:
        phrase = HTTPStatus(result.status).phrase
    except ValueError:  # a code outside the registry (a provider's own 599)
        phrase = ""
    lines = [f"{result.status} {phrase}".rstrip() + f" · {result.target} · {_duration(result.elapsed)}"]
    if result.headers:
        lines += ["", "Headers"]
        lines += [f"{key}: {value}" for key, value in result.headers]
    lines += ["", f"Body ({result.content_type or 'no content type'})"]
    if result.data is not None:
        lines.append(json.dumps(result.data, indent=2, sort_keys=True, ensure_ascii=False))
    elif result.body:
        # HTML or text: shown as it came (the viewer renders nothing), cut where the core cut it.
        lines.append(result.body)
        if result.truncated:
            lines.append(f"… (cut at {MAX_BODY_CHARS // 1024} KB)")
    else:
        lines.append("(empty)")
    return "\n".join(lines)


def claims_text(header: dict[str, Any], payload: dict[str, Any]) -> str:
    """A JWT's header and claims, indented; each time claim with its local time beside it."""
    claims = json.dumps(payload, indent=2, sort_keys=True)
    for claim in TIME_CLAIMS:
        value = payload.get(claim)
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            # The top-level line of that claim (two spaces of indent), its comma kept.
            pattern = re.compile(rf'^  "{claim}": [^\n]*$', re.MULTILINE)
            claims = pattern.sub(f"\\g<0>  ({local_time(value)})", claims, count=1)
    return "Header\n" + json.dumps(header, indent=2, sort_keys=True) + "\n\nClaims\n" + claims


def _duration(seconds: float) -> str:
    return f"{seconds * 1000:.0f} ms" if seconds < 10 else f"{seconds:.1f} s"
