"""PySide6 is loaded without its import hook, so later imports leave no source in linecache."""

from __future__ import annotations

import subprocess
import sys

PROBE = r"""
import builtins, linecache, sys
before = builtins.__import__
from musicauth_gui.gui.pyside_import import import_pyside_widgets
import_pyside_widgets()
assert builtins.__import__ is before, "the hook stayed"
import asyncio, email.message  # imported after PySide, as the app's libraries are
kept = [f for f in linecache.cache if "asyncio" in f or "email" in f]
assert not kept, kept
from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtWidgets import QApplication
app = QApplication([])
class Probe(QObject):
    fired = Signal(str)
got = []
p = Probe(); p.fired.connect(got.append); p.fired.emit("ok")
assert got == ["ok"] and Qt.AlignmentFlag.AlignLeft.name == "AlignLeft"
print("fine")
"""


def test_later_imports_are_not_read_into_linecache_and_qt_still_works() -> None:
    out = subprocess.run([sys.executable, "-c", PROBE], capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr[-2000:]
    assert out.stdout.strip() == "fine"


def test_with_the_hook_kept_they_would_be() -> None:
    """The premise: PySide6's own hook reads each later module's source (if it stops doing so,
    pyside_import.py can go)."""
    probe = "import PySide6.QtWidgets, linecache, asyncio\nprint(any('asyncio' in f for f in linecache.cache))"
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=60)
    assert out.stdout.strip() == "True", out.stderr[-2000:]
