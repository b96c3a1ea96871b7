"""A stand-in for the system browser, for $BROWSER in sign-in tests.

``python fake_browser.py URL`` GETs the URL and follows every redirect (carrying cookies, as a
browser would through an identity provider's interaction pages) until a page answers without a
redirect: for a sign-in, that is the app's loopback listener. It writes what it saw to
``$FAKE_BROWSER_LOG`` when set (the final URL's query is masked: it holds the code).

A page that runs MusicKit JS (musicauth's Apple Music sign-in page) is driven the way its script
would drive it, against the sandbox's MusicKit stand-in: configure with the page's developer
token, authorize, then POST the user token (or the error) back with the page's nonce; the log
gets the page's answer (``page ok`` or ``page failed``). Only a real browser runs the script
itself (tests/core/test_apple_music_chromium.py).

``$FAKE_BROWSER_TAMPER=state`` replaces the ``state`` of the final redirect (or of the page's
POST: a forged answer); any other parameter may be named the same way (OAuth 1.0a's
``oauth_token`` or ``oauth_verifier``, or Last.fm's one-time ``token``);
``$FAKE_BROWSER_GARBAGE=1`` first sends garbage and a favicon request to the listener.

Before the final redirect, as Chrome's speculative preconnects or an attacker on the same machine
would: ``$FAKE_BROWSER_IDLE=N`` opens N connections to the listener that send nothing;
``$FAKE_BROWSER_FLOOD=N`` opens N that send a partial request head and stop. Both are held until
the listener closes them (or 10 s), and the log gets one line of figures: ``held opened=N
closed_before=K closed_after=M peak_sockets=P``, where K of them were closed by the listener
before the redirect, M by the end, and P is the most sockets the listening process (our parent,
on Linux) had open at once meanwhile.
"""

from __future__ import annotations

import json
import os
import re
import resource
import socket
import sys
import threading
import time
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import httpx

#: The parameters that make a loopback URL a sign-in's answer rather than a provider's page on
#: 127.0.0.1 (Discogs' authorize page carries oauth_token=, its answer oauth_verifier=).
_ANSWER_PARAMS = frozenset({"code", "error", "error_reason", "oauth_verifier", "denied", "token"})


def _is_loopback_redirect(url: str) -> bool:
    host = urlsplit(url).hostname or ""
    # OAuth 2 answers carry code= or error=; OAuth 1.0a's oauth_verifier= or denied=; Last.fm's token=.
    names = {name for name, _ in parse_qsl(urlsplit(url).query, keep_blank_values=True)}
    return host in ("127.0.0.1", "::1") and bool(names & _ANSWER_PARAMS)


def _tamper(url: str, name: str) -> str:
    parts = urlsplit(url)
    query = [(k, f"forged-{name}" if k == name else v) for k, v in parse_qsl(parts.query)]
    return urlunsplit((parts.scheme, parts.netloc, parts.path, urlencode(query), ""))


def _garbage(url: str) -> None:
    parts = urlsplit(url)
    with socket.create_connection((parts.hostname, parts.port), timeout=5) as sock:
        sock.sendall(b"\x00\xffNOT HTTP\r\n\r\n")
        sock.recv(1000)
    httpx.get(f"{parts.scheme}://{parts.netloc}/favicon.ico", timeout=5)


class _SocketCounter(threading.Thread):
    """Samples how many sockets a process has open, every few milliseconds (Linux /proc)."""

    def __init__(self, pid: int) -> None:
        super().__init__(daemon=True)
        self.fd_dir = f"/proc/{pid}/fd"
        self.peak = -1
        self.stop = threading.Event()

    def count(self) -> int:
        sockets = 0
        try:
            for fd in os.listdir(self.fd_dir):
                try:
                    sockets += os.readlink(f"{self.fd_dir}/{fd}").startswith("socket:")
                except OSError:
                    pass
        except OSError:
            return -1
        return sockets

    def run(self) -> None:
        while not self.stop.wait(0.002):
            self.peak = max(self.peak, self.count())


def _closed_by_peer(sock: socket.socket) -> bool:
    sock.setblocking(False)
    try:
        return sock.recv(1) == b""
    except BlockingIOError:
        return False
    except OSError:  # reset: closed with our unread partial request in its buffer
        return True


