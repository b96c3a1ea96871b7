"""Cold start to the first painted main window, and peak RSS once everything is loaded.

Whole processes, measured from outside, alternating in each round (the order rotates, so a
machine that slows down mid-run penalises no one):

- ``floor_window``: a bare PySide6 QMainWindow of the same size, shown and painted (the floor);
- the app, ``python -m musicauth_gui`` with ``MUSICAUTH_BENCH=quit``, over the test FileKeyring
  (``PYTHON_KEYRING_BACKEND``) holding 50 profiles with valid tokens: it prints ``first-paint``
  when the window has painted and ``ready`` once the 50 profiles are listed and the scheduler
  runs (context attached: core, keyring backend, HTTP stack all imported), then quits;
- ``floor_libraries`` (informational): the bare window plus the third-party modules the app
  cannot do without, to show how much of the memory is the app's own;
- ``floor_content`` (informational): what the window shows at rest built from plain Qt widgets,
  with no app code, on the at-rest libraries and on all of them: how much of the peak RSS is the
  window's content and how much is the app's; and on all of them with the app's modules imported
  (those a loaded run holds, none of their code run): how much of the rest is the app's code.

Time is from just before ``Popen`` to the ``time.monotonic()`` the child prints (system-wide on
Linux); peak RSS is the child's ``VmHWM`` (``/proc/PID/status``), read once it has reported
``ready`` and before it is ended (``wait4``'s ``ru_maxrss`` can include the parent's pages copied
at fork, before the exec).
"""

from __future__ import annotations

import itertools
import sys
import time
from pathlib import Path

from .common import PYTHON, ROOT, Row, fill_file_keyring, isolated_env, median, run_until_lines, temp_base, wait_rusage
from .traced import AT_REST_S

PROFILES = 50
TIME_GOAL = 1.5
#: Listed and auto-renewing, over the bare window's first paint.
READY_GOAL = 2.0
RSS_GOAL = 1.5

APP = [PYTHON, "-m", "musicauth_gui"]
FLOOR = [PYTHON, "-m", "benchmarks.floor_window"]
LIBRARIES = [PYTHON, "-m", "benchmarks.floor_libraries"]
LOADED = [PYTHON, "-m", "benchmarks.app_loaded"]
#: The window's visible content in plain Qt widgets, no app code (informational).
CONTENT = [PYTHON, "-m", "benchmarks.floor_content"]
#: The app with every feature loaded, over the libraries floor.
LOADED_RSS_GOAL = 1.2


def _status(pid: int) -> dict[str, float]:
    """VmHWM, VmRSS, RssAnon and RssFile of a live process, in MB."""
    out = {}
    with open(f"/proc/{pid}/status") as fh:
        for line in fh:
            key, _, value = line.partition(":")
            if key in ("VmHWM", "VmRSS", "RssAnon", "RssFile"):
                out[key] = int(value.split()[0]) / 1024
    return out


def _one(cmd: list[str], env: dict[str, str], want: tuple[str, ...]) -> dict[str, float]:
    """One child: the times of ``want`` lines; it stays up after the last one (``stay``) so
    its memory can be read, then it is ended and its peak RSS taken from ``wait4``."""
    seen, t0, _, proc = run_until_lines(cmd, env, want)
    try:
        if "ready" in want:
            # At rest means a moment after ready: what the app starts just after (its
            # single-instance server) counts too.
            time.sleep(AT_REST_S)
        status = _status(proc.pid)
    finally:
        proc.terminate()
        rss = wait_rusage(proc)
    out = {word: seen[word] - t0 for word in want}
    # VmHWM, the peak of the process image since its exec; wait4's ru_maxrss can also count the
    # parent's pages copied at fork, before the exec (seen: every child "peaking" at the parent's
    # 55 MB once the parent had imported PySide6).
    out["rss_mb"] = status.get("VmHWM", rss)
    out["anon_mb"] = status.get("RssAnon", 0.0)
    out["file_mb"] = status.get("RssFile", 0.0)
    return out


def _compile_app() -> None:
    """Byte-compile the app's modules, as installing the wheel does.

    The checkout is installed in editable mode, and with PYTHONDONTWRITEBYTECODE set (as on this
    project's machines) no run ever writes a .pyc: every start would compile each changed module
    from source again: 25-40 ms more before the first paint, which an installed app never spends.
    """
    import compileall

    compileall.compile_dir(str(ROOT / "musicauth_gui"), quiet=1)


