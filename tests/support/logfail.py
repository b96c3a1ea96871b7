"""Any log record at WARNING or above fails the test that caused it, unless the test expects it.

The idea is qutebrowser's ``tests/helpers/logfail.py``: a warning nobody asserts on is a bug
nobody looks at. One difference: qutebrowser calls ``pytest.fail`` inside the handler's
``emit()``, which raises in whatever code logged. Here much of the logging happens on worker
threads (the vault executor, the emulator servers), in asyncio callbacks and in Qt slots, where
that exception would kill a thread or land in an event loop's handler instead of the test. So the
handler only collects the records, and the test fails at the end of the phase (setup, call or
teardown) they were logged in. A phase that already failed is left to report its own error (the
records are in its "Captured log" section anyway).

A test says which warnings it expects in one of two ways:

- ``@pytest.mark.allow_warning_logs(match=r"...")``: records whose message matches (``re.search``)
  are expected; without ``match``, every record is. Use it for warnings the test provokes on
  purpose and does not otherwise inspect.
- ``caplog.at_level(logging.WARNING)`` (or ``caplog.set_level``): while caplog captures exactly a
  record's level, the test is looking at those records itself, so they are expected, as in
  qutebrowser. A test that asserts on a warning through caplog does this anyway.

Activated from ``tests/conftest.py`` (``pytest_plugins``). Records logged outside a test (at
collection, or by a thread after the last test) are not checked.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Generator

import pytest

MARKER = "allow_warning_logs"


class LogFailHandler(logging.Handler):
    """Collects, on the root logger, the WARNING+ records the running test did not declare."""

    def __init__(self) -> None:
        super().__init__(level=logging.WARNING)
        self._item: pytest.Item | None = None
        self._unexpected: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        # Handler.handle() holds self.lock around emit(): records from other threads queue up.
        if self._item is not None and not _expected(self._item, record):
            self._unexpected.append(record)

    def watch(self, item: pytest.Item) -> None:
        self.acquire()
        try:
            self._item = item
            self._unexpected = []
        finally:
            self.release()

    def stop(self) -> list[logging.LogRecord]:
        """Stop watching; the unexpected records since ``watch``."""
        self.acquire()
        try:
            self._item = None
            records, self._unexpected = self._unexpected, []
        finally:
            self.release()
        return records


def _expected(item: pytest.Item, record: logging.LogRecord) -> bool:
    for marker in item.iter_markers(MARKER):
        pattern = marker.kwargs.get("match")
        if pattern is None or re.search(pattern, _message(record)):
            return True
    caplog = getattr(item, "funcargs", {}).get("caplog")
    if caplog is not None:
        try:
            level = caplog.handler.level
        except KeyError:  # between phases pytest's logging plugin has no handler for caplog
            return False
        return bool(level == record.levelno)
    return False


def _message(record: logging.LogRecord) -> str:
    try:
        return record.getMessage()
    except Exception:  # noqa: BLE001 - a bad format, or an argument whose __str__ raises: show the raw parts
        return f"{record.msg!r} % {record.args!r}"


def _describe(records: list[logging.LogRecord], when: str) -> str:
    lines = [f"  {r.levelname} {r.name}: {_message(r)}" for r in records]
    return (
        f"unexpected log records at WARNING or above during {when} (a real problem to fix, or, if the "
        f"test provokes them on purpose, mark it @pytest.mark.{MARKER}(match=...) or capture them "
        "with caplog.at_level):\n" + "\n".join(lines)
    )


_HANDLER = LogFailHandler()


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        f"{MARKER}(match=None): the test expects log records at WARNING or above "
        "(those whose message matches the regex, or all of them); see tests/support/logfail.py",
    )
    logging.getLogger().addHandler(_HANDLER)


def pytest_unconfigure(config: pytest.Config) -> None:
    logging.getLogger().removeHandler(_HANDLER)


def _watched(item: pytest.Item, when: str) -> Generator[None, object, object]:
    _HANDLER.watch(item)
    try:
        result = yield
    finally:
        records = _HANDLER.stop()
    if records:
        pytest.fail(_describe(records, when), pytrace=False)
    return result


@pytest.hookimpl(wrapper=True)
def pytest_runtest_setup(item: pytest.Item) -> Generator[None, object, object]:
    return (yield from _watched(item, "setup"))


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item: pytest.Item) -> Generator[None, object, object]:
    return (yield from _watched(item, "the test"))


@pytest.hookimpl(wrapper=True)
def pytest_runtest_teardown(item: pytest.Item, nextitem: pytest.Item | None) -> Generator[None, object, object]:
    return (yield from _watched(item, "teardown"))
