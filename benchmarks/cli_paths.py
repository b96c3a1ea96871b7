"""The command line's three whole-process figures (issue 15), each against a floor or the peer
libraries in the same run, rounds alternating (the order rotates) and medians taken:

- ``musicauth token NAME --format header`` with a valid stored token (the scripting path, e.g.
  ``curl -H "$(musicauth token x --format header)"`` in a loop), process start to exit, against
  ``python -c pass``; informational rows show the floors under it: python importing keyring and
  reading the one entry, which is all this path has to do, and the same with keyring imported as
  musicauth imports it (what it never reads deferred) and the entry decoded;
- ``musicauth login NAME`` (authorization code, PKCE, loopback listener, the stand-in browser
  ``tests/support/fake_browser.py`` through ``$BROWSER``) against google-auth-oauthlib's
  ``InstalledAppFlow`` and an authlib client doing the same (``benchmarks/peers.py``);
- ``musicauth refresh NAME`` against google-auth's ``Credentials.refresh`` and authlib's
  ``refresh_token``; an informational row shows the floor under it: python reading the entry
  through keyring and importing asyncio, httpx and httpcore, which any refresh of ours needs
  before its request (httpcore's synchronous stack, without anyio), process start to exit.

Every contender talks to the same Musixmatch emulator (in this process) and runs over the same
isolated environment, with the test FileKeyring as the keyring for ours. A login or refresh is
timed from just before ``Popen`` to the moment the emulator wrote its answer to the token request
(``benchmarks/flow_rounds.py``, which the ``secretservice`` group runs on gnome-keyring too): no
product is instrumented. Ours stores the tokens after that answer; the process's exit is shown as
well. Modules are byte-compiled first, as a wheel install does.

The peers are the ``bench`` extra (``pip install -e '.[bench]'``); without them the login and
refresh rows say so and are skipped.
"""

from __future__ import annotations

import statistics
from pathlib import Path
from typing import Any

from musicauth_gui.cli import LEAN_TOKEN_DEFERRED

from .common import PYTHON, Row, isolated_env, temp_base
from .flow_rounds import (
    CLIENT_ID,
    CLIENT_SECRET,
    HTTP_STACK,
    MUSICAUTH,
    REDIRECT_URIS,
    alternate,
    measure_flows,
    missing_peers,
    ms,
    peer_rows,
    profiles_toml,
    refresh_floor_row,
    run,
    skipped_rows,
)

TOKEN_GOAL = 3.0
#: The token path's floor once keyring is imported as ``musicauth token`` imports it: the modules
#: keyring's import brings but this path never reads deferred (``core/store/keyring_import.py``,
#: and ``cli.LEAN_TOKEN_DEFERRED``: ``inspect`` and ``traceback``, which jaraco.functools and
#: logging import), then json, and the one entry read and decoded. No code of musicauth's runs
#: beyond ``core/stand_ins.py``.
LEAN_KEYRING_READ = (
    f"from musicauth_gui.core.stand_ins import defer; defer(*{LEAN_TOKEN_DEFERRED!r}); "
    "from musicauth_gui.core.store import keyring_import; keyring_import.prepare(); "
    "import json, keyring; json.loads(keyring.get_keyring().get_password('musicauth', 'profile/mxm'))"
)
#: What any ``musicauth refresh`` imports and does before its request, and no more.
REFRESH_FLOOR = f"import keyring; keyring.get_keyring().get_password('musicauth', 'profile/mxm-user'); {HTTP_STACK}"


def _token_rounds(env: dict[str, str], rounds: int) -> dict[str, list[Any]]:
    expected = run([*MUSICAUTH, "token", "mxm", "--format", "header"], env)[2].stdout
    read_one = "import keyring; keyring.get_keyring().get_password('musicauth', 'profile/mxm')"

    def ours() -> float:
        _, elapsed, result = run([*MUSICAUTH, "token", "mxm", "--format", "header"], env)
        if result.stdout != expected:
            raise RuntimeError("the token changed: it was not the valid stored one")
        return elapsed

    return alternate(
        rounds,
        {
            "pass": lambda: run([PYTHON, "-c", "pass"], env)[1],
            "token": ours,
            "keyring": lambda: run([PYTHON, "-c", read_one], env)[1],
            "lean-keyring": lambda: run([PYTHON, "-c", LEAN_KEYRING_READ], env)[1],
        },
    )


def measure(rounds: int = 7, token_rounds: int = 15) -> tuple[list[Row], dict[str, object]]:
    from musicauth_gui.sandbox import MusixmatchServer

    from .startup import _compile_app

    _compile_app()
    raw: dict[str, object] = {}
    with temp_base("cli") as d, MusixmatchServer() as server:
        base = Path(d)
        server.register_client(CLIENT_ID, CLIENT_SECRET, redirect_uris=REDIRECT_URIS)
        env = isolated_env(base)
        (base / "profiles.toml").write_text(profiles_toml(server))
        run([*MUSICAUTH, "profile", "import", str(base / "profiles.toml")], env)
        tokens = _token_rounds(env, token_rounds)
        raw["token"] = tokens
        floor = statistics.median(tokens["pass"])
        ours = statistics.median(tokens["token"])
        keyring = statistics.median(tokens["keyring"])
        lean_keyring = statistics.median(tokens["lean-keyring"])
        rows = [
            Row(
                f"`musicauth token NAME --format header`, valid token, whole process (median of {token_rounds})",
                ms(ours),
                f"{ms(floor)} (`python -c pass`)",
                f"{ours / floor:.2f}×",
                f"≤ {TOKEN_GOAL:g}×",
                ours / floor <= TOKEN_GOAL,
            ),
            Row(
                "(info) the floor under it: python importing keyring and reading the one entry (FileKeyring)",
                ms(keyring),
                ms(floor),
                f"{keyring / floor:.2f}×",
                "-",
                None,
            ),
            Row(
                "(info) the same with keyring imported as musicauth imports it: what its import brings but this path "
                "never reads deferred (`core/store/keyring_import.py`'s modules, and inspect and traceback), then json, "
                "the entry read and decoded; no other code of musicauth's",
                ms(lean_keyring),
                ms(floor),
                f"{lean_keyring / floor:.2f}× (ours {ours / lean_keyring:.2f}× this)",
                "-",
                None,
            ),
        ]
        if missing_peers():
            return rows + skipped_rows(""), raw
        flows = measure_flows(server, env, rounds, REFRESH_FLOOR)
        raw.update(flows)
        rows += peer_rows("login", "`musicauth login NAME` (code flow, PKCE, stand-in browser)", flows["login"], rounds)
        rows += peer_rows("refresh", "`musicauth refresh NAME`", flows["refresh"], rounds)
        rows.append(
            refresh_floor_row(
                "python reading the entry through keyring and importing asyncio, httpx and httpcore",
                flows["refresh"],
            )
        )
    return rows, raw


if __name__ == "__main__":
    rows, raw = measure()
    for row in rows:
        print(row)
