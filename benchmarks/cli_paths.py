"""The command line's three whole-process figures (issue 15), each against a floor or the peer
libraries in the same run, rounds alternating (the order rotates) and medians taken:

- ``musicauth token NAME --format header`` with a valid stored token (the scripting path, e.g.
  ``curl -H "$(musicauth token x --format header)"`` in a loop), process start to exit, against
  ``python -c pass``; an informational row shows the floor under it: python importing keyring and
  reading the one entry, which is all this path has to do;
- ``musicauth login NAME`` (authorization code, PKCE, loopback listener, the stand-in browser
  ``tests/support/fake_browser.py`` through ``$BROWSER``) against google-auth-oauthlib's
  ``InstalledAppFlow`` and an authlib client doing the same (``benchmarks/peers.py``);
- ``musicauth refresh NAME`` against google-auth's ``Credentials.refresh`` and authlib's
  ``refresh_token``; an informational row shows the floor under it: python reading the entry
  through keyring and importing asyncio and httpx's asyncio stack (httpcore, anyio), which any
  refresh of ours needs before its request, process start to exit.

Every contender talks to the same Musixmatch emulator (in this process) and runs over the same
isolated environment, with the test FileKeyring as the keyring for ours. A login or refresh is
timed from just before ``Popen`` to the moment the emulator wrote its answer to the token request
(``EmulatorServer.request_log``, ``time.monotonic()``, system-wide on Linux): no product is
instrumented. Ours stores the tokens after that answer; the process's exit is shown as well.
Modules are byte-compiled first, as a wheel install does.

The peers are the ``bench`` extra (``pip install -e '.[bench]'``); without them the login and
refresh rows say so and are skipped.
"""

from __future__ import annotations

import importlib.util
import json
import statistics
import subprocess
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from .common import PYTHON, ROOT, Row, isolated_env, temp_base

TOKEN_GOAL = 3.0
PEER_GOAL = 1.0
CLIENT_ID = "bench-client"
CLIENT_SECRET = "bench-secret"
SCOPES = ["profile", "email"]
#: ``musicauth`` as its console script starts it (``from musicauth_gui.cli import main``).
MUSICAUTH = [PYTHON, "-c", "import sys; from musicauth_gui.cli import main; sys.exit(main())"]
PEERS = {"google": "google_auth_oauthlib", "authlib": "authlib"}
#: Who does each job: google-auth-oauthlib signs in, google-auth (under it) refreshes.
PEER_LABELS = {
    "login": {"google": "google-auth-oauthlib", "authlib": "authlib"},
    "refresh": {"google": "google-auth", "authlib": "authlib"},
}


def missing_peers() -> list[str]:
    """The ``bench`` extra's packages that are not installed."""
    return [package for package in PEERS.values() if importlib.util.find_spec(package) is None]


def _run(cmd: list[str], env: dict[str, str]) -> tuple[float, float, subprocess.CompletedProcess[str]]:
    """(start, elapsed to exit) of one process, which must succeed."""
    t0 = time.monotonic()
    result = subprocess.run(cmd, env=env, cwd=str(ROOT), capture_output=True, text=True, timeout=60, stdin=subprocess.DEVNULL)
    elapsed = time.monotonic() - t0
    if result.returncode != 0:
        raise RuntimeError(f"{cmd[-2:]} failed ({result.returncode}): {result.stderr[-1500:]}")
    return t0, elapsed, result


def _alternate(rounds: int, contenders: dict[str, Callable[[], Any]]) -> dict[str, list[Any]]:
    names = list(contenders)
    out: dict[str, list[Any]] = {name: [] for name in names}
    for i in range(rounds):
        shift = i % len(names)
        for name in names[shift:] + names[:shift]:
            out[name].append(contenders[name]())
    return out


def _answered(server: Any, since: float, grant_type: str) -> float:
    """When the emulator answered the first token request of ``grant_type`` received after ``since``."""
    for entry in list(server.request_log):
        request = entry.request
        if request.path == "/oauth/token" and request.form.get("grant_type") == grant_type and entry.received_at >= since:
            if entry.status != 200:
                raise RuntimeError(f"the emulator answered {entry.status} to a {grant_type} request")
            return float(entry.answered_at)
    raise RuntimeError(f"no {grant_type} request reached the emulator")


def _profiles(server: Any) -> str:
    return f"""
[profiles.mxm]
provider = "musixmatch"
flow = "client_credentials"
client_id = "{CLIENT_ID}"
client_secret = "{CLIENT_SECRET}"
token_endpoint = "{server.url('/oauth/token')}"

[profiles.mxm-user]
provider = "musixmatch"
flow = "authorization_code"
client_id = "{CLIENT_ID}"
client_secret = "{CLIENT_SECRET}"
authorization_endpoint = "{server.url('/oauth/authorize')}"
token_endpoint = "{server.url('/oauth/token')}"
"""


