"""``musicauth login`` and ``musicauth refresh`` against the peer libraries, whole processes on
whatever keyring the environment selects: the ``cli`` group runs them on the test FileKeyring,
the ``secretservice`` group inside its private D-Bus session on gnome-keyring.

Every contender talks to the same Musixmatch emulator (in the calling process) and runs over the
same environment. A login or refresh is timed from just before ``Popen`` to the moment the
emulator had its answer to the token request ready to write (``EmulatorServer.request_log``,
``time.monotonic()``, system-wide on Linux): no product is instrumented. Ours stores the tokens
after that answer; the process's exit is kept as well. Rounds alternate (the order rotates) and
the rows show medians.

The peers are the ``bench`` extra (``pip install -e '.[bench]'``, ``benchmarks/peers.py``).
"""

from __future__ import annotations

import importlib.util
import json
import statistics
import subprocess
import time
from collections.abc import Callable
from typing import Any

from .common import PYTHON, ROOT, Row

PEER_GOAL = 1.0
CLIENT_ID = "bench-client"
CLIENT_SECRET = "bench-secret"
SCOPES = ["profile", "email"]
#: The client's redirect URIs at the emulator (any loopback port, RFC 8252 §7.3).
REDIRECT_URIS = ["http://127.0.0.1/callback", "http://127.0.0.1/"]
#: ``musicauth`` as its console script starts it (``from musicauth_gui.cli import main``).
MUSICAUTH = [PYTHON, "-c", "import sys; from musicauth_gui.cli import main; sys.exit(main())"]
PEERS = {"google": "google_auth_oauthlib", "authlib": "authlib"}
#: Who does each job: google-auth-oauthlib signs in, google-auth (under it) refreshes.
PEER_LABELS = {
    "login": {"google": "google-auth-oauthlib", "authlib": "authlib"},
    "refresh": {"google": "google-auth", "authlib": "authlib"},
}
#: What any ``musicauth refresh`` imports before its request besides reading its entry:
#: asyncio, httpx and httpcore (its synchronous stack; no anyio backend: core/threaded_transport.py).
HTTP_STACK = "import asyncio, httpx, httpcore"


def missing_peers() -> list[str]:
    """The ``bench`` extra's packages that are not installed."""
    return [package for package in PEERS.values() if importlib.util.find_spec(package) is None]


def run(cmd: list[str], env: dict[str, str]) -> tuple[float, float, subprocess.CompletedProcess[str]]:
    """(start, elapsed to exit) of one process, which must succeed."""
    t0 = time.monotonic()
    result = subprocess.run(cmd, env=env, cwd=str(ROOT), capture_output=True, text=True, timeout=60, stdin=subprocess.DEVNULL)
    elapsed = time.monotonic() - t0
    if result.returncode != 0:
        raise RuntimeError(f"{cmd[-2:]} failed ({result.returncode}): {result.stderr[-1500:]}")
    return t0, elapsed, result


def alternate(rounds: int, contenders: dict[str, Callable[[], Any]]) -> dict[str, list[Any]]:
    """``rounds`` rounds of every contender, the order rotating by one each round."""
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


def profiles_toml(server: Any) -> str:
    """``mxm`` (client credentials) and ``mxm-user`` (authorization code) at the emulator."""
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


def measure_flows(server: Any, env: dict[str, str], rounds: int, refresh_floor: str) -> dict[str, dict[str, list[Any]]]:
    """Login and refresh rounds: (to the emulator's answer, to the process's exit) per contender.

    ``env`` holds the imported profiles (``profiles_toml``); ``refresh_floor`` is the python code
    of the refresh rounds' floor contender, timed to its exit (no request).
    """
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
        t0, elapsed, _ = run(cmd, run_env)
        return _answered(server, t0, grant_type) - t0, elapsed

    def peer_refresh(kind: str) -> Callable[[], tuple[float, float]]:
        def refresh() -> tuple[float, float]:
            settings = {**peer_base, "refresh_token": _mint_refresh_token(server)}
            peer_env = {**login_env, "BENCH_PEER": json.dumps(settings)}
            return timed([PYTHON, "-m", "benchmarks.peers", f"{kind}-refresh"], peer_env, "refresh_token")

        return refresh

    logins = alternate(
        rounds,
        {
            "ours": lambda: timed([*MUSICAUTH, "login", "mxm-user"], login_env, "authorization_code"),
            "google": lambda: timed([PYTHON, "-m", "benchmarks.peers", "google-login"], login_env, "authorization_code"),
            "authlib": lambda: timed([PYTHON, "-m", "benchmarks.peers", "authlib-login"], login_env, "authorization_code"),
        },
    )
    refreshes = alternate(
        rounds,
        {
            "ours": lambda: timed([*MUSICAUTH, "refresh", "mxm-user"], env, "refresh_token"),
            "google": peer_refresh("google"),
            "authlib": peer_refresh("authlib"),
            "floor": lambda: (run([PYTHON, "-c", refresh_floor], env)[1],) * 2,
        },
    )
    return {"login": logins, "refresh": refreshes}


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.0f} ms"


def peer_rows(what: str, figure: str, times: dict[str, list[Any]], rounds: int) -> list[Row]:
    """The figure against the best peer, and an (info) row with each peer and the exits."""
    answer = {name: statistics.median(t[0] for t in ts) for name, ts in times.items()}
    exited = {name: statistics.median(t[1] for t in ts) for name, ts in times.items()}
    best = min(("google", "authlib"), key=lambda name: answer[name])
    ratio = answer["ours"] / answer[best]
    labels = PEER_LABELS[what]
    peers = " · ".join(f"{labels[n]} {ms(answer[n])} ({answer['ours'] / answer[n]:.2f}×)" for n in ("google", "authlib"))
    return [
        Row(
            f"{figure}, fresh process to the emulator's answer to the token request (median of {rounds})",
            ms(answer["ours"]),
            f"{ms(answer[best])} ({labels[best]}, the best peer)",
            f"{ratio:.2f}×",
            f"≤ {PEER_GOAL}×",
            ratio <= PEER_GOAL,
        ),
        Row(
            f"(info) `musicauth {what}`: each peer in the same rounds, and the processes' exit (ours stores the tokens after the answer)",
            f"exit {ms(exited['ours'])}",
            f"{peers}; exit: " + " · ".join(f"{labels[n]} {ms(exited[n])}" for n in ("google", "authlib")),
            "-",
            "-",
            None,
        ),
    ]


def refresh_floor_row(what: str, times: dict[str, list[Any]]) -> Row:
    """(info) the refresh rounds' floor contender, to its exit, against google-auth's answer."""
    floor = statistics.median(t[0] for t in times["floor"])
    google = statistics.median(t[0] for t in times["google"])
    return Row(
        f"(info) the floor under `musicauth refresh`: {what}, to exit (no request), against google-auth's answer",
        ms(floor),
        ms(google),
        f"{floor / google:.2f}×",
        "-",
        None,
    )


def skipped_rows(where: str) -> list[Row]:
    """The login and refresh rows when the peers are not installed, saying so."""
    missing = missing_peers()
    skipped = f"skipped: the bench extra is not installed ({', '.join(missing)}); pip install -e '.[bench]'"
    return [
        Row(f"`musicauth login NAME`{where} against the best peer", skipped, "-", "-", f"≤ {PEER_GOAL}×", None),
        Row(f"`musicauth refresh NAME`{where} against the best peer", skipped, "-", "-", f"≤ {PEER_GOAL}×", None),
    ]
