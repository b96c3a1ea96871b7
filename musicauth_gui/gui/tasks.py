"""Running core coroutines from Qt slots without losing them or their errors.

Every background task is kept in a set until it is done (the event loop keeps only weak
references), and a ``MusicAuthError`` it raises is handed to ``on_error`` as one readable line
(``messages.error_text``: the words the app shows everywhere, secrets scrubbed);
anything else goes to ``sys.excepthook`` (the app's hook logs it, redacted, and shows a short
message), never a traceback dialog.
"""

from __future__ import annotations

import asyncio
import logging
import sys
from collections.abc import Callable, Coroutine
from typing import Any

from ..core.errors import MusicAuthError
from .messages import error_text

log = logging.getLogger(__name__)

_background: set[asyncio.Task[Any]] = set()


def spawn(
    coro: Coroutine[Any, Any, Any],
    *,
    on_error: Callable[[str], None] | None = None,
    on_failure: Callable[[MusicAuthError], None] | None = None,
    name: str | None = None,
    owner: Any = None,
) -> asyncio.Task[Any]:
    """Schedule ``coro`` on the running (qasync) loop and keep a reference until it ends.

    Args:
        on_error: gets a ``MusicAuthError`` as one line of words.
        on_failure: gets the ``MusicAuthError`` itself (a message line offers its actions as
            buttons: ``widgets/message_line.py``); takes the place of ``on_error``.
        owner: a QObject whose destruction cancels the task (a closed dialog's work must not
            touch its deleted widgets afterwards).
    """
    task = asyncio.get_event_loop().create_task(coro, name=name)
    _background.add(task)
    if owner is not None:
        owner.destroyed.connect(lambda *_: task.cancel())

    def done(t: asyncio.Task[Any]) -> None:
        _background.discard(t)
        if t.cancelled():
            return
        exc = t.exception()
        if exc is None:
            return
        if isinstance(exc, MusicAuthError):
            if on_failure is not None:
                on_failure(exc)
            elif on_error is not None:
                on_error(error_text(exc))
            else:
                log.warning("%s", error_text(exc))
            return
        sys.excepthook(type(exc), exc, exc.__traceback__)

    task.add_done_callback(done)
    return task


def pending() -> int:
    return len(_background)
