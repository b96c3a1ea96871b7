"""Last.fm's call signature, ``api_sig`` (last.fm/api/authspec §8; last.fm/api/webauth §6).

Every parameter of the call but ``format``, ``callback`` and ``api_sig`` itself, sorted by name
(byte order, as Python sorts ``str``; the method name counts as the parameter ``method``, case
and all), each written as name then value with nothing between, then the shared secret after
them, as UTF-8; the MD5 of that in lower-case hex. ``format`` is left out because Last.fm adds
it to no signature of its own: a call signed with it is refused with error 13.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping

from ..secret import Secret

#: Parameters that never take part in the signature.
UNSIGNED: frozenset[str] = frozenset({"format", "callback", "api_sig"})


def api_sig(params: Mapping[str, str], shared_secret: Secret) -> str:
    """The ``api_sig`` of a call with ``params``, signed with the API account's shared secret."""
    text = "".join(name + params[name] for name in sorted(params) if name not in UNSIGNED)
    # MD5 is what Last.fm specifies, not our choice of a hash: usedforsecurity=False keeps it
    # working where FIPS mode forbids MD5 for security uses.
    digest = hashlib.md5((text + shared_secret.reveal()).encode("utf-8"), usedforsecurity=False)
    return digest.hexdigest()
