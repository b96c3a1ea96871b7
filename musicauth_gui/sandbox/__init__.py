"""Strict local emulators of the music providers' OAuth 2.0 servers, serving real HTTP on 127.0.0.1.

The test suite starts them on port 0 as fixtures; the desktop app's demo mode starts them all with
:func:`start_all`. Standard library only, no Qt.

Modules:
    server: HTTP plumbing, request recording and failure injection (:class:`EmulatorServer`).
    authorization_server: the generic strict OAuth 2.0 server (:class:`AuthorizationServer`).
    live, musixmatch, spotify, soundcloud, tidal, musicbrainz, genius, deezer, musicapi: one provider each.
    discogs: OAuth 1.0a (request token, authorize, access token) and ``/oauth/identity``.
    lastfm: Last.fm's web authentication page and signed API (not OAuth).
    apple_music: MusicKit JS's sign-in (a stand-in script, musickit_js) and the Apple Music API.
    demo: all of them with demo clients (:class:`Sandbox`, :func:`start_all`).
"""

from .apple_music import AppleMusicServer
from .authorization_server import AuthorizationServer
from .clients import ClientRegistration
from .deezer import DeezerServer
from .discogs import DiscogsServer
from .emulators import DemoProvider, Sandbox, start_all
from .errors import OAuthError
from .genius import GeniusServer
from .lastfm import LastfmServer
from .live import LiveServer
from .musicapi import MusicApiServer
from .musicbrainz import MusicBrainzServer
from .musixmatch import MusixmatchServer
from .server import EmulatorServer, Request, Response
from .soundcloud import SoundCloudServer
from .spotify import SpotifyServer
from .tidal import TidalServer

__all__ = [
    "AppleMusicServer",
    "AuthorizationServer",
    "ClientRegistration",
    "DeezerServer",
    "DemoProvider",
    "DiscogsServer",
    "EmulatorServer",
    "GeniusServer",
    "LastfmServer",
    "LiveServer",
    "MusicApiServer",
    "MusicBrainzServer",
    "MusixmatchServer",
    "OAuthError",
    "Request",
    "Response",
    "Sandbox",
    "SoundCloudServer",
    "SpotifyServer",
    "TidalServer",
    "start_all",
]
