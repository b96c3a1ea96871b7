"""The app with everything loaded: the libraries floor's modules and the app's own lazily
loaded ones (HTTP stack, PyJWT's ES256, cryptography's keys) imported before ``main()`` runs.

Run by ``benchmarks.startup`` for the "everything loaded" peak RSS, against ``floor_libraries``:
what the app costs above its libraries once every feature has been used. Only its memory is
read; its start-up times mean nothing (it imports everything before the first paint).

With ``MUSICAUTH_BENCH_APP_MODULES`` set to a path, it writes there, once the app has returned,
the names of the app's modules it held: what ``floor_content.py`` imports for the floor with
the app's code (run with ``MUSICAUTH_BENCH=quit``, which returns just after ready).
"""

import importlib
import os
import sys

from .floor_libraries import LIBRARIES  # first: PySide6 without its import hook, as the app does

#: Loaded on first use in the app (a sign-in, a renewal, a DevToken, a key import).
APP_LAZY = ("musicauth_gui.core.http", "musicauth_gui.core.oauth.flows", "musicauth_gui.core.keys", "jwt.algorithms")


def main() -> int:
    for name in (*LIBRARIES, *APP_LAZY):
        importlib.import_module(name)
    from musicauth_gui.gui.app import main as app_main

    code = app_main([])
    listing = os.environ.get("MUSICAUTH_BENCH_APP_MODULES")
    if listing:
        with open(listing, "w", encoding="utf-8") as out:
            out.write("\n".join(sorted(name for name in sys.modules if name.startswith("musicauth_gui."))))
    return code


if __name__ == "__main__":
    sys.exit(main())
