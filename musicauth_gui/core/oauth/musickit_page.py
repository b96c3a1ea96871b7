"""The loopback page that gets an Apple Music user token from MusicKit JS.

Apple has no OAuth endpoint for a Music User Token: only MusicKit on the web hands one out, from
``authorize()`` on a page served from a real HTTP origin that configured MusicKit with a
developer token. So the sign-in serves that page itself, on the loopback listener (loopback.py,
whose rules hold here too: 127.0.0.1, an ephemeral port, listening before the browser opens,
stray requests ignored, a deadline, a cancel).

What the page does, and why:
- ``GET /apple-music?state=NONCE`` serves it; the nonce is new for every sign-in, so only the
  browser we opened gets the page (and the developer token in it). A GET without it, or any
  other path, is answered and ignored: a scanner or a stale tab does not end the sign-in.
- It loads MusicKit JS (the profile's ``musickit_js_url``, else Apple's v3 CDN), configures it
  with a developer token signed for this sign-in, calls ``authorize()`` (Apple's sign-in opens
  in a pop-up), and POSTs ``state`` with ``music_user_token`` (or ``error``) back to the same
  path as a form. The first such POST ends the sign-in, as the OAuth redirect does: a wrong
  ``state`` is a ``StateMismatch`` (a forged answer), an ``authorize()`` rejection is a refused
  consent (``SignInDenied``). The listener's answer says what the page shows: done or failed.
- A request whose ``Host`` is not the listener's own address is refused (DNS rebinding: a site
  whose name resolves to 127.0.0.1 must not read the page), and so is a POST whose ``Origin``
  is another site's (the page always posts from its own origin); neither ends the sign-in.
- http://127.0.0.1 is a "potentially trustworthy" origin (W3C Secure Contexts §3.1), so the page
  gets what a https page would.

The page's developer token carries no ``origin`` claim. Apple documents the claim as optional
and its format is unverified (a list of origins, it is believed); the page's origin changes with
the ephemeral port on every sign-in, and a refused claim would fail a sign-in for a reason the
user cannot see. Instead the token lives only as long as the sign-in may wait
(``page_token_lifetime``), so a copy of it is worth little. The developer tokens sent beside the
user token afterwards are signed as the profile says (its ``origin`` and ``devtoken_ttl``).
"""

from __future__ import annotations

import asyncio
import hmac
import html
import json
import socket
from urllib.parse import parse_qs, urlsplit

from ..errors import Action, SignInDenied, SignInError, StateMismatch
from ..http import host_of, printable
from ..secret import Secret
from .loopback import Callback, LoopbackListener, RedirectTarget, _Connection, send_answer

PAGE_PATH = "/apple-music"
#: The largest answer the page posts: a user token is a few hundred characters.
MAX_BODY = 16 * 1024
#: Beyond the sign-in's own wait: MusicKit may still use the token while the answer travels.
PAGE_TOKEN_MARGIN = 300
#: The most of a MusicKit error's text kept in a message.
_DESCRIPTION_LIMIT = 200


def page_token_lifetime(timeout: float) -> int:
    """Seconds the page's developer token lives: the sign-in's wait and a margin, far under
    Apple's 15,777,000 s cap."""
    return int(timeout) + PAGE_TOKEN_MARGIN