def measure(runs: int = 5) -> tuple[list[Row], dict[str, object]]:
    raw: dict[str, list[dict[str, float]]] = {
        "floor": [],
        "app": [],
        "libraries": [],
        "loaded": [],
        "at_rest": [],
        "content": [],
        "content_all": [],
        "code_all": [],
    }
    with temp_base("startup") as d:
        base = Path(d)
        # Every child stays up after its last line until the parent has read its memory.
        env = isolated_env(base, MUSICAUTH_BENCH="stay", MUSICAUTH_BENCH_STAY="1")
        # An unreachable token endpoint: the tokens are valid for 30 days, nothing is fetched.
        fill_file_keyring(Path(env["MUSICAUTH_TEST_KEYRING_DIR"]), PROFILES, token_endpoint="http://127.0.0.1:9/token")
        kinds = [
            ("floor", FLOOR, ("first-paint",), env),
            ("app", APP, ("first-paint", "ready"), env),
            ("libraries", LIBRARIES, ("first-paint", "ready"), env),
            ("loaded", LOADED, ("first-paint", "ready"), env),
            ("at_rest", LIBRARIES, ("first-paint", "ready"), {**env, "MUSICAUTH_BENCH_AT_REST": "1"}),
            ("content", CONTENT, ("first-paint", "ready"), env),
            ("content_all", CONTENT, ("first-paint", "ready"), {**env, "MUSICAUTH_BENCH_ALL_LIBRARIES": "1"}),
        ]
        _compile_app()
        _one(APP, env, ("first-paint", "ready"))  # warm the page cache once
        modules = base / "app-modules.txt"
        app_modules = _app_modules(env, modules)
        kinds.append(
            (
                "code_all",
                CONTENT,
                ("first-paint", "ready"),
                {**env, "MUSICAUTH_BENCH_ALL_LIBRARIES": "1", "MUSICAUTH_BENCH_APP_MODULES": str(modules)},
            )
        )
        _one(FLOOR, env, ("first-paint",))
        for i in range(runs):
            for name, cmd, want, kind_env in kinds[i % len(kinds) :] + kinds[: i % len(kinds)]:
                raw[name].append(_one(cmd, kind_env, want))
        breakdown = _breakdown(env)
        traced = {name: _traced(cmd, kind_env) for name, cmd, _, kind_env in kinds if name in TRACED_KINDS}

    def med(kind: str, key: str) -> float:
        return median([r[key] for r in raw[kind]])

    # ``floor_libraries`` runs exactly the bare window's code up to its first paint (it imports
    # the libraries only afterwards), so both give samples of the start-up floor.
    floor_paint = median([r["first-paint"] for r in raw["floor"] + raw["libraries"] + raw["at_rest"]])
    app_paint = med("app", "first-paint")
    app_ready = med("app", "ready")
    floor_rss, app_rss, lib_rss = med("floor", "rss_mb"), med("app", "rss_mb"), med("libraries", "rss_mb")
    loaded_rss = med("loaded", "rss_mb")
    rest_ready, rest_rss = med("at_rest", "ready"), med("at_rest", "rss_mb")
    content_rss, content_all_rss = med("content", "rss_mb"), med("content_all", "rss_mb")
    code_all_rss = med("code_all", "rss_mb")
    content_ready = med("content", "ready")
    floor_anon, app_anon, lib_anon = med("floor", "anon_mb"), med("app", "anon_mb"), med("libraries", "anon_mb")
    time_ratio, rss_ratio = app_paint / floor_paint, app_rss / floor_rss
    rows = [
        Row(
            f"Cold start to the first painted main window, {PROFILES} profiles in the store (median of {runs})",
            f"{app_paint * 1000:.0f} ms",
            f"{floor_paint * 1000:.0f} ms (bare QMainWindow, {3 * runs} runs)",
            f"{time_ratio:.2f}×",
            f"≤ {TIME_GOAL}×",
            time_ratio <= TIME_GOAL,
        ),
        Row(
            f"Window usable: cold start until the {PROFILES} profiles are listed and auto-renew runs (median of {runs})",
            f"{app_ready * 1000:.0f} ms",
            f"{floor_paint * 1000:.0f} ms (bare QMainWindow's first paint)",
            f"{app_ready / floor_paint:.2f}×",
            f"≤ {READY_GOAL}×",
            app_ready / floor_paint <= READY_GOAL,
        ),
        Row(
            "(info) the floor of the two rows beside it: the bare window, then what a listed window at rest cannot "
            "do without (asyncio, qasync, keyring and its backend, QtSvg, PySide's Qt namespace) imported after its "
            "first paint as the app imports them (what it defers until read, OpenSSL among it, deferred alike), no "
            "app code: ready / peak RSS",
            f"{rest_ready * 1000:.0f} ms / {rest_rss:.1f} MB",
            f"{floor_paint * 1000:.0f} ms / {floor_rss:.1f} MB",
            f"{rest_ready / floor_paint:.2f}× / {rest_rss / floor_rss:.2f}×",
            "-",
            None,
        ),
        Row(
            "(info) the window's visible content without app code (`floor_content.py`, as in the memory row below: "
            f"menus, toolbar, filter field, a QListView of {PROFILES} icon rows and the detail pane's widgets in plain "
            "Qt, the app's style sheet), on the at-rest floor's libraries: cold start until that content has painted "
            f"(the app lists its rows before it builds the detail pane, and reads and decodes {PROFILES} entries, "
            "which this does not)",
            f"{content_ready * 1000:.0f} ms",
            f"{floor_paint * 1000:.0f} ms (bare QMainWindow's first paint)",
            f"{content_ready / floor_paint:.2f}×",
            "-",
            None,
        ),
        Row(
            f"Peak RSS at rest: {PROFILES} profiles with valid tokens, nothing due, no dialog opened (median of {runs})",
            f"{app_rss:.1f} MB",
            f"{floor_rss:.1f} MB (bare QMainWindow)",
            f"{rss_ratio:.2f}×",
            f"≤ {RSS_GOAL}×",
            rss_ratio <= RSS_GOAL,
        ),
        Row(
            "(info) the window's visible content without app code (`floor_content.py`: menus, toolbar, filter field, a "
            f"QListView of {PROFILES} icon rows, the detail pane's widgets in plain Qt, the app's style sheet and "
            "icons), on the at-rest floor's libraries / on all the libraries: peak RSS, against the bare window / the "
            "libraries floor",
            f"{content_rss:.1f} MB / {content_all_rss:.1f} MB",
            f"{floor_rss:.1f} MB / {lib_rss:.1f} MB",
            f"{content_rss / floor_rss:.2f}× / {content_all_rss / lib_rss:.2f}×",
            "-",
            None,
        ),
        Row(
            f"Peak RSS with everything loaded (`benchmarks/app_loaded.py`: the app after importing every library and "
            f"lazily loaded module; median of {runs})",
            f"{loaded_rss:.1f} MB",
            f"{lib_rss:.1f} MB (bare window + libraries)",
            f"{loaded_rss / lib_rss:.2f}×",
            f"≤ {LOADED_RSS_GOAL}×",
            loaded_rss / lib_rss <= LOADED_RSS_GOAL,
        ),
        Row(
            "(info) the floor of the row above with the app's code in memory: the content on all the libraries "
            f"(above), then the {app_modules} modules of the app that a loaded run holds imported, none of their "
            "code run beyond their top level: peak RSS, against the libraries floor; the app with everything "
            "loaded against it",
            f"{code_all_rss:.1f} MB",
            f"{lib_rss:.1f} MB",
            f"{code_all_rss / lib_rss:.2f}× (the app {loaded_rss / code_all_rss:.2f}× this)",
            "-",
            None,
        ),
        Row(
            "(info) peak RSS of the bare window plus the libraries the app needs (asyncio, qasync, httpx+anyio, "
            "QtNetwork, QtSvg, cryptography, PyJWT, keyring, platformdirs, filelock)",
            f"{lib_rss:.1f} MB",
            f"{floor_rss:.1f} MB",
            f"{lib_rss / floor_rss:.2f}×",
            "-",
            None,
        ),
        Row(
            "(info) private (anonymous) memory once ready: app / libraries floor; file-backed pages, "
            "the rest of RSS, vary with the page cache",
            f"{app_anon:.1f} MB / {lib_anon:.1f} MB",
            f"{floor_anon:.1f} MB",
            f"{app_anon / floor_anon:.2f}× / {lib_anon / floor_anon:.2f}×",
            "-",
            None,
        ),
        Row(
            "(info) what Python's own objects hold once ready (tracemalloc from the first import, 1 run each: code, "
            "classes, strings, PySide's enums and wrappers), at rest / everything loaded: the app against the "
            "content in plain Qt on the same libraries; the rest of the peak RSS gap is Qt's C++ side (the app's "
            "widgets, actions, models) and the bindings' code pages",
            f"{traced['app']:.1f} MB / {traced['loaded']:.1f} MB",
            f"{traced['content']:.1f} MB / {traced['content_all']:.1f} MB",
            f"{traced['app'] - traced['content']:+.1f} MB / {traced['loaded'] - traced['content_all']:+.1f} MB "
            f"(peak RSS {app_rss - content_rss:+.1f} MB / {loaded_rss - content_all_rss:+.1f} MB)",
            "-",
            None,
        ),
    ]
    rows.append(breakdown)
    raw["traced"] = [traced]
    return rows, raw  # type: ignore[return-value]


