"""keyring imported without what it never reads (``core/store/keyring_import.py``,
``core/stand_ins.py``: urllib.request and its metadata reader among them): deferred until
something reads them, then the real modules, for every thread at once.

Each case runs in a child: this process imported both long ago.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap

from musicauth_gui.core.store.keyring_import import DEFERRED
from tests.support.file_keyring import FileKeyring


def child(code: str, *flags: str, **env: str) -> str:
    result = subprocess.run(
        [sys.executable, *flags, "-c", textwrap.dedent(code)],
        env={"PATH": "/usr/bin:/bin", "PYTHONPATH": ":".join(sys.path), **env},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def test_keyring_reads_without_loading_urllib_request_or_the_metadata_reader(tmp_path) -> None:  # type: ignore[no-untyped-def]
    out = child(
        """
        import json, sys
        from musicauth_gui.core import stand_ins
        from musicauth_gui.core.store import keyring_import
        from musicauth_gui.core.store.vault import open_keyring_backend

        # Without site, no editable install's path hook has imported pathlib: nothing deferred is
        # here before, and all of it must still be stand-ins after a write and a read.
        before = sorted(name for name in keyring_import.DEFERRED if name in sys.modules)
        backend = open_keyring_backend()
        backend.set_password("musicauth", "x", "y")
        assert backend.get_password("musicauth", "x") == "y"
        loaded = [name for name in ("http.client", "ssl", "email.parser") if name in sys.modules]
        deferred = [name for name in keyring_import.DEFERRED if stand_ins.is_deferred(name)]
        print(json.dumps({"loaded": loaded, "before": before, "deferred": deferred}))
        """,
        "-S",  # sys.path comes whole from PYTHONPATH (child())
        PYTHON_KEYRING_BACKEND=f"{FileKeyring.__module__}.FileKeyring",
        MUSICAUTH_TEST_KEYRING_DIR=str(tmp_path),
    )

    assert {"urllib.request", "more_itertools", "subprocess", "tempfile", "configparser", "pathlib"} < set(DEFERRED)
    assert json.loads(out) == {"loaded": [], "before": [], "deferred": list(DEFERRED)}


def test_the_first_attribute_read_hands_over_the_real_module() -> None:
    out = child(
        """
        import sys
        from musicauth_gui.core.store import keyring_import
        keyring_import.prepare()
        import jaraco.context, keyring.compat.py312, urllib
        import httpx  # from urllib.request import getproxies

        real = sys.modules["urllib.request"]
        assert type(real).__name__ == "module" and urllib.request is real
        # jaraco.context keeps the stand-in it imported, which now reads through to the real one.
        assert jaraco.context.urllib.request.urlopen is real.urlopen
        assert callable(keyring.compat.py312.metadata.entry_points)
        print(type(sys.modules[keyring_import.DEFERRED[1]]).__name__)
        """
    )

    assert out == "module"


def test_threads_reading_at_once_all_get_the_same_real_module() -> None:
    out = child(
        """
        import sys, threading
        from musicauth_gui.core.store import keyring_import
        keyring_import.prepare()
        stand_in = sys.modules["urllib.request"]
        start, got = threading.Barrier(8), []

        def read():
            start.wait()
            got.append(stand_in.Request)

        threads = [threading.Thread(target=read) for _ in range(8)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        print(len(got), len(set(got)), got[0] is sys.modules["urllib.request"].Request)
        """
    )

    assert out == "8 1 True"


def test_a_module_already_imported_is_left_as_it_is() -> None:
    out = child(
        """
        import sys, urllib.request
        real = sys.modules["urllib.request"]
        from musicauth_gui.core.store import keyring_import
        keyring_import.prepare()
        print(sys.modules["urllib.request"] is real)
        """
    )

    assert out == "True"


def test_keyrings_own_discovery_reads_the_entry_points_through_the_stand_in() -> None:
    # No backend named, no D-Bus session: keyring discovers (its plugin entry points first).
    out = child(
        """
        import sys
        from musicauth_gui.core.errors import NoKeyringError
        from musicauth_gui.core.store import keyring_import
        from musicauth_gui.core.store.vault import open_keyring_backend

        try:
            print(type(open_keyring_backend()).__name__)
        except NoKeyringError:
            print("none")
        print(type(sys.modules[keyring_import.DEFERRED[1]]).__name__)
        """
    )

    assert out.splitlines()[-1] == "module"
