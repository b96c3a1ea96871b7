"""``python -m benchmarks``: every figure of the benchmarks issue in one table (under 3 minutes).

Options: ``--only startup,stall,...`` runs some groups; ``--quick`` fewer rounds (a smoke run,
not for the README). The table is printed and written as Markdown to ``benchmarks/last-run.md``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

from .common import ROOT, Row

GROUPS = ("startup", "devtokens", "stall", "signin", "idle", "keyring", "secretservice", "cli")


def machine() -> str:
    import PySide6
    from PySide6 import QtCore

    cpu = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    return (
        f"{os.cpu_count()} CPUs ({len(os.sched_getaffinity(0))} usable), {cpu}; {platform.system()} {platform.release()}; "
        f"Python {platform.python_version()}; PySide6 {PySide6.__version__} (Qt {QtCore.qVersion()}); "
        f"QT_QPA_PLATFORM=offscreen; load average {load}"
    )


def run_group(name: str, quick: bool) -> tuple[list[Row], object]:
    if name == "startup":
        from . import startup

        return startup.measure(runs=3 if quick else 9)
    if name == "devtokens":
        from . import devtokens

        return devtokens.measure()
    if name == "stall":
        from . import stall

        rows, raw = stall.measure(runs=1 if quick else 3)
        many_rows, many_raw = stall.measure(runs=1, profiles=stall.MANY_PROFILES)  # ~1 min a run
        return rows + many_rows, {"100": raw, "1000": many_raw}
    if name == "signin":
        from . import signin

        return signin.measure()
    if name == "idle":
        from . import idle_cpu

        return idle_cpu.measure()
    if name == "keyring":
        from . import keyring_calls

        return keyring_calls.measure()
    if name == "secretservice":
        from . import secret_service

        return secret_service.measure(runs=3 if quick else 7)
    if name == "cli":
        from . import cli_paths

        return cli_paths.measure(rounds=3 if quick else 7, token_rounds=5 if quick else 15)
    raise ValueError(name)


def _cell(text: str) -> str:
    return text.replace("|", "\\|")


def markdown(rows: list[Row], header: str) -> str:
    lines = [header, "", "| Figure | Ours | Floor (same run) | Ratio | Goal | Met |", "|---|---|---|---|---|---|"]
    for r in rows:
        met = "—" if r.met is None else ("yes" if r.met else "**no**")
        lines.append(f"| {_cell(r.figure)} | {_cell(r.ours)} | {_cell(r.floor)} | {_cell(r.ratio)} | {_cell(r.goal)} | {met} |")
    return "\n".join(lines) + "\n"


def text_table(rows: list[Row]) -> str:
    headers = ("figure", "ours", "floor", "ratio", "goal", "met")
    cells = [
        (r.figure, r.ours, r.floor, r.ratio, r.goal, "-" if r.met is None else ("yes" if r.met else "NO")) for r in rows
    ]
    width = [min(70, max(len(h), *(len(c[i]) for c in cells))) for i, h in enumerate(headers)]

    def fmt(values: tuple[str, ...]) -> str:
        out = []
        for i, v in enumerate(values):
            v = v if len(v) <= width[i] else v[: width[i] - 1] + "…"
            out.append(v.ljust(width[i]))
        return "  ".join(out).rstrip()

    return "\n".join([fmt(headers), fmt(tuple("-" * w for w in width))] + [fmt(c) for c in cells])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__.splitlines()[0])
    parser.add_argument("--only", help=f"comma-separated groups: {', '.join(GROUPS)}")
    parser.add_argument("--quick", action="store_true", help="fewer rounds (smoke run)")
    parser.add_argument("--json", help="also write the raw measurements to this file")
    parser.add_argument("--no-write", action="store_true", help="do not write benchmarks/last-run.md")
    args = parser.parse_args(argv)
    groups = args.only.split(",") if args.only else list(GROUPS)
    for g in groups:
        if g not in GROUPS:
            parser.error(f"unknown group {g!r}; choose from {', '.join(GROUPS)}")
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

    started = time.monotonic()
    info = machine()
    print(f"machine: {info}", flush=True)
    rows: list[Row] = []
    raw: dict[str, object] = {}
    for g in groups:
        t = time.monotonic()
        print(f"... {g}", end="", flush=True, file=sys.stderr)
        group_rows, raw[g] = run_group(g, args.quick)
        rows.extend(group_rows)
        print(f" {time.monotonic() - t:.1f} s", file=sys.stderr, flush=True)
    total = time.monotonic() - started
    print()
    print(text_table(rows))
    print(f"\n{len(rows)} rows in {total:.0f} s")

    stamp = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    header = (
        f"`python -m benchmarks`{' --quick' if args.quick else ''}, {stamp}, {total:.0f} s. Machine: {info}.\n\n"
        "Every ratio is to a floor measured in the same run; start-up, memory and idle CPU are whole "
        "processes measured from outside (see benchmarks/README.md)."
    )
    if not args.no_write:
        (ROOT / "benchmarks" / "last-run.md").write_text(markdown(rows, header))
    if args.json:
        Path(args.json).write_text(json.dumps(raw, indent=1, default=str))
    return 0


if __name__ == "__main__":
    sys.exit(main())
