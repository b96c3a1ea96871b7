"""Provider emulators for the core tests, each on 127.0.0.1 with an ephemeral port."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from pathlib import Path

import pytest

from musicauth_gui.sandbox import (
    AppleMusicServer,
    DeezerServer,
    GeniusServer,
    LiveServer,
    MusicBrainzServer,
    MusixmatchServer,
    SoundCloudServer,
    SpotifyServer,
    TidalServer,
)

CLIENT_ID = "test-client"
# Characters that break a secret sent without URL-encoding (the Groove docs warn about this).
CLIENT_SECRET = "s3cr+t/with=odd&chars"
REDIRECT = "http://127.0.0.1/callback"


@pytest.fixture
def mxm() -> Iterator[MusixmatchServer]:
    with MusixmatchServer() as server:
        server.register_client(CLIENT_ID, CLIENT_SECRET, redirect_uris=[REDIRECT])
        yield server


@pytest.fixture
def live() -> Iterator[LiveServer]:
    with LiveServer() as server:
        server.register_client(CLIENT_ID, CLIENT_SECRET, redirect_uris=[REDIRECT])
        yield server


@pytest.fixture
def spotify() -> Iterator[SpotifyServer]:
    with SpotifyServer() as server:
        server.register_client(CLIENT_ID, CLIENT_SECRET, redirect_uris=[REDIRECT])
        server.register_client("public-client", redirect_uris=[REDIRECT])
        yield server


@pytest.fixture
def soundcloud() -> Iterator[SoundCloudServer]:
    with SoundCloudServer(client_credentials_limit=3) as server:
        server.register_client(CLIENT_ID, CLIENT_SECRET, redirect_uris=[REDIRECT])
        yield server


@pytest.fixture
def musicbrainz() -> Iterator[MusicBrainzServer]:
    with MusicBrainzServer() as server:
        server.register_client(CLIENT_ID, CLIENT_SECRET, redirect_uris=[REDIRECT])
        yield server


@pytest.fixture
def deezer() -> Iterator[DeezerServer]:
    with DeezerServer() as server:
        server.register_client(CLIENT_ID, CLIENT_SECRET, redirect_uris=[REDIRECT])
        yield server


@pytest.fixture
def genius() -> Iterator[GeniusServer]:
    """Genius (sign-in tests register their client with its exact redirect URI)."""
    with GeniusServer() as server:
        yield server


def free_port() -> int:
    """A port free a moment ago, for a redirect URI a provider wants matched exactly."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def tidal() -> Iterator[TidalServer]:
    """TIDAL with a confidential client (client credentials; sign-in tests register their own,
    with the exact redirect URI TIDAL wants)."""
    with TidalServer() as server:
        server.register_client(CLIENT_ID, CLIENT_SECRET, redirect_uris=[REDIRECT])
        yield server


def profiles_file(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "profiles.toml"
    path.write_text(text)
    return path


APPLE_TEAM = "TEAM123456"
APPLE_KID = "KEY1234567"


@pytest.fixture
def apple_music() -> Iterator[AppleMusicServer]:
    """MusicKit JS's stand-in and the Apple Music API (tests register their key: it lives in
    the store of the process that signs)."""
    with AppleMusicServer() as server:
        yield server
