"""PyInstaller entry point for ``musicauth`` (the command line): the same as the wheel's console script."""

import sys

from musicauth_gui.cli import main

sys.exit(main())