#: The processes whose Python objects are weighed (``_traced``).
TRACED_KINDS = ("app", "loaded", "content", "content_all")


def _app_modules(env: dict[str, str], listing: Path) -> int:
    """Write the names of the app's modules that ``app_loaded`` holds once ready (it quits just
    after) to ``listing``, for the floor with the app's code; returns how many."""
    import subprocess

    quits = {**env, "MUSICAUTH_BENCH": "quit", "MUSICAUTH_BENCH_APP_MODULES": str(listing)}
    subprocess.run(LOADED, env=quits, cwd=str(ROOT), capture_output=True, check=True, timeout=60)
    return len(listing.read_text("utf-8").split())


def _traced(cmd: list[str], env: dict[str, str]) -> float:
    """What Python's objects hold in ``cmd`` (``[python, "-m", module]``) once ready, in MB
    (``benchmarks/traced.py``)."""
    seen, _, _, proc = run_until_lines([cmd[0], "-m", "benchmarks.traced", *cmd[2:]], env, ("ready", "traced"))
    proc.terminate()
    wait_rusage(proc)
    return seen["traced"]


def _breakdown(env: dict[str, str]) -> Row:
    """What each library group adds to the bare window's peak RSS: one process per prefix of
    ``floor_libraries.GROUPS`` (1 run each), differences of consecutive peaks."""
    from .floor_libraries import GROUPS

    peaks = [_one(FLOOR, env, ("first-paint",))["rss_mb"]]
    for count in range(1, len(GROUPS) + 1):
        peaks.append(_one(LIBRARIES, {**env, "MUSICAUTH_BENCH_GROUPS": str(count)}, ("first-paint", "ready"))["rss_mb"])
    # peaks[0] is the bare window; peaks[i] adds GROUPS[i-1]: one step per group.
    steps = itertools.pairwise(peaks)
    shares = " · ".join(f"{name} {b - a:+.1f}" for (name, _), (a, b) in zip(GROUPS, steps, strict=True))
    return Row(
        "(info) what each library adds to the bare window's peak RSS, in this order (1 run each; MB)",
        shares,
        f"{peaks[0]:.1f} MB",
        f"{peaks[-1] / peaks[0]:.2f}×",
        "-",
        None,
    )


