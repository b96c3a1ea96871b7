"""Handing a URL to the user's browser, the way every sign-in does it.

The front ends pass their own opener: the CLI a blocking ``webbrowser.open`` (or printing the
URL with ``--no-browser``), the desktop app ``QDesktopServices``, the tests a stand-in that
may be a coroutine. Every sign-in kind (the OAuth 2 code flow, the device flow's complete URI,
OAuth 1.0a, Last.fm, the MusicKit page) opens its page through ``open_url``.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

BrowserOpener = Callable[[str], Awaitable[None] | None]


async def open_url(open_browser: BrowserOpener, url: str) -> None:
    """Open ``url`` with ``open_browser``, waiting for it when it is asynchronous."""
    opened = open_browser(url)
    if asyncio.iscoroutine(opened) or isinstance(opened, asyncio.Future):
        await opened