def _mint_refresh_token(server: Any) -> str:
    """A fresh refresh token for a peer's refresh round (each refresh spends the one it is
    given: Musixmatch rotates them), through the authorize and token requests."""
    import httpx

    from musicauth_gui.core.oauth.pkce import Pkce, new_state

    pkce, state = Pkce.generate(), new_state()
    redirect_uri = "http://127.0.0.1:9/callback"
    with httpx.Client(follow_redirects=False, timeout=10) as http:
        answer = http.get(
            server.url("/oauth/authorize"),
            params={
                "response_type": "code",
                "client_id": CLIENT_ID,
                "redirect_uri": redirect_uri,
                "scope": " ".join(SCOPES),
                "state": state,
                "code_challenge": pkce.challenge,
                "code_challenge_method": "S256",
            },
        )
        code = httpx.URL(answer.headers["location"]).params["code"]
        token = http.post(
            server.url("/oauth/token"),
            data={
                "grant_type": "authorization_code",
                "code": code,
                "redirect_uri": redirect_uri,
                "client_id": CLIENT_ID,
                "client_secret": CLIENT_SECRET,
                "code_verifier": pkce.verifier.reveal(),
            },
        )
        token.raise_for_status()
        return str(token.json()["refresh_token"])


#: What any ``musicauth refresh`` imports and does before its request, and no more.
REFRESH_FLOOR = (
    "import keyring; keyring.get_keyring().get_password('musicauth', 'profile/mxm-user'); "
    "import asyncio, httpx, anyio._backends._asyncio, httpcore._backends.anyio"
)


def _token_rounds(env: dict[str, str], rounds: int) -> dict[str, list[Any]]:
    expected = _run([*MUSICAUTH, "token", "mxm", "--format", "header"], env)[2].stdout
    read_one = "import keyring; keyring.get_keyring().get_password('musicauth', 'profile/mxm')"

    def ours() -> float:
        _, elapsed, result = _run([*MUSICAUTH, "token", "mxm", "--format", "header"], env)
        if result.stdout != expected:
            raise RuntimeError("the token changed: it was not the valid stored one")
        return elapsed

    return _alternate(
        rounds,
        {
            "pass": lambda: _run([PYTHON, "-c", "pass"], env)[1],
            "token": ours,
            "keyring": lambda: _run([PYTHON, "-c", read_one], env)[1],
        },
    )


def _flow_rounds(server: Any, env: dict[str, str], rounds: int) -> dict[str, dict[str, list[Any]]]:
    """Login and refresh rounds: (to the emulator's answer, to the process's exit) per contender."""
    from tests.support.cli import FAKE_BROWSER

    peer_base = {
        "client_id": CLIENT_ID,
        "client_secret": CLIENT_SECRET,
        "authorization_endpoint": server.url("/oauth/authorize"),
        "token_endpoint": server.url("/oauth/token"),
        "scopes": SCOPES,
    }
    login_env = {
        **env,
        # The stand-in browser, started the way xdg-open starts a browser: the command returns at
        # once. (webbrowser waits for a $BROWSER command to end, and the peers open it on their
        # main thread, before they listen: a browser that followed the redirect first would wait
        # for a listener that is not there yet.)
        "BROWSER": f"sh -c '\"$0\" \"$1\" \"$2\" &' {PYTHON} {FAKE_BROWSER} %s",
        # Plain http to the emulator on 127.0.0.1: oauthlib and authlib refuse it unless told.
        "OAUTHLIB_INSECURE_TRANSPORT": "1",
        "AUTHLIB_INSECURE_TRANSPORT": "1",
        "BENCH_PEER": json.dumps(peer_base),
    }

    def timed(cmd: list[str], run_env: dict[str, str], grant_type: str) -> tuple[float, float]:
        t0, elapsed, _ = _run(cmd, run_env)
        return _answered(server, t0, grant_type) - t0, elapsed

    def peer_refresh(kind: str) -> Callable[[], tuple[float, float]]:
        def run() -> tuple[float, float]:
            settings = {**peer_base, "refresh_token": _mint_refresh_token(server)}
            peer_env = {**login_env, "BENCH_PEER": json.dumps(settings)}
            return timed([PYTHON, "-m", "benchmarks.peers", f"{kind}-refresh"], peer_env, "refresh_token")

        return run

    logins = _alternate(
        rounds,
        {
            "ours": lambda: timed([*MUSICAUTH, "login", "mxm-user"], login_env, "authorization_code"),
            "google": lambda: timed([PYTHON, "-m", "benchmarks.peers", "google-login"], login_env, "authorization_code"),
            "authlib": lambda: timed([PYTHON, "-m", "benchmarks.peers", "authlib-login"], login_env, "authorization_code"),
        },
    )
    refreshes = _alternate(
        rounds,
        {
            "ours": lambda: timed([*MUSICAUTH, "refresh", "mxm-user"], env, "refresh_token"),
            "google": peer_refresh("google"),
            "authlib": peer_refresh("authlib"),
            "floor": lambda: (_run([PYTHON, "-c", REFRESH_FLOOR], env)[1],) * 2,
        },
    )
    return {"login": logins, "refresh": refreshes}


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:.0f} ms"