def _hold(url: str, count: int, partial: bool) -> list[socket.socket]:
    parts = urlsplit(url)
    # Our parent lowered its own descriptor limit in some tests; that is not ours to share.
    _, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    held = []
    for i in range(count):
        sock = socket.create_connection((parts.hostname, parts.port), timeout=5)
        if partial:
            sock.sendall(b"GET /callback?flood=%d&padding=" % i + b"a" * 8000)
        held.append(sock)
    return held


def _wait_closed(held: list[socket.socket], timeout: float) -> int:
    deadline = time.monotonic() + timeout
    while True:
        closed = sum(_closed_by_peer(sock) for sock in held)
        if closed == len(held) or time.monotonic() > deadline:
            return closed
        time.sleep(0.05)


def _drive_musickit_page(client: httpx.Client, url: str, page: str) -> dict[str, object]:
    """What the Apple Music sign-in page's script does, against the sandbox's stand-in."""
    found = re.search(r'<script type="application/json" id="musicauth-config">(.*?)</script>', page, re.S)
    assert found is not None
    config = json.loads(found.group(1))
    parts = urlsplit(url)
    origin = f"{parts.scheme}://{parts.netloc}"
    state = dict(parse_qsl(parts.query)).get("state", "")
    if os.environ.get("FAKE_BROWSER_TAMPER") == "state":
        state = "forged-state"
    fields: dict[str, str]
    try:
        script = client.get(config["scriptUrl"])
        script.raise_for_status()
    except httpx.HTTPError:
        fields = {"error": "musickit_unavailable"}
    else:
        base = f"{urlsplit(config['scriptUrl']).scheme}://{urlsplit(config['scriptUrl']).netloc}"
        headers = {"Authorization": f"Bearer {config['developerToken']}", "Origin": origin}
        configured = client.post(f"{base}/musickit/configure", headers=headers, json={})
        if configured.status_code != 200:
            fields = {"error": "configure_failed", "error_description": configured.json()["errors"][0]["detail"]}
        else:
            authorized = client.post(f"{base}/musickit/authorize", headers=headers, json={"decision": None})
            if authorized.status_code != 200:
                fields = {"error": "refused", "error_description": authorized.json()["errors"][0]["detail"]}
            else:
                fields = {"music_user_token": authorized.json()["music_user_token"]}
    answer = client.post(f"{origin}{parts.path}", data={**fields, "state": state}, headers={"Origin": origin})
    return dict(answer.json())


def browse(url: str) -> int:
    log = os.environ.get("FAKE_BROWSER_LOG")
    with httpx.Client(follow_redirects=False, timeout=20) as client:
        for _ in range(20):
            held: list[socket.socket] = []
            counter = _SocketCounter(os.getppid())
            if _is_loopback_redirect(url):
                if os.environ.get("FAKE_BROWSER_GARBAGE"):
                    _garbage(url)
                if os.environ.get("FAKE_BROWSER_TAMPER"):
                    url = _tamper(url, os.environ["FAKE_BROWSER_TAMPER"])
                idle, flood = int(os.environ.get("FAKE_BROWSER_IDLE", 0)), int(os.environ.get("FAKE_BROWSER_FLOOD", 0))
                if idle or flood:
                    counter.start()
                    held = _hold(url, idle, partial=False) + _hold(url, flood, partial=True)
                    time.sleep(0.5)  # let the listener take them all in
                    closed_before = sum(_closed_by_peer(sock) for sock in held)
            response = client.get(url)
            if log:
                with open(log, "a") as fh:
                    fh.write(f"{response.status_code} {urlsplit(url).netloc}{urlsplit(url).path}\n")
            if held:
                closed_after = _wait_closed(held, timeout=10)
                counter.stop.set()
                if log:
                    with open(log, "a") as fh:
                        fh.write(
                            f"held opened={len(held)} closed_before={closed_before} "
                            f"closed_after={closed_after} peak_sockets={counter.peak}\n"
                        )
                for sock in held:
                    sock.close()
            location = response.headers.get("location")
            if response.is_redirect and location:
                url = str(response.url.join(location))
                continue
            if 'id="musicauth-config"' in response.text:
                answer = _drive_musickit_page(client, url, response.text)
                if log:
                    with open(log, "a") as fh:
                        fh.write(f"page {'ok' if answer['ok'] else 'failed'}: {answer['message']}\n")
            return 0 if response.status_code < 500 else 1
    return 1


if __name__ == "__main__":
    sys.exit(browse(sys.argv[1]))
