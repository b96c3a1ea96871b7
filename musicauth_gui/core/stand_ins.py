"""Stand-ins for modules a library imports at its top but the caller's path never reads.

``defer(name)`` puts a module in ``sys.modules`` under ``name`` that imports the real one the
first time anything reads one of its attributes, then hands that over: from then on the real
module is the one in ``sys.modules``, and the stand-in, which a library already bound, reads
through to it. Only a module nothing has imported yet is deferred. Used where a whole process
is one short path (``musicauth token``) or a library's import pulls a large unused chain
(``store/keyring_import.py``); ``tests/core/test_keyring_import.py`` holds it.

importlib's ``LazyLoader`` cannot do this on 3.11: ``import urllib.request`` reads the module's
``__spec__`` (is it still initialising?), which loads it.
"""

from __future__ import annotations

import _thread  # threading.Lock itself, without threading's import
import importlib
import sys
import types

_swap = _thread.allocate_lock()


class _Deferred(types.ModuleType):
    """Stands for a module until one of its attributes is read; then reads through to it."""

    def __getattr__(self, attribute: str) -> object:
        # Kept once found: a library that bound the stand-in (asyncio's inspect, when the engine
        # follows the lean token) reads through it for the life of the process.
        real = self.__dict__.get("_resolved")
        if real is None:
            real = self.__dict__["_resolved"] = _real_module(self.__name__)
        return getattr(real, attribute)


def defer(*names: str) -> None:
    """Each of ``names`` that nothing has imported yet: a stand-in until it is read.

    A submodule's package is imported here if it was not yet, after every stand-in is in place:
    ``defer("ssl", "asyncio.sslproto")`` imports asyncio, whose modules then bind both stand-ins.
    """
    placed = []
    with _swap:
        for name in names:
            if name not in sys.modules:
                stand_in = sys.modules[name] = _Deferred(name)
                placed.append((name, stand_in))
    # Outside the lock: a package's import may read a stand-in, which takes it.
    for name, stand_in in placed:
        parent, _, attribute = name.rpartition(".")
        if parent:  # what ``import urllib.request`` then ``urllib.request.x`` reads
            setattr(importlib.import_module(parent), attribute, stand_in)


def is_deferred(name: str) -> bool:
    """Whether ``name`` is still a stand-in (nothing has read it)."""
    return isinstance(sys.modules.get(name), _Deferred)


def _real_module(name: str) -> types.ModuleType:
    with _swap:
        # Only the stand-in is taken out: another thread may already be importing the real one,
        # which importlib's module lock makes this thread wait for below.
        if isinstance(sys.modules.get(name), _Deferred):
            del sys.modules[name]
    return importlib.import_module(name)
