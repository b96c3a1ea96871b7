"""Fixtures: each emulator started on 127.0.0.1:0 for one test, and a plain httpx client."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TypeVar

import httpx
import pytest

from musicauth_gui.sandbox import (
    AuthorizationServer,
    LiveServer,
    MusixmatchServer,
    SoundCloudServer,
    SpotifyServer,
)

from .helpers import REGISTERED_REDIRECT

SECRET = "s3cret-value"
LIVE_SECRET = "a+b/c=d&e f%"  # every character a careless client mangles


@pytest.fixture(scope="session")
def http() -> Iterator[httpx.Client]:
    """A client that never follows redirects nor reads proxy settings (shared: it is slow to build)."""
    with httpx.Client(follow_redirects=False, timeout=2.0, trust_env=False) as client:
        yield client


S = TypeVar("S", bound=AuthorizationServer)


def _serve(server: S) -> Iterator[S]:
    with server:
        yield server
    assert server.handler_errors == [], server.handler_errors[0]


@pytest.fixture
def generic() -> Iterator[AuthorizationServer]:
    """The generic server with a confidential client ``conf`` and a public client ``public``."""
    server = AuthorizationServer()
    server.register_client("conf", SECRET, redirect_uris=[REGISTERED_REDIRECT])
    server.register_client("public", redirect_uris=[REGISTERED_REDIRECT])
    yield from _serve(server)


@pytest.fixture
def live() -> Iterator[LiveServer]:
    """Live with client ``groove-app`` whose secret is :data:`LIVE_SECRET`."""
    server = LiveServer()
    server.register_client("groove-app", LIVE_SECRET, redirect_uris=[REGISTERED_REDIRECT])
    yield from _serve(server)


@pytest.fixture
def musixmatch() -> Iterator[MusixmatchServer]:
    """Musixmatch with client ``mxm-app``."""
    server = MusixmatchServer()
    server.register_client("mxm-app", SECRET, redirect_uris=[REGISTERED_REDIRECT])
    yield from _serve(server)


@pytest.fixture
def spotify() -> Iterator[SpotifyServer]:
    """Spotify with confidential ``sp-app``, public ``sp-public`` and a ``localhost`` client."""
    server = SpotifyServer()
    server.register_client("sp-app", SECRET, redirect_uris=[REGISTERED_REDIRECT])
    server.register_client("sp-public", redirect_uris=[REGISTERED_REDIRECT])
    server.register_client("sp-localhost", SECRET, redirect_uris=["http://localhost:8888/callback"])
    yield from _serve(server)


@pytest.fixture
def soundcloud() -> Iterator[SoundCloudServer]:
    """SoundCloud with client ``sc-app`` and a cap of 3 client-credentials tokens per hour."""
    server = SoundCloudServer(client_credentials_limit=3, client_credentials_window=3600)
    server.register_client("sc-app", SECRET, redirect_uris=[REGISTERED_REDIRECT])
    yield from _serve(server)
