"""The core (and the CLI, the emulators, demo mode) import no Qt: checked in a fresh interpreter,
so imports made by other tests cannot hide a leak."""

from __future__ import annotations

import ast
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


# -- the front ends go through the engine ------------------------------------------------------

#: The front ends: everything that is not the core or the emulators.
FRONT_ENDS = ["musicauth_gui/cli.py", "musicauth_gui/demo_world.py", "musicauth_gui/gui"]
#: What sits behind the engine's door (TokenEngine and the services it exposes).
BEHIND_THE_DOOR = ("musicauth_gui.core.store", "musicauth_gui.core.discovery", "musicauth_gui.core.http")
#: The engine's parts a front end must not reach for: the profile store, the vault, discovery
#: and the HTTP client factory, whatever they are reached through...
FORBIDDEN_ATTRIBUTES = {"store", "vault", "discovery", "client_factory"}
#: ...and the key store, on the engine itself: ``keys`` is a common word (a dict's ``keys()``,
#: a key listing's ``keys``).
FORBIDDEN_ON_THE_ENGINE = {"keys"}
ENGINE_NAMES = {"engine", "_engine"}
#: Imports from behind the door that stay, each with its reason (none at present).
ALLOWED_IMPORTS: set[tuple[str, str]] = set()


def _front_end_files() -> list[Path]:
    files: list[Path] = []
    for entry in FRONT_ENDS:
        path = ROOT / entry
        files.extend(sorted(path.rglob("*.py")) if path.is_dir() else [path])
    return [f for f in files if f.name != "_rc.py"]  # generated resources, no code of ours


def _imported_modules(node: ast.Import | ast.ImportFrom, module: str) -> list[tuple[str, str]]:
    """(module, name) for each name an import statement brings in, absolute: ``from .x import
    y`` in ``pkg.m`` gives ``("pkg.x", "pkg.x.y")`` (``y`` may be a module or a name in it)."""
    if isinstance(node, ast.Import):
        return [(alias.name, alias.name) for alias in node.names]
    package = module.rsplit(".", node.level)[0] if node.level else ""
    base = ".".join(p for p in (package, node.module or "") if p)
    return [(base, f"{base}.{alias.name}") for alias in node.names]


def _is_engine(node: ast.expr) -> bool:
    """``engine``, ``self._engine``, ``context.engine``..."""
    return (isinstance(node, ast.Name) and node.id in ENGINE_NAMES) or (
        isinstance(node, ast.Attribute) and node.attr in ENGINE_NAMES
    )


def reaches_past_the_engine(path: Path, root: Path = ROOT) -> list[str]:
    """Each place in ``path`` that touches what only the engine may touch, as "file:line: what"."""
    relative = path.relative_to(root).as_posix()
    module = ".".join(path.relative_to(root).with_suffix("").parts)
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=relative)
    # ``d.keys()`` is a dict's method, not the key store: an attribute called at once is allowed.
    called = {id(node.func) for node in ast.walk(tree) if isinstance(node, ast.Call)}
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and id(node) not in called:
            on_engine = node.attr in FORBIDDEN_ON_THE_ENGINE and _is_engine(node.value)
            if node.attr in FORBIDDEN_ATTRIBUTES or on_engine:
                found.append(f"{relative}:{node.lineno}: .{node.attr}")
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            for base, name in _imported_modules(node, module):
                behind = any(name == m or name.startswith(m + ".") for m in BEHIND_THE_DOOR)
                allowed = (relative, base) in ALLOWED_IMPORTS or (relative, name) in ALLOWED_IMPORTS
                if behind and not allowed:
                    found.append(f"{relative}:{node.lineno}: import {name}")
    return found


def test_front_ends_reach_nothing_behind_the_engine() -> None:
    files = _front_end_files()
    assert len(files) > 20  # it cannot pass by reading nothing
    found = [place for path in files for place in reaches_past_the_engine(path)]
    assert not found, "front ends must go through TokenEngine:\n" + "\n".join(found)


def test_the_door_check_sees_a_front_end_reaching_past_it(tmp_path: Path) -> None:
    """The check itself: each kind of reach is found, and a dict's ``keys()`` is not."""
    probe = tmp_path / "musicauth_gui" / "gui" / "probe.py"
    probe.parent.mkdir(parents=True)
    probe.write_text(
        "from ..core.store.profile_store import ProfileStore\n"
        "from ..core import discovery\n"
        "import musicauth_gui.core.http\n"
        "def f(engine, d):\n"
        "    engine.store.cached('x')\n"
        "    keys = engine.keys\n"
        "    return list(d.keys())\n",
        encoding="utf-8",
    )
    found = reaches_past_the_engine(probe, root=tmp_path)
    assert sorted(place.split(": ", 1)[1] for place in found) == [
        ".keys",
        ".store",
        "import musicauth_gui.core.discovery",
        "import musicauth_gui.core.http",
        "import musicauth_gui.core.store.profile_store.ProfileStore",
    ]
