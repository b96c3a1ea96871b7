"""What the windows and dialogs share: the engine, the scheduler, the bridge, the clipboard.

Built after the main window is shown: opening the keyring (backend discovery alone costs about
0.4 s) happens off the GUI thread, and a missing or locked keyring becomes a message in the
window instead of a crash.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..core.engine import TokenEngine
from ..core.scheduler import RenewalScheduler
from .bridge import EngineBridge
from .clipboard import SecretClipboard
from .gc_policy import RenewalBurstCollector


@dataclass
class AppContext:
    """Attributes:
        engine: the core TokenEngine (store, keys, flows).
        scheduler: auto-renew.
        bridge: core events as Qt signals.
        clipboard: concealed copies, cleared after the delay the main window sets from the
            preferences (``gui/settings.py``, which the window reads before this exists).
        demo: the DemoWorld in demo mode (emulators + memory store), else None.
        collector: holds the garbage collector's full passes during renewal bursts.
    """

    engine: TokenEngine
    scheduler: RenewalScheduler
    bridge: EngineBridge
    clipboard: SecretClipboard
    demo: Any = None
    collector: RenewalBurstCollector | None = None

    @classmethod
    def for_engine(
        cls, engine: TokenEngine, *, demo: Any = None, watch_outside: bool = True, poll_ms: int = 2000
    ) -> AppContext:
        # One HTTP client for the app's lifetime (closed in close()): a client per renewal would
        # rebuild an SSL context on the GUI thread every time. It is built, with the imports of
        # the first request (~30 ms, ~7 MB), on a worker thread shortly before the first renewal
        # falls due: not at start-up, where a window whose tokens are all valid never needs
        # them, nor in the middle of the first renewals (benchmarks/stall.py).
        engine.shared_client = True
        scheduler = RenewalScheduler(engine, warm_up=engine.warm_up_http)
        bridge = EngineBridge(engine.events, poll_outside=engine.watch_outside_changes() if watch_outside else None, poll_ms=poll_ms)
        collector = RenewalBurstCollector()
        for signal in (bridge.renewal_started, bridge.token_renewed, bridge.renewal_failed):
            signal.connect(collector.renewal_activity)
        return cls(engine=engine, scheduler=scheduler, bridge=bridge, clipboard=SecretClipboard(), demo=demo, collector=collector)

    @classmethod
    async def open(cls, *, demo: bool = False, ask_passphrase: Callable[[bool, Path], str | None] | None = None) -> AppContext:
        """The store the environment chooses (the OS keyring, or the vault file with
        ``MUSICAUTH_STORE=file``), or the demo world.

        Args:
            ask_passphrase: asks the user for the vault file's passphrase where
                ``MUSICAUTH_PASSPHRASE`` and ``MUSICAUTH_PASSPHRASE_FILE`` do not give it
                (``(new, path) -> passphrase or None``); called on the worker thread that opens
                the store, so it must hand over to the GUI thread itself
                (``dialogs/vault_passphrase.thread_prompt``). None: never asked.

        Raises:
            MusicAuthError: no usable keyring, no passphrase or a wrong one, a damaged vault
                file (the window shows the message).
        """
        if demo:
            from ..demo_world import start_demo

            world = await start_demo()
            return cls.for_engine(world.engine, demo=world, watch_outside=False)
        loop = asyncio.get_running_loop()
        # Off the GUI thread: keyring's backend discovery takes about 0.4 s, the vault file's
        # key derivation about 0.2 s.
        engine = await loop.run_in_executor(None, lambda: TokenEngine.from_environment(ask_passphrase=ask_passphrase))
        return cls.for_engine(engine)

    async def close(self) -> None:
        self.bridge.close()
        if self.collector is not None:
            self.collector.close()
        await self.scheduler.stop()
        await self.engine.aclose()
        if self.demo is not None:
            self.demo.stop()
        else:
            self.engine.close()
