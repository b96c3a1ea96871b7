"""asyncio's import without OpenSSL, for a process that opens no TLS connection yet.

asyncio imports ``ssl`` (OpenSSL's libcrypto, ~3.5 MB resident, and the ``ssl`` module) for its
TLS transports (``asyncio.sslproto``), which only a TLS connection reads. ``prepare()``, called
before asyncio is first imported, defers both (``core/stand_ins.py``): the desktop app's window
at rest never opens a connection, and the HTTP stack reads them as it loads (10 s before the
first renewal, or at the first request). ``tests/gui/test_startup_imports.py`` holds a window at
rest without them, and asyncio's TLS server and client working after the deferral.
"""

from __future__ import annotations

from .stand_ins import defer

DEFERRED = ("ssl", "asyncio.sslproto")


def prepare() -> None:
    """Before asyncio is imported: each of ``DEFERRED`` that nothing has imported yet deferred
    (asyncio is imported with them, binding both stand-ins)."""
    defer(*DEFERRED)
