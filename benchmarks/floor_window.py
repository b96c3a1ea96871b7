"""The start-up floor: a bare PySide6 QMainWindow, shown and painted, nothing else.

Run by ``benchmarks.startup`` in a fresh interpreter. It prints ``first-paint <t>`` (``t`` is
``time.monotonic()``, which is system-wide on Linux, so the parent can subtract its own spawn
time) once the first paint has completed, then quits. Same size and the same "after the paint
cycle" signal (a zero-delay timer queued from the first paintEvent) as the real window.
"""

import os
import sys
import time

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QMainWindow


class Window(QMainWindow):
    def __init__(self) -> None:
        super().__init__()
        self._painted = False

    def paintEvent(self, event):  # type: ignore[no-untyped-def]
        super().paintEvent(event)
        if not self._painted:
            self._painted = True
            QTimer.singleShot(0, self._report)

    def _report(self) -> None:
        print(f"first-paint {time.monotonic():.6f}", flush=True)
        if not os.environ.get("MUSICAUTH_BENCH_STAY"):  # the parent reads /proc, then ends it
            QApplication.quit()


def main() -> int:
    app = QApplication(sys.argv[:1])
    window = Window()
    window.resize(1040, 680)
    window.show()
    return app.exec()


if __name__ == "__main__":
    sys.exit(main())
