"""Demo mode's profiles for TIDAL, MusicBrainz, Genius and Deezer work against their emulators:
sign in through a stand-in browser, then Try it, through the engine as the app drives it."""

from __future__ import annotations

import asyncio

import httpx
import pytest

from musicauth_gui.demo_world import start_demo

NEW = ("TIDAL", "MusicBrainz", "Genius", "Deezer", "Discogs")


def follow(url: str) -> None:
    """A browser that approves: follow redirects until the loopback listener has answered."""
    with httpx.Client(follow_redirects=True, trust_env=False, timeout=10) as client:
        client.get(url)


@pytest.mark.parametrize("name", NEW)
def test_demo_profile_signs_in_and_tries(name: str) -> None:
    async def run() -> None:
        world = await start_demo(consent="approve", short_lived=False)
        try:
            await world.engine.login(name, open_browser=lambda url: asyncio.to_thread(follow, url), timeout=20)
            result = await world.engine.try_profile(name)
            assert result.ok and result.status == 200, result
        finally:
            world.stop()

    asyncio.run(run())


def test_demo_tidal_app_token() -> None:
    async def run() -> None:
        world = await start_demo(consent="approve", short_lived=False)
        try:
            result = await world.engine.try_profile("TIDAL app")
            assert result.ok, result
            assert [p for p in await world.engine.profile_names() if p in NEW] == list(NEW)
        finally:
            world.stop()

    asyncio.run(run())