class MusicKitPage(LoopbackListener):
    """Serve the MusicKit page and wait for the user token it posts back.

    Use::

        async with MusicKitPage(state=new_state(), script_url=url, developer_token=jwt) as page:
            open_browser(page.url)
            user_token = await page.wait_user_token(timeout=300)

    The answer travels as a ``Callback`` whose ``code`` is the Music User Token, so that the
    listener's wait, cancel and timeout work as they do for a redirect.
    """

    def __init__(self, *, state: str, script_url: str, developer_token: Secret, app_build: str = "1") -> None:
        super().__init__(RedirectTarget(path=PAGE_PATH), state=state)
        self._script_url = script_url
        self._developer_token = developer_token
        self._app_build = app_build

    @property
    def origin(self) -> str:
        """The page's origin (``http://127.0.0.1:PORT``)."""
        return self.redirect_uri[: -len(PAGE_PATH)]

    @property
    def url(self) -> str:
        """The page to open in the browser: it carries this sign-in's nonce."""
        return f"{self.redirect_uri}?state={self._state}"

    async def wait_user_token(self, timeout: float) -> Secret:
        """The Music User Token the page posted.

        Raises:
            SignInDenied, StateMismatch, SignInTimeout, SignInCancelled, SignInError.
        """
        return (await self.wait(timeout)).code

    # -- requests -------------------------------------------------------------------------------

    async def _answer_connection(self, connection: _Connection, head: bytes) -> None:
        sock = connection.sock
        lines = head.decode("latin-1").split("\r\n")
        parts = lines[0].split(" ")
        if len(parts) != 3 or not parts[2].startswith("HTTP/"):
            await _message(sock, 400, "This address only serves a musicauth sign-in page.")
            return
        method, target, _ = parts
        headers = _headers(lines[1:])
        try:
            url = urlsplit(target)
        except ValueError:
            await _message(sock, 400, "This address only serves a musicauth sign-in page.")
            return
        if url.path != PAGE_PATH:
            await _message(sock, 404, "This address only serves a musicauth sign-in page.")
            return
        if headers.get("host") != self.origin.removeprefix("http://"):
            await _message(sock, 403, "This page is only served to the address musicauth opened.")
            return
        if method == "GET":
            await self._page(sock, parse_qs(url.query).get("state", [""])[0])
        elif method == "POST":
            await self._post(connection, headers)
        else:
            await _message(sock, 405, "This address only serves a musicauth sign-in page.")

    async def _page(self, sock: socket.socket, state: str) -> None:
        assert self._result is not None
        if not hmac.compare_digest(state.encode(), self._state.encode()):
            await _message(sock, 403, "This sign-in page belongs to another sign-in; start it again from musicauth.")
            return
        if self._result.done():
            await _message(sock, 410, "This sign-in has already finished. You can close this tab.")
            return
        config = {
            "developerToken": self._developer_token.reveal(),
            "scriptUrl": self._script_url,
            "appName": "musicauth",
            "appBuild": self._app_build,
        }
        # "<" escaped: no value can close the script element it sits in.
        page = _PAGE.replace("{config}", json.dumps(config).replace("<", "\\u003c"))
        page = page.replace("{host}", html.escape(host_of(self._script_url)))
        await send_answer(sock, 200, page.encode(), "text/html; charset=utf-8", headers=_PAGE_HEADERS)

    async def _post(self, connection: _Connection, headers: dict[str, str]) -> None:
        sock = connection.sock
        assert self._result is not None
        origin = headers.get("origin")
        if origin is not None and origin != self.origin:
            await _answer(sock, 403, ok=False, message="Only musicauth's own page may answer this sign-in.")
            return
        if self._result.done():
            await _answer(sock, 410, ok=False, message="This sign-in has already finished.")
            return
        try:
            length = int(headers.get("content-length", ""))
        except ValueError:
            length = -1
        if not 0 < length <= MAX_BODY:
            await _answer(sock, 413 if length > MAX_BODY else 400, ok=False, message="Not an answer of the sign-in page.")
            return
        body = await _read_body(connection, length)
        form = {k: v[0] for k, v in parse_qs(body.decode("utf-8", "replace"), keep_blank_values=True).items()}
        if "state" not in form or not ("music_user_token" in form or "error" in form):
            await _answer(sock, 400, ok=False, message="Not an answer of the sign-in page.")
            return
        outcome = self._judge_post(form)
        self._stop_accepting()  # one answer: nothing more to listen for
        try:
            if isinstance(outcome, Callback):
                await _answer(sock, 200, ok=True, message=_SIGNED_IN)
            else:
                await _answer(sock, 400, ok=False, message=f"{outcome} You can close this tab.")
        finally:
            self._settle(outcome)  # the answer counts even if the page did not take ours

    def _judge_post(self, form: dict[str, str]) -> Callback | SignInError:
        if not hmac.compare_digest(form["state"].encode(), self._state.encode()):
            return StateMismatch()
        error = form.get("error")
        if error is not None:
            description = (printable(form.get("error_description")) or "")[:_DESCRIPTION_LIMIT]
            said = f": {description}" if description else ""
            if error == "refused":
                return SignInDenied(f"the Apple Music sign-in was refused (MusicKit authorize() failed{said}); nothing was stored")
            if error == "musickit_unavailable":
                return SignInError(
                    f"the sign-in page could not load MusicKit JS from {host_of(self._script_url)}; nothing was stored",
                    field="musickit_js_url",
                    actions=(Action.CHECK_NETWORK, Action.EDIT_FIELD),
                )
            if error == "configure_failed":
                return SignInError(
                    f"MusicKit did not accept the developer token{said} (check the Team ID, the Key ID and the key); "
                    "nothing was stored",
                    actions=(Action.EDIT_FIELD,),
                )
            return SignInError(f"the sign-in page ended with {printable(error) or 'an error'}{said}; nothing was stored")
        token = form.get("music_user_token", "")
        if not token or not token.isprintable() or " " in token:
            return SignInError("the sign-in page sent no usable Apple Music user token; nothing was stored")
        return Callback(code=Secret(token))


