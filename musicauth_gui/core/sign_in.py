"""One profile's sign-in under way, as a handle: ``engine.sign_in(name, ...)``.

Each profile has its own handle, so several profiles may wait for their browsers at once and a
Cancel button ends the right one. The handle knows the sign-in URL once the loopback listener is
up (for "Copy sign-in URL"), ends the wait with ``cancel()``, and is awaited for the token.

A device sign-in (RFC 8628) has no listener: its handle carries the ``device`` code instead (the
user code, the verification URI, the complete URI where there is one, the code's expiry), for a
front end to show while the engine polls.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine
from typing import TYPE_CHECKING, Any

from .errors import SignInCancelled
from .model import TokenSet
from .record import frozen_record

if TYPE_CHECKING:  # a refresh imports this module through the engine, and needs no listener
    from .oauth.loopback import LoopbackListener


@frozen_record
class DeviceCode:
    """What a person needs to approve a device sign-in, shown by the front ends.

    Attributes:
        user_code: the code to type on the verification page.
        verification_uri: the page to open on any device.
        verification_uri_complete: the page with the code filled in, where the provider gives one.
        expires_at: when the code dies (wall clock).
        interval: the seconds between polls the provider asked for.
    """

    user_code: str
    verification_uri: str
    verification_uri_complete: str | None
    expires_at: float
    interval: float

    @property
    def link(self) -> str:
        """The page to open: the complete one where there is one."""
        return self.verification_uri_complete or self.verification_uri


class SignIn:
    """Attributes:
    name: the profile signing in.
    url: the authorization URL, once the listener is up (None before); for a device sign-in,
        the page to open (``device.link``).
    device: a device sign-in's code, once the provider gave it (None otherwise).
    """

    def __init__(self, name: str) -> None:
        self.name = name
        self.url: str | None = None
        self.device: DeviceCode | None = None
        self._listener: LoopbackListener | None = None
        self._listening = asyncio.Event()
        self._cancel_asked = False
        self._running = False
        self._task: asyncio.Task[TokenSet] | None = None

    def start(self, login: Coroutine[Any, Any, TokenSet], *, on_end: Callable[[SignIn], None]) -> None:
        """Run ``login`` (``TokenEngine.login`` with ``on_listening=self.on_listening``);
        ``on_end(self)`` once it has ended, however."""
        self._task = asyncio.get_running_loop().create_task(self._run(login), name=f"sign-in:{self.name}")

        def ended(_: object) -> None:
            # Whoever waits for ``listening()`` must wake up if it ends before it listens.
            self._listening.set()
            on_end(self)

        self._task.add_done_callback(ended)

    def on_listening(self, listener: LoopbackListener, url: str) -> None:
        self._listener, self.url = listener, url
        self._listening.set()

    def on_device_code(self, device: DeviceCode) -> None:
        """A device sign-in's code has come: ``listening()`` returns, and a front end shows it."""
        self.device, self.url = device, device.link
        self._listening.set()

    async def listening(self) -> str | None:
        """Wait until the browser can be sent to the URL (or a device code is there to show);
        the URL (None: it ended before)."""
        await self._listening.wait()
        return self.url

    def cancel(self) -> None:
        """End the sign-in: it raises ``SignInCancelled``, and nothing is stored."""
        self._cancel_asked = True
        if self._listener is not None:
            self._listener.cancel()  # the wait ends with SignInCancelled
        elif self._running and self._task is not None:
            # Still resolving endpoints, or a device sign-in polling: no listener to tell.
            self._task.cancel()
        # Not running yet: ``_run`` sees the request as it starts.

    def done(self) -> bool:
        return self._task is not None and self._task.done()

    async def result(self) -> TokenSet:
        """The new token.

        Raises:
            SignInError: denied, wrong state, timeout, cancelled, busy port.
            ProviderError: the code exchange failed.
        """
        assert self._task is not None, "start() first"
        return await self._task

    async def _run(self, login: Coroutine[Any, Any, TokenSet]) -> TokenSet:
        if self._cancel_asked:
            login.close()  # never started: nothing to undo
            raise SignInCancelled()
        self._running = True
        try:
            return await login
        except asyncio.CancelledError:
            if self._cancel_asked:  # our own cancel(), before the listener was up
                raise SignInCancelled() from None
            raise
