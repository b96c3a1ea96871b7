"""keyring's import without seven modules it loads for what the store never calls.

- ``keyring.backend`` imports ``jaraco.context``, whose top line imports ``urllib.request`` for
  one function (``tarball``, which downloads an archive); keyring uses other parts of it. That
  import brings ``http.client``, the ``email`` parser, ``mimetypes`` and ``ssl``: ~8 ms.
- ``keyring.backend`` imports ``importlib_metadata`` (``importlib.metadata`` from Python 3.12,
  keyring's ``compat.py312``) for its discovery of plugin backends, which a backend named by
  ``PYTHON_KEYRING_BACKEND`` or keyringrc never runs: ~2.5 ms.
- ``keyring.backend`` imports ``jaraco.functools``, which imports ``more_itertools`` for two of
  its functions, neither of which keyring calls: ~2.7 ms, and ~4.8 ms more on the command line,
  where ``more_itertools.recipes`` defines the one dataclass without a docstring on that way,
  which makes dataclasses import ``inspect`` (``cli.py`` defers it).
- ``jaraco.context`` imports ``subprocess`` and ``tempfile`` for two context managers keyring
  never enters (``repo_context``, ``temp_dir``), ``keyring.core`` imports ``configparser`` to
  read a keyringrc (not read when ``PYTHON_KEYRING_BACKEND`` names the backend), and
  ``keyring.util.platform_`` imports ``pathlib`` for the folders of that file and of keyring's
  file backends: ~3.6 ms together (``pathlib`` with ``urllib.parse`` and ``ipaddress``), where
  no other import on the way brings them (``musicauth token``; the desktop app imports all but
  ``configparser`` with PySide6 and asyncio).

All of them are paid before the first keyring read of every ``musicauth token`` on a backend
other than the Secret Service (and of the desktop app's first listing there), and their modules
kept for the life of the window. ``prepare()``, called before keyring is first imported, defers them
(``core/stand_ins.py``): httpx reads ``urllib.request`` when the HTTP stack loads (``from
urllib.request import getproxies``), keyring's discovery the metadata reader's entry points,
nothing on the way ``more_itertools``. Held by ``tests/core/test_keyring_import.py``.
"""

from __future__ import annotations

import sys

from ..stand_ins import defer

#: keyring's choice in ``keyring/compat/py312.py``: the module its discovery reads entry points with.
_METADATA = "importlib.metadata" if sys.version_info >= (3, 12) else "importlib_metadata"
DEFERRED = ("urllib.request", _METADATA, "more_itertools", "subprocess", "tempfile", "configparser", "pathlib")


def prepare() -> None:
    """Before keyring is imported: each of ``DEFERRED`` that nothing has imported yet deferred."""
    defer(*DEFERRED)