def _headers(lines: list[str]) -> dict[str, str]:
    """Header fields by lower-case name (the last one wins; none of ours may repeat)."""
    found = {}
    for line in lines:
        name, colon, value = line.partition(":")
        if colon and name.strip():
            found[name.strip().lower()] = value.strip()
    return found


async def _read_body(connection: _Connection, length: int) -> bytes:
    """The request body: what came with the head, then the rest (the caller's deadline holds)."""
    loop = asyncio.get_running_loop()
    body = bytearray(connection.rest[:length])
    while len(body) < length:
        chunk = await loop.sock_recv(connection.sock, min(4096, length - len(body)))
        if not chunk:
            break
        body += chunk
    return bytes(body)


async def _answer(sock: socket.socket, status: int, *, ok: bool, message: str) -> None:
    """What the page shows, as JSON for its script."""
    title = "Signed in" if ok else "Sign-in failed"
    body = json.dumps({"ok": ok, "title": title, "message": message}).encode()
    await send_answer(sock, status, body, "application/json")


async def _message(sock: socket.socket, status: int, text: str) -> None:
    await send_answer(sock, status, f"{html.escape(text)}\n".encode(), "text/plain; charset=utf-8")


_SIGNED_IN = "You are signed in to Apple Music. You can close this tab and return to musicauth."
_PAGE_HEADERS = ("X-Content-Type-Options: nosniff", "X-Frame-Options: DENY")

# The page: a status line, MusicKit from {host}, and the script that drives it. Plain ES2017, no
# framework; every text it shows comes from here or from the listener's answer (set as text,
# never as HTML).
_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>musicauth: Apple Music sign-in</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>
body { font: 16px/1.5 system-ui, sans-serif; margin: 0; display: grid; place-items: center;
       min-height: 100vh; background: #f4f5f7; color: #1d2330; }
main { background: #fff; padding: 2rem 2.5rem; border-radius: 12px; max-width: 32rem;
       box-shadow: 0 2px 12px rgba(0,0,0,.08); }
h1 { font-size: 1.3rem; margin: 0 0 .5rem; }
main[data-state=done] h1 { color: #1a7f37; }
main[data-state=failed] h1 { color: #b42318; }
@media (prefers-color-scheme: dark) { body { background: #16181d; color: #e6e8ee; }
  main { background: #22252c; } }
</style>
<script type="application/json" id="musicauth-config">{config}</script>
</head>
<body><main id="status" data-state="busy"><h1>Signing in to Apple Music</h1>
<p>Loading MusicKit from {host}…</p></main>
<script>
(function () {
  "use strict";
  var config = JSON.parse(document.getElementById("musicauth-config").textContent);
  var state = new URLSearchParams(location.search).get("state") || "";
  var started = false, finished = false;

  function show(kind, title, text) {
    var main = document.getElementById("status");
    main.setAttribute("data-state", kind);
    main.querySelector("h1").textContent = title;
    main.querySelector("p").textContent = text;
  }
  function describe(error) {
    var text = error && (error.message || error.errorCode || error.description);
    return String(text || error || "").slice(0, 200);
  }
  function send(fields) {
    if (finished) { return Promise.resolve(); }
    finished = true;
    fields.state = state;
    return fetch(location.pathname, { method: "POST", body: new URLSearchParams(fields) })
      .then(function (response) { return response.json(); })
      .then(function (answer) { show(answer.ok ? "done" : "failed", answer.title, answer.message); },
            function () { show("failed", "Sign-in failed",
              "musicauth no longer waits for this sign-in (it ended or was cancelled). You can close this tab."); });
  }
  async function run() {
    if (started) { return; }
    started = true;
    var music;
    try {
      music = await MusicKit.configure({ developerToken: config.developerToken,
                                         app: { name: config.appName, build: config.appBuild } });
      music = music || MusicKit.getInstance();
    } catch (error) {
      return send({ error: "configure_failed", error_description: describe(error) });
    }
    show("busy", "Signing in to Apple Music", "Sign in and allow access in Apple's window…");
    var token;
    try {
      token = await music.authorize();
    } catch (error) {
      return send({ error: "refused", error_description: describe(error) });
    }
    if (!token) { return send({ error: "refused", error_description: "no user token" }); }
    return send({ music_user_token: token });
  }

  document.addEventListener("musickitloaded", run);
  var script = document.createElement("script");
  script.src = config.scriptUrl;
  script.async = true;
  script.setAttribute("data-web-components", "");
  // MusicKit announces itself with "musickitloaded"; should that never come, start anyway.
  script.onload = function () { setTimeout(function () { if (window.MusicKit) { run(); } }, 3000); };
  script.onerror = function () { send({ error: "musickit_unavailable" }); };
  document.head.appendChild(script);
})();
</script>
</body></html>
"""
