"""musicauth: a desktop credential manager for music APIs.

The single place that names the application: packaging, the desktop file and the metainfo read it.
"""

__version__ = "0.1.0"
APP_ID = "io.github.musicauth.MusicAuth"
APP_NAME = "musicauth"
#: QSettings' organisation (the preferences live in ``$XDG_CONFIG_HOME/musicauth/musicauth.conf`` on Linux).
ORG_NAME = "musicauth"
#: The project's home page (the metainfo's ``homepage``); the User-Agent names it, as Discogs
#: asks of every client.
HOMEPAGE = "https://github.com/musicauth/musicauth"
