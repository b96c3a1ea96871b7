"""The core (and the CLI, the emulators, demo mode) import no Qt: checked in a fresh interpreter,
so imports made by other tests cannot hide a leak."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
QT_FREE = ["musicauth_gui/core", "musicauth_gui/sandbox"]
QT_FREE_MODULES = ["musicauth_gui.cli", "musicauth_gui.demo_world"]


def test_core_imports_no_qt() -> None:
    modules = list(QT_FREE_MODULES)
    for folder in QT_FREE:
        for path in sorted((ROOT / folder).rglob("*.py")):
            module = ".".join(path.relative_to(ROOT).with_suffix("").parts)
            modules.append(module.removesuffix(".__init__"))
    code = (
        "import importlib, sys\n"
        f"for name in {modules!r}: importlib.import_module(name)\n"
        "leaks = sorted(m for m in sys.modules if m.split('.')[0] in ('PySide6', 'shiboken6', 'qasync'))\n"
        "print(','.join(leaks))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "", f"Qt imported by the core: {result.stdout}"
    assert len(modules) > 30