def _peer_rows(what: str, figure: str, times: dict[str, list[tuple[float, float]]], rounds: int) -> list[Row]:
    answer = {name: statistics.median(t[0] for t in ts) for name, ts in times.items()}
    exited = {name: statistics.median(t[1] for t in ts) for name, ts in times.items()}
    best = min(("google", "authlib"), key=lambda name: answer[name])
    ratio = answer["ours"] / answer[best]
    labels = PEER_LABELS[what]
    peers = " · ".join(f"{labels[n]} {_ms(answer[n])} ({answer['ours'] / answer[n]:.2f}×)" for n in ("google", "authlib"))
    return [
        Row(
            f"{figure}, fresh process to the emulator's answer to the token request (median of {rounds})",
            _ms(answer["ours"]),
            f"{_ms(answer[best])} ({labels[best]}, the best peer)",
            f"{ratio:.2f}×",
            f"≤ {PEER_GOAL}×",
            ratio <= PEER_GOAL,
        ),
        Row(
            f"(info) `musicauth {what}`: each peer in the same rounds, and the processes' exit (ours stores the tokens after the answer)",
            f"exit {_ms(exited['ours'])}",
            f"{peers}; exit: " + " · ".join(f"{labels[n]} {_ms(exited[n])}" for n in ("google", "authlib")),
            "-",
            "-",
            None,
        ),
    ]


def measure(rounds: int = 7, token_rounds: int = 15) -> tuple[list[Row], dict[str, object]]:
    from musicauth_gui.sandbox import MusixmatchServer

    from .startup import _compile_app

    _compile_app()
    raw: dict[str, object] = {}
    with temp_base("cli") as d, MusixmatchServer() as server:
        base = Path(d)
        server.register_client(
            CLIENT_ID, CLIENT_SECRET, redirect_uris=["http://127.0.0.1/callback", "http://127.0.0.1/"]
        )
        env = isolated_env(base)
        (base / "profiles.toml").write_text(_profiles(server))
        _run([*MUSICAUTH, "profile", "import", str(base / "profiles.toml")], env)
        tokens = _token_rounds(env, token_rounds)
        raw["token"] = tokens
        floor = statistics.median(tokens["pass"])
        ours = statistics.median(tokens["token"])
        keyring = statistics.median(tokens["keyring"])
        rows = [
            Row(
                f"`musicauth token NAME --format header`, valid token, whole process (median of {token_rounds})",
                _ms(ours),
                f"{_ms(floor)} (`python -c pass`)",
                f"{ours / floor:.2f}×",
                f"≤ {TOKEN_GOAL:g}×",
                ours / floor <= TOKEN_GOAL,
            ),
            Row(
                "(info) the floor under it: python importing keyring and reading the one entry (FileKeyring)",
                _ms(keyring),
                _ms(floor),
                f"{keyring / floor:.2f}×",
                "-",
                None,
            ),
        ]
        missing = missing_peers()
        if missing:
            skipped = f"skipped: the bench extra is not installed ({', '.join(missing)}); pip install -e '.[bench]'"
            rows += [
                Row("`musicauth login NAME` against the best peer", skipped, "-", "-", f"≤ {PEER_GOAL}×", None),
                Row("`musicauth refresh NAME` against the best peer", skipped, "-", "-", f"≤ {PEER_GOAL}×", None),
            ]
            return rows, raw
        flows = _flow_rounds(server, env, rounds)
        raw.update(flows)
        rows += _peer_rows("login", "`musicauth login NAME` (code flow, PKCE, stand-in browser)", flows["login"], rounds)
        rows += _peer_rows("refresh", "`musicauth refresh NAME`", flows["refresh"], rounds)
        refresh_floor = statistics.median(t[0] for t in flows["refresh"]["floor"])
        google = statistics.median(t[0] for t in flows["refresh"]["google"])
        rows.append(
            Row(
                "(info) the floor under `musicauth refresh`: python reading the entry through keyring and "
                "importing asyncio and httpx's asyncio stack, to exit (no request), against google-auth's answer",
                _ms(refresh_floor),
                _ms(google),
                f"{refresh_floor / google:.2f}×",
                "-",
                None,
            )
        )
    return rows, raw


if __name__ == "__main__":
    rows, raw = measure()
    for row in rows:
        print(row)