def _top_imports(cmd: list[str], env: dict[str, str], stop: str | None) -> list[tuple[float, str]]:
    """Top-level imports (cumulative ms) of one run under ``-X importtime``, up to ``stop``."""
    import subprocess

    out = subprocess.run(
        [cmd[0], "-X", "importtime", *cmd[1:]], env=env, cwd=str(ROOT), capture_output=True, text=True, timeout=60
    )
    rows = []
    for line in out.stderr.splitlines():
        if not line.startswith("import time:") or "|" not in line:
            continue
        _, cumulative, name = line.split("|")
        if stop is not None and name.strip() == stop:
            break
        if not name.startswith("  ") and cumulative.strip().isdigit():  # top level only
            rows.append((int(cumulative) / 1000, name.strip()))
    return rows


def explain() -> None:
    """What each process imports before its first paint (``-X importtime``, one run each)."""
    with temp_base("explain") as d:
        env = isolated_env(Path(d), MUSICAUTH_BENCH="quit")
        fill_file_keyring(Path(env["MUSICAUTH_TEST_KEYRING_DIR"]), PROFILES, token_endpoint="http://127.0.0.1:9/token")
        # The app imports asyncio only after its first paint: everything before it is on the
        # critical path.
        for title, cmd, stop in (("app, before first paint", APP, "asyncio"), ("floor", FLOOR, None)):
            rows = _top_imports(cmd, env, stop)
            print(f"{title}: {sum(ms for ms, _ in rows):.0f} ms of imports")
            for ms, name in sorted(rows, reverse=True)[:12]:
                print(f"  {ms:7.1f} ms  {name}")


if __name__ == "__main__":
    if "--explain" in sys.argv:
        explain()
        sys.exit(0)
    rows, raw = measure(int(sys.argv[1]) if len(sys.argv) > 1 else 5)
    for row in rows:
        print(row)
