"""The HTTP plumbing: lifecycle, quietness, routing, recording and failure injection."""

from __future__ import annotations

import json
import socket
import threading
import time

import httpx
import pytest

from musicauth_gui.sandbox import AuthorizationServer, EmulatorServer


def test_start_binds_loopback_port_and_stop_releases_it() -> None:
    server = AuthorizationServer().start()
    port = server.port
    assert server.base_url == f"http://127.0.0.1:{port}"
    server.stop()
    server.stop()  # idempotent
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", port))  # would raise EADDRINUSE if the socket were still open
    with pytest.raises(httpx.ConnectError):
        httpx.get(f"http://127.0.0.1:{port}/", timeout=1, trust_env=False)


def test_context_manager_and_double_start() -> None:
    with AuthorizationServer() as server:
        assert server.running
        with pytest.raises(RuntimeError):
            server.start()
    assert not server.running
    with pytest.raises(RuntimeError):
        server.base_url  # noqa: B018


def test_quiet(http: httpx.Client, generic: AuthorizationServer, capfd: pytest.CaptureFixture[str]) -> None:
    generic.fail_next("/token", "500")
    http.post(generic.url("/token"), data={})
    http.post(generic.url("/token"), data={})
    http.get(generic.url("/nowhere"))
    http.get(generic.url(generic.authorize_path))
    assert capfd.readouterr() == ("", "")


def test_unknown_path_and_wrong_method(http: httpx.Client, generic: AuthorizationServer) -> None:
    assert http.get(generic.url("/nowhere")).status_code == 404
    response = http.get(generic.url(generic.token_path))
    assert response.status_code == 405
    assert response.headers["allow"] == "POST"


def test_requests_are_recorded(http: httpx.Client, generic: AuthorizationServer) -> None:
    http.post(generic.url("/token?x=1"), data={"grant_type": "refresh_token", "refresh_token": "rt-1"})
    recorded = generic.requests[-1]
    assert (recorded.method, recorded.path, recorded.query) == ("POST", "/token", {"x": "1"})
    assert recorded.form == {"grant_type": "refresh_token", "refresh_token": "rt-1"}
    assert recorded.headers["content-type"] == "application/x-www-form-urlencoded"


def test_request_log_times_each_answer_on_the_system_wide_clock(http: httpx.Client, generic: AuthorizationServer) -> None:
    """What the CLI benchmarks read: when the emulator answered, on ``time.monotonic()``."""
    before = time.monotonic()
    http.get(generic.url("/nowhere"))
    after = time.monotonic()
    entry = generic.request_log[-1]
    assert (entry.request.path, entry.status) == ("/nowhere", 404)
    assert before <= entry.received_at <= entry.answered_at <= after


@pytest.mark.parametrize(
    ("mode", "status", "content_type"),
    [("500", 500, "text/html"), ("503", 503, "text/html"), ("html", 200, "text/html")],
)
def test_failure_modes_with_html(
    http: httpx.Client, generic: AuthorizationServer, mode: str, status: int, content_type: str
) -> None:
    generic.fail_next("/token", mode)
    response = http.post(generic.url("/token"), data={"grant_type": "client_credentials"})
    assert response.status_code == status
    assert response.headers["content-type"].startswith(content_type)
    assert "<html>" in response.text
    # Only the next request fails; the one after is answered normally.
    assert http.post(generic.url("/token"), data={}).json()["error"] == "invalid_request"


def test_malformed_json(http: httpx.Client, generic: AuthorizationServer) -> None:
    generic.fail_next("/token", "malformed_json", times=2)
    for _ in range(2):
        response = http.post(generic.url("/token"), data={})
        assert response.status_code == 200
        assert response.headers["content-type"] == "application/json"
        with pytest.raises(json.JSONDecodeError):
            response.json()
    assert http.post(generic.url("/token"), data={}).status_code == 400


def test_failures_queue_in_order(http: httpx.Client, generic: AuthorizationServer) -> None:
    generic.fail_next("/token", "503")
    generic.fail_next("/token", "500")
    assert [http.post(generic.url("/token"), data={}).status_code for _ in range(3)] == [503, 500, 400]


def test_slow(http: httpx.Client, generic: AuthorizationServer) -> None:
    generic.fail_next("/token", "slow:0.3")
    started = time.monotonic()
    response = http.post(generic.url("/token"), data={})
    assert time.monotonic() - started >= 0.3
    assert response.json()["error"] == "invalid_request"


def test_hang_times_out_the_client_and_stop_ends_it_quickly() -> None:
    server = AuthorizationServer().start()
    server.fail_next("/token", "hang", times=2)
    with httpx.Client(timeout=0.2, trust_env=False) as http, pytest.raises(httpx.ReadTimeout):
        http.post(server.url("/token"), data={})
    # A second client still waiting when stop() comes gets its connection closed at once.
    outcome: list[BaseException] = []

    def wait_forever() -> None:
        try:
            httpx.post(server.url("/token"), data={}, timeout=10, trust_env=False)
        except httpx.HTTPError as error:
            outcome.append(error)

    waiter = threading.Thread(target=wait_forever)
    waiter.start()
    time.sleep(0.1)
    started = time.monotonic()
    server.stop()
    waiter.join(2)
    assert time.monotonic() - started < 1.0
    assert not waiter.is_alive()
    assert isinstance(outcome[0], httpx.RemoteProtocolError)


def test_fail_next_validates_mode() -> None:
    server = EmulatorServer()
    for bad in ("404", "slow:", "slow:x", "slow:-1"):
        with pytest.raises(ValueError):
            server.fail_next("/token", bad)
    with pytest.raises(ValueError):
        server.fail_next("/token", "500", times=0)


def test_handler_bug_answers_500_and_is_recorded(http: httpx.Client) -> None:
    def broken(request: object) -> object:
        raise RuntimeError("boom")

    with EmulatorServer() as server:
        server.route("GET", "/broken", broken)  # type: ignore[arg-type]
        response = http.get(server.url("/broken"))
    assert response.status_code == 500
    assert "RuntimeError: boom" in server.handler_errors[0]
