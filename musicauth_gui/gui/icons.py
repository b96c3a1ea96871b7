"""Icons and styles from the compiled resource module (``_rc.py``, built from ``resources/`` by
``resources/compile.py``), so they load from the installed package, never the source tree."""

from __future__ import annotations

from functools import lru_cache

from PySide6.QtGui import QIcon

try:  # the generated module registers ":/icons/..." and ":/styles/..." with Qt
    from . import _rc  # noqa: F401
except ImportError:  # pragma: no cover - only before the first resources/compile.py run
    _rc = None


@lru_cache(maxsize=None)
def icon(name: str) -> QIcon:
    """The icon ``:/icons/<name>.svg`` (an empty icon when there is none)."""
    return QIcon(f":/icons/{name}.svg")


def provider_icon(provider: str) -> QIcon:
    return icon(f"provider-{provider}")


def state_icon(state: str) -> QIcon:
    return icon(f"state-{state}")


def app_icon() -> QIcon:
    return icon("musicauth")
