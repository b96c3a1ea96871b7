"""One emulator per provider with a demo client each, started and stopped together.

Used by the desktop app's demo mode (and handy in tests)::

    with start_all() as sandbox:
        spotify = sandbox.providers["spotify"]
        spotify.endpoints["token_endpoint"], spotify.client.client_id, spotify.client.client_secret

Demo clients are confidential, registered with ``http://127.0.0.1/callback`` and
``http://[::1]/callback`` (any port, RFC 8252 §7.3), and get fresh random secrets each run.
"""

from __future__ import annotations

import base64
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from types import TracebackType
from typing import Self

from .apple_music import AppleMusicServer
from .authorization_server import AuthorizationServer
from .clients import ClientRegistration
from .lastfm import LastfmServer
from .live import LiveServer
from .musixmatch import MusixmatchServer
from .server import EmulatorServer
from .soundcloud import SoundCloudServer
from .spotify import SpotifyServer

__all__ = ["DEFAULT_REDIRECT_URIS", "DemoProvider", "Sandbox", "start_all"]

DEFAULT_REDIRECT_URIS = ("http://127.0.0.1/callback", "http://[::1]/callback")


@dataclass(frozen=True)
class DemoProvider:
    """One running emulator and its demo client.

    Attributes:
        name: ``"live"``, ``"musixmatch"``, ``"spotify"`` or ``"soundcloud"``.
        server: The emulator.
        client: The demo client's registration (``client_secret`` included).
    """

    name: str
    server: AuthorizationServer
    client: ClientRegistration

    @property
    def base_url(self) -> str:
        """The emulator's ``http://127.0.0.1:PORT``."""
        return self.server.base_url

    @property
    def endpoints(self) -> dict[str, str]:
        """The emulator's absolute endpoint URLs (see ``AuthorizationServer.endpoints``)."""
        return self.server.endpoints


class Sandbox:
    """All four provider emulators, each with a demo client ``demo-<name>``.

    Attributes:
        live: The :class:`~.live.LiveServer`.
        musixmatch: The :class:`~.musixmatch.MusixmatchServer`.
        spotify: The :class:`~.spotify.SpotifyServer`.
        soundcloud: The :class:`~.soundcloud.SoundCloudServer`.
        providers: The same, as :class:`DemoProvider` objects keyed by name.
        lastfm: The :class:`~.lastfm.LastfmServer` (not OAuth, so not among ``providers``), with
            the API account ``demo-lastfm`` and its shared secret ``lastfm_secret``.
        apple_music: The :class:`~.apple_music.AppleMusicServer` (MusicKit JS and the Apple
            Music API; no OAuth client: whoever holds a MusicKit key registers it).
    """

    def __init__(self, *, redirect_uris: Iterable[str] = DEFAULT_REDIRECT_URIS, consent: str = "approve") -> None:
        """Create the emulators (stopped) and register the demo clients.

        Args:
            redirect_uris: Redirect URIs registered for every demo client.
            consent: The consent mode of every emulator (``"interactive"`` for a person clicking
                through the demo in a browser).
        """
        uris = tuple(redirect_uris)
        self.live = LiveServer()
        self.musixmatch = MusixmatchServer()
        self.spotify = SpotifyServer()
        self.soundcloud = SoundCloudServer()
        # Live secrets were standard base64, padding included: the '+', '/' and '=' in them are
        # what catches clients that forget to URL-encode the secret.
        live_secret = base64.b64encode(secrets.token_bytes(25)).decode("ascii")
        servers: dict[str, tuple[AuthorizationServer, str]] = {
            "live": (self.live, live_secret),
            "musixmatch": (self.musixmatch, secrets.token_urlsafe(24)),
            "spotify": (self.spotify, secrets.token_hex(16)),
            "soundcloud": (self.soundcloud, secrets.token_urlsafe(24)),
        }
        self.apple_music = AppleMusicServer()
        self.apple_music.consent = consent
        self.providers: dict[str, DemoProvider] = {}
        for name, (server, secret) in servers.items():
            server.consent = consent
            client_id = f"demo-{name}"
            server.register_client(client_id, secret, redirect_uris=uris)
            self.providers[name] = DemoProvider(name, server, server.client(client_id))
        self.lastfm = LastfmServer(consent=consent)
        self.lastfm_secret = secrets.token_hex(16)
        self.lastfm.register_api_account("demo-lastfm", self.lastfm_secret)

    def _servers(self) -> list[EmulatorServer]:
        return [*(provider.server for provider in self.providers.values()), self.lastfm, self.apple_music]

    def start(self) -> Self:
        """Start every emulator (stopping those already started if one fails).

        Returns:
            This sandbox.
        """
        try:
            for server in self._servers():
                server.start()
        except BaseException:
            self.stop()
            raise
        return self

    def stop(self) -> None:
        """Stop every emulator."""
        for server in self._servers():
            server.stop()

    def __enter__(self) -> Self:
        """Start every emulator that is not running yet."""
        if not all(server.running for server in self._servers()):
            self.stop()
            self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        """Stop every emulator."""
        self.stop()


def start_all(*, redirect_uris: Iterable[str] = DEFAULT_REDIRECT_URIS, consent: str = "approve") -> Sandbox:
    """Create and start a :class:`Sandbox`.

    Args:
        redirect_uris: Redirect URIs registered for every demo client.
        consent: The consent mode of every emulator.

    Returns:
        The running sandbox; call ``stop()`` (or use it as a context manager) when done.
    """
    return Sandbox(redirect_uris=redirect_uris, consent=consent).start()
