"""A stand-in for the system browser, for $BROWSER in sign-in tests.

``python fake_browser.py URL`` GETs the URL and follows every redirect (carrying cookies, as a
browser would through an identity provider's interaction pages) until a page answers without a
redirect: for a sign-in, that is the app's loopback listener. It writes what it saw to
``$FAKE_BROWSER_LOG`` when set (the final URL's query is masked: it holds the code).

``$FAKE_BROWSER_TAMPER=state`` replaces the ``state`` of the final redirect (a forged answer);
``$FAKE_BROWSER_GARBAGE=1`` first sends garbage and a favicon request to the listener.
"""

from __future__ import annotations

import os
import socket
import sys
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import httpx


def _is_loopback_redirect(url: str) -> bool:
    host = urlsplit(url).hostname or ""
    return host in ("127.0.0.1", "::1") and ("code=" in url or "error=" in url)


def _tamper(url: str) -> str:
    parts = urlsplit(url)
    query = [(k, "forged-state" if k == "state" else v) for k, v in parse_qsl(parts.query)]
    return urlunsplit((parts.scheme, parts.netloc, parts.path, urlencode(query), ""))


def _garbage(url: str) -> None:
    parts = urlsplit(url)
    with socket.create_connection((parts.hostname, parts.port), timeout=5) as sock:
        sock.sendall(b"\x00\xffNOT HTTP\r\n\r\n")
        sock.recv(1000)
    httpx.get(f"{parts.scheme}://{parts.netloc}/favicon.ico", timeout=5)


def browse(url: str) -> int:
    log = os.environ.get("FAKE_BROWSER_LOG")
    with httpx.Client(follow_redirects=False, timeout=20) as client:
        for _ in range(20):
            if _is_loopback_redirect(url):
                if os.environ.get("FAKE_BROWSER_GARBAGE"):
                    _garbage(url)
                if os.environ.get("FAKE_BROWSER_TAMPER") == "state":
                    url = _tamper(url)
            response = client.get(url)
            if log:
                with open(log, "a") as fh:
                    fh.write(f"{response.status_code} {urlsplit(url).netloc}{urlsplit(url).path}\n")
            location = response.headers.get("location")
            if response.is_redirect and location:
                url = str(response.url.join(location))
                continue
            return 0 if response.status_code < 500 else 1
    return 1


if __name__ == "__main__":
    sys.exit(browse(sys.argv[1]))
