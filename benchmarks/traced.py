"""Run a benchmark child under tracemalloc and report what Python itself holds once it is ready.

``python -m benchmarks.traced MODULE [ARGS]`` runs ``MODULE`` as ``python -m`` would, with
tracemalloc tracing every allocation made through Python's allocators from the first import on.
``AT_REST_S`` after the child prints its ``ready`` line, it prints ``traced <MB>``: the memory
Python's objects take then (code, classes, strings, PySide's Python-side enums and wrappers). What
Qt allocates in C++ and the pages of the libraries' code are not in it.

Used by ``benchmarks.startup`` to split the peak RSS gap between the app and the window's
content in plain Qt (``floor_content.py``): how much of it is Python objects, how much Qt's
side. Only that line means anything: tracing slows the child down, and adds its own bookkeeping
to the RSS.
"""

from __future__ import annotations

import runpy
import sys
import threading
import tracemalloc
from typing import Any, TextIO

#: At rest means a moment after ready (``startup._one`` reads memory then too): what the app
#: starts just after (its single-instance server) counts.
AT_REST_S = 0.3


class _ReadyWatch:
    """The child's stdout, which starts the report once ``ready`` went through it."""

    def __init__(self, stream: TextIO) -> None:
        self._stream = stream
        self._reported = False

    def write(self, text: str) -> int:
        written = self._stream.write(text)
        if text.startswith("ready ") and not self._reported:
            self._reported = True
            threading.Timer(AT_REST_S, self._report).start()
        return written

    def _report(self) -> None:
        current, _ = tracemalloc.get_traced_memory()
        self._stream.write(f"traced {current / 2**20:.2f}\n")
        self._stream.flush()

    def __getattr__(self, name: str) -> Any:
        return getattr(self._stream, name)


def main() -> None:
    module, *args = sys.argv[1:]
    sys.argv = [module, *args]
    sys.stdout = _ReadyWatch(sys.stdout)  # type: ignore[assignment]
    tracemalloc.start()
    runpy.run_module(module, run_name="__main__", alter_sys=True)


if __name__ == "__main__":
    main()
