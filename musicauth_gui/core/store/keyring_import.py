"""keyring's import without two modules it loads for what the store never calls.

- ``keyring.backend`` imports ``jaraco.context``, whose top line imports ``urllib.request`` for
  one function (``tarball``, which downloads an archive); keyring uses other parts of it. That
  import brings ``http.client``, the ``email`` parser, ``mimetypes`` and ``ssl``: ~8 ms.
- ``keyring.backend`` imports ``importlib_metadata`` (``importlib.metadata`` from Python 3.12,
  keyring's ``compat.py312``) for its discovery of plugin backends, which a backend named by
  ``PYTHON_KEYRING_BACKEND`` or keyringrc never runs: ~2.5 ms.

Both are paid before the first keyring read of every ``musicauth token`` on a backend other
than the Secret Service (and of the desktop app's first listing there), and their modules kept
for the life of the window. ``prepare()``, called before keyring is first imported, puts a
stand-in for each in ``sys.modules``: a module that imports the real one the first time anything
reads one of its attributes, and hands that over (httpx does, when the HTTP stack loads: ``from
urllib.request import getproxies``), after which the real module is the one in ``sys.modules``.
A stand-in is only placed where nothing has imported the real module yet. Held by
``tests/core/test_keyring_import.py``.
"""

from __future__ import annotations

import importlib
import sys
import threading
import types

#: keyring's choice in ``keyring/compat/py312.py``: the module its discovery reads entry points with.
_METADATA = "importlib.metadata" if sys.version_info >= (3, 12) else "importlib_metadata"
DEFERRED = ("urllib.request", _METADATA)
_swap = threading.Lock()


class _Deferred(types.ModuleType):
    """Stands for a module until one of its attributes is read."""

    def __getattr__(self, attribute: str) -> object:
        return getattr(_real_module(self.__name__), attribute)


def prepare() -> None:
    """Before keyring is imported: each of ``DEFERRED`` that nothing has imported yet deferred."""
    with _swap:
        for name in DEFERRED:
            if name in sys.modules:
                continue
            stand_in = sys.modules[name] = _Deferred(name)
            parent, _, attribute = name.rpartition(".")
            if parent:  # what ``import urllib.request`` then ``urllib.request.x`` reads
                setattr(importlib.import_module(parent), attribute, stand_in)


def _real_module(name: str) -> types.ModuleType:
    with _swap:
        # Only the stand-in is taken out: another thread may already be importing the real one,
        # which importlib's module lock makes this thread wait for below.
        if isinstance(sys.modules.get(name), _Deferred):
            del sys.modules[name]
    return importlib.import_module(name)
