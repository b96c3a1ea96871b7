"""The loopback listener over real sockets (RFC 8252)."""

from __future__ import annotations

import asyncio
import logging
import socket

import httpx
import pytest

from musicauth_gui.core.errors import (
    ConfigError,
    PortInUse,
    SignInCancelled,
    SignInDenied,
    SignInTimeout,
    StateMismatch,
)
from musicauth_gui.core.oauth.loopback import LoopbackListener, RedirectTarget, parse_redirect_uri

STATE = "expected-state-value"


async def get(url: str) -> httpx.Response:
    async with httpx.AsyncClient() as client:
        return await client.get(url)


async def raw(port: int, data: bytes, host: str = "127.0.0.1") -> bytes:
    reader, writer = await asyncio.open_connection(host, port)
    writer.write(data)
    await writer.drain()
    try:
        return await asyncio.wait_for(reader.read(), 3)
    finally:
        writer.close()


def test_parse_redirect_uri_rules() -> None:
    assert parse_redirect_uri(None) == RedirectTarget("127.0.0.1", 0, "/callback")
    assert parse_redirect_uri("http://127.0.0.1:8765/callback") == RedirectTarget("127.0.0.1", 8765, "/callback")
    assert parse_redirect_uri("http://[::1]/cb") == RedirectTarget("::1", 0, "/cb")
    for bad in ("http://localhost:8765/callback", "https://127.0.0.1/cb", "http://0.0.0.0/cb", "http://example.com/cb", "http://127.0.0.1/cb?x=1"):
        with pytest.raises(ConfigError):
            parse_redirect_uri(bad)


async def test_binds_the_advertised_literal_and_an_ephemeral_port() -> None:
    async with LoopbackListener(RedirectTarget(), state=STATE) as listener:
        assert listener.port > 0
        assert listener.redirect_uri == f"http://127.0.0.1:{listener.port}/callback"
        sock = listener._sock
        assert sock is not None
        assert sock.getsockname()[0] == "127.0.0.1"


async def test_code_with_matching_state_ends_the_flow_and_releases_the_port() -> None:
    listener = LoopbackListener(RedirectTarget(), state=STATE)
    await listener.start()
    port = listener.port
    waiter = asyncio.create_task(listener.wait(5))
    response = await get(f"{listener.redirect_uri}?code=the-code&state={STATE}")
    assert response.status_code == 200
    assert "signed in" in response.text.lower()
    callback = await waiter
    assert callback.code.reveal() == "the-code"
    # One-shot: the socket is closed after the first valid callback.
    with pytest.raises(OSError):
        await asyncio.open_connection("127.0.0.1", port)


async def test_stray_requests_do_not_end_the_flow() -> None:
    async with LoopbackListener(RedirectTarget(), state=STATE) as listener:
        waiter = asyncio.create_task(listener.wait(5))
        base = f"http://127.0.0.1:{listener.port}"
        assert (await get(f"{base}/favicon.ico")).status_code == 404
        assert (await get(f"{base}/callback")).status_code == 400  # no code, no error
        assert b"400" in await raw(listener.port, b"\x16\x03\x01garbage\r\n\r\n")
        # A port scanner that connects and says nothing.
        _, writer = await asyncio.open_connection("127.0.0.1", listener.port)
        writer.close()
        assert not waiter.done()
        response = await get(f"{base}/callback?code=c&state={STATE}")
        assert response.status_code == 200
        assert (await waiter).code.reveal() == "c"


async def test_a_request_target_urlsplit_refuses_is_answered_400_and_the_flow_goes_on() -> None:
    async with LoopbackListener(RedirectTarget(), state=STATE) as listener:
        waiter = asyncio.create_task(listener.wait(5))
        answer = await raw(listener.port, b"GET http://[::1/callback?code=x HTTP/1.1\r\n\r\n")
        assert answer.startswith(b"HTTP/1.1 400")  # it used to close without a word
        assert not waiter.done()
        assert (await get(f"{listener.redirect_uri}?code=c&state={STATE}")).status_code == 200
        assert (await waiter).code.reveal() == "c"


