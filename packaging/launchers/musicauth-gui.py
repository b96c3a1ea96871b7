"""PyInstaller entry point for ``musicauth-gui`` (the desktop app): the same as the wheel's gui script."""

import sys

from musicauth_gui.gui.app import main

sys.exit(main())
