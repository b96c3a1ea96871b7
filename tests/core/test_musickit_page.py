"""The Apple Music sign-in page's listener over real sockets: who gets the page, which posts end
the sign-in, and which are answered and ignored (core/oauth/musickit_page.py)."""

from __future__ import annotations

import asyncio
import json
import re

import httpx
import pytest

from musicauth_gui.core.errors import SignInCancelled, SignInDenied, SignInError, StateMismatch
from musicauth_gui.core.oauth.musickit_page import MAX_BODY, MusicKitPage
from musicauth_gui.core.secret import Secret

STATE = "the-nonce-of-this-sign-in"
SCRIPT = "http://127.0.0.1:9/musickit.js"
DEVELOPER = "eyJhbGciOiJFUzI1NiJ9.eyJpc3MiOiJURUFNIn0.c2ln"


def new_page() -> MusicKitPage:
    return MusicKitPage(state=STATE, script_url=SCRIPT, developer_token=Secret(DEVELOPER))


async def test_only_the_browser_with_the_nonce_gets_the_page_and_strays_do_not_end_it() -> None:
    async with new_page() as page, httpx.AsyncClient() as client:
        assert page.url == f"http://127.0.0.1:{page.port}/apple-music?state={STATE}"
        for url, headers, status in (
            (page.url.replace(STATE, "guessed"), {}, 403),  # another sign-in's (or a guessed) nonce
            (page.url.split("?")[0], {}, 403),  # no nonce at all
            (f"{page.origin}/favicon.ico", {}, 404),
            (page.url, {"Host": f"attacker.example:{page.port}"}, 403),  # DNS rebinding
        ):
            answer = await client.get(url, headers=headers)
            assert answer.status_code == status, url
            assert DEVELOPER not in answer.text
        answer = await client.get(page.url)
        assert answer.status_code == 200 and answer.headers["cache-control"] == "no-store"
        config = json.loads(re.search(r'id="musicauth-config">(.*?)</script>', answer.text).group(1))  # type: ignore[union-attr]
        assert config == {"developerToken": DEVELOPER, "scriptUrl": SCRIPT, "appName": "musicauth", "appBuild": "1"}
        # Posts that are not this page's answer are refused and the sign-in goes on waiting.
        form = {"state": STATE, "music_user_token": "the-user-token"}
        foreign = await client.post(page.origin + "/apple-music", data=form, headers={"Origin": "https://evil.example"})
        assert foreign.status_code == 403
        huge = await client.post(page.origin + "/apple-music", data={"state": STATE, "music_user_token": "x" * MAX_BODY})
        assert huge.status_code == 413
        unrelated = await client.post(page.origin + "/apple-music", data={"state": STATE})
        assert unrelated.status_code == 400
        # The page's answer: the token, and what the page shows.
        done = await client.post(page.origin + "/apple-music", data=form, headers={"Origin": page.origin})
        assert done.status_code == 200 and done.json()["ok"] is True
        token = await page.wait_user_token(timeout=5)
        assert token.reveal() == "the-user-token"


async def test_a_post_with_another_nonce_ends_the_sign_in_as_a_forgery() -> None:
    async with new_page() as page, httpx.AsyncClient() as client:
        answer = await client.post(page.origin + "/apple-music", data={"state": "forged", "music_user_token": "planted"})
        assert answer.status_code == 400 and answer.json()["ok"] is False
        with pytest.raises(StateMismatch):
            await page.wait_user_token(timeout=5)


@pytest.mark.parametrize(
    ("fields", "error", "words"),
    [
        (
            {"error": "refused", "error_description": "AUTHORIZATION_ERROR"},
            SignInDenied,
            "refused (MusicKit authorize() failed: AUTHORIZATION_ERROR)",
        ),
        ({"error": "musickit_unavailable"}, SignInError, "could not load MusicKit JS from 127.0.0.1:9"),
        ({"error": "configure_failed", "error_description": "unknown kid"}, SignInError, "did not accept the developer token: unknown kid"),
        ({"music_user_token": "has a space"}, SignInError, "no usable Apple Music user token"),
    ],
)
async def test_what_the_page_reports_becomes_a_typed_error(fields, error, words) -> None:  # type: ignore[no-untyped-def]
    async with new_page() as page, httpx.AsyncClient() as client:
        answer = await client.post(page.origin + "/apple-music", data={"state": STATE, **fields})
        assert answer.json()["ok"] is False and words in answer.json()["message"]
        with pytest.raises(error) as raised:
            await page.wait_user_token(timeout=5)
        assert words in raised.value.message
    if fields.get("error") == "musickit_unavailable":
        assert raised.value.field == "musickit_js_url"


async def test_cancel_ends_the_wait_and_the_page_is_gone() -> None:
    page = new_page()
    await page.start()
    url = page.url
    asyncio.get_running_loop().call_later(0.05, page.cancel)
    with pytest.raises(SignInCancelled):
        await page.wait_user_token(timeout=5)
    async with httpx.AsyncClient() as client:
        with pytest.raises(httpx.ConnectError):
            await client.get(url)
