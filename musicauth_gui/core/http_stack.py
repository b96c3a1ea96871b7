"""The HTTP stack's imports: when, on which thread, under which lock. Imports no httpx itself.

The desktop app lists its profiles without the HTTP stack (httpx, httpcore, anyio, certifi:
~7 MB, ~25 ms of imports); it is loaded on a worker thread when the first request nears
(``engine.prepare_http_stack``), so this module, which every importer of the stack passes
through, must not load it.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:
    import ssl

T = TypeVar("T")

#: Held by every thread that imports the HTTP stack (httpcore, anyio and their backends) or
#: builds a transport, which imports httpcore. Python's per-module import locks raise
#: ``_DeadlockError`` when two threads import modules of one circular package at once (seen in
#: CI: a command's first request on the event loop's thread against the engine's warming
#: thread), so that work happens on one thread at a time, and requests on the event loop's
#: thread wait until it is done (``BackgroundTransport``). Reentrant: building the desktop
#: app's shared client imports the stack while holding it.
HTTP_STACK_LOCK = threading.RLock()
_http_stack_imported = False
_sync_stack_imported = False


def import_http_stack() -> None:
    """Once per process, what httpx's first request would otherwise import at an arbitrary
    moment (``engine.prepare_http_stack`` says why). Blocking; safe on any thread."""
    global _http_stack_imported
    with HTTP_STACK_LOCK:
        if _http_stack_imported:
            return
        import importlib
        import sys

        # httpx first: everything else in the core imports it lazily, and it imports httpcore.
        for module in ("httpx", "httpcore", "anyio._backends._asyncio", "httpcore._backends.anyio"):
            try:
                importlib.import_module(module)
            except ImportError:
                pass
        try:
            importlib.import_module("sniffio")
        except ImportError:
            # typeshed types sys.modules as holding modules only; None is the documented blocker.
            sys.modules.setdefault("sniffio", None)  # type: ignore[arg-type]
        _http_stack_imported = True


def import_sync_http_stack() -> None:
    """Once per process, what a one-shot command's requests need (``core/threaded_transport.py``):
    httpx and httpcore, whose synchronous stack needs neither anyio's asyncio backend nor sniffio
    (httpcore imports anyio's package itself, which loads its modules lazily). Blocking; safe on
    any thread."""
    global _sync_stack_imported
    with HTTP_STACK_LOCK:
        if _sync_stack_imported:
            return
        import importlib

        # httpx first, as above; it imports httpcore when its first transport is made.
        for module in ("httpx", "httpcore"):
            importlib.import_module(module)
        _sync_stack_imported = True


def built_under_lock(make: Callable[..., T], **options: Any) -> T:
    """``make(**options)`` under ``HTTP_STACK_LOCK``: building an httpx transport imports
    httpcore. Blocking; for a worker thread."""
    with HTTP_STACK_LOCK:
        return make(**options)


def loopback_only_ssl_context() -> ssl.SSLContext:
    """The SSL context of the transports for plain ``http`` requests (loopback hosts only,
    ``check_endpoint``): verifying, with no CA to trust, so it could not carry a TLS connection
    even if one were asked of it, and built without waiting for certifi's bundle."""
    import ssl

    return ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