async def test_a_bug_while_serving_a_connection_is_logged_not_swallowed(
    caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    caplog.set_level(logging.ERROR, logger="musicauth_gui.core.oauth.loopback")
    async with LoopbackListener(RedirectTarget(), state=STATE) as listener:
        waiter = asyncio.create_task(listener.wait(5))
        judge = listener._judge
        calls = iter([RuntimeError("a bug in judging"), None])

        def judge_with_one_bug(query: dict[str, str]) -> object:
            bug = next(calls)
            if bug is not None:
                raise bug
            return judge(query)

        monkeypatch.setattr(listener, "_judge", judge_with_one_bug)
        with pytest.raises(httpx.RemoteProtocolError):  # the connection closed without an answer
            await get(f"{listener.redirect_uri}?code=x&state={STATE}")
        await asyncio.sleep(0.05)
        [record] = [r for r in caplog.records if r.levelno >= logging.ERROR]
        assert record.getMessage() == "loopback listener: a connection failed unexpectedly"
        assert record.exc_info is not None and str(record.exc_info[1]) == "a bug in judging"
        # The failed connection need not have been the browser's: the sign-in still waits.
        assert not waiter.done()
        assert (await get(f"{listener.redirect_uri}?code=c&state={STATE}")).status_code == 200
        assert (await waiter).code.reveal() == "c"


async def test_wrong_state_is_refused() -> None:
    async with LoopbackListener(RedirectTarget(), state=STATE) as listener:
        waiter = asyncio.create_task(listener.wait(5))
        response = await get(f"{listener.redirect_uri}?code=c&state=forged")
        assert response.status_code == 400
        with pytest.raises(StateMismatch):
            await waiter


async def test_access_denied_becomes_a_clear_error_and_is_escaped() -> None:
    async with LoopbackListener(RedirectTarget(), state=STATE) as listener:
        waiter = asyncio.create_task(listener.wait(5))
        response = await get(
            f"{listener.redirect_uri}?error=access_denied&error_description=%3Cscript%3Ealert(1)%3C/script%3E&state={STATE}"
        )
        assert "<script>" not in response.text
        with pytest.raises(SignInDenied, match="access_denied"):
            await waiter


async def test_timeout_and_cancel() -> None:
    async with LoopbackListener(RedirectTarget(), state=STATE) as listener:
        with pytest.raises(SignInTimeout):
            await listener.wait(0.2)
    listener = LoopbackListener(RedirectTarget(), state=STATE)
    await listener.start()
    waiter = asyncio.create_task(listener.wait(5))
    await asyncio.sleep(0.05)
    listener.cancel()
    with pytest.raises(SignInCancelled):
        await waiter


async def test_busy_fixed_port_names_the_port() -> None:
    blocker = socket.socket()
    blocker.bind(("127.0.0.1", 0))
    blocker.listen()
    port = blocker.getsockname()[1]
    try:
        with pytest.raises(PortInUse, match=str(port)):
            await LoopbackListener(RedirectTarget(port=port), state=STATE).start()
    finally:
        blocker.close()


async def test_fixed_port_and_path() -> None:
    probe = socket.socket()
    probe.bind(("127.0.0.1", 0))
    port = probe.getsockname()[1]
    probe.close()
    async with LoopbackListener(parse_redirect_uri(f"http://127.0.0.1:{port}/oauth/done"), state=STATE) as listener:
        assert listener.redirect_uri == f"http://127.0.0.1:{port}/oauth/done"
        waiter = asyncio.create_task(listener.wait(5))
        assert (await get(f"http://127.0.0.1:{port}/callback?code=c&state={STATE}")).status_code == 404
        await get(f"http://127.0.0.1:{port}/oauth/done?code=c2&state={STATE}")
        assert (await waiter).code.reveal() == "c2"


@pytest.mark.skipif(not socket.has_ipv6, reason="no IPv6 on this machine")
async def test_ipv6_loopback_on_request() -> None:
    try:
        listener = LoopbackListener(parse_redirect_uri("http://[::1]/callback"), state=STATE)
        await listener.start()
    except Exception as exc:  # noqa: BLE001
        pytest.skip(f"::1 not bindable here: {exc}")
    try:
        assert listener.redirect_uri.startswith("http://[::1]:")
        waiter = asyncio.create_task(listener.wait(5))
        await get(f"{listener.redirect_uri}?code=v6&state={STATE}")
        assert (await waiter).code.reveal() == "v6"
    finally:
        await listener.close()
