"""The device authorization grant (RFC 8628) through the real CLI, against the device emulator.

Every outcome of the polling: pending then approved, slow_down honoured (the pacing measured on
the emulator's own log of polls), the code expiring, a denial, and Ctrl-C with nothing stored;
Google's dialect (``verification_url``, 428/403 for the waiting answers, the secret on every poll).
"""

from __future__ import annotations

import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from musicauth_gui.sandbox.device import DEVICE_GRANT, DeviceAuthorizationServer
from tests.core.conftest import CLIENT_ID, CLIENT_SECRET, REDIRECT, profiles_file
from tests.support.cli import assert_one_clean_line, browser_env, musicauth, stored_record


@pytest.fixture
def device() -> Iterator[DeviceAuthorizationServer]:
    with DeviceAuthorizationServer(interval=1, consent="interactive") as server:
        server.register_client(CLIENT_ID, CLIENT_SECRET)
        server.register_client("public-device-app")
        yield server


def import_profiles(tmp_path: Path, text: str) -> None:
    result = musicauth("profile", "import", str(profiles_file(tmp_path, text)))
    assert result.returncode == 0, result.stderr


def generic(server: DeviceAuthorizationServer, *, client: str = "public-device-app") -> str:
    return f"""
[profiles.dev]
provider = "oauth2"
flow = "device"
client_id = "{client}"
issuer = "{server.base_url}"
scopes = ["openid"]
"""


def wait_for(condition: Callable[[], bool], timeout: float = 20) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.02)


def approve_after_polls(server: DeviceAuthorizationServer, polls: int) -> threading.Thread:
    """Approve (as the person on another device would) once the client has polled ``polls`` times."""

    def run() -> None:
        wait_for(lambda: len(server.polls) >= polls)
        server.approve()

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return thread


def test_pending_then_approved_with_the_code_shown_and_the_token_stored(tmp_path, device) -> None:  # type: ignore[no-untyped-def]
    import_profiles(tmp_path, generic(device))
    before = musicauth("token", "dev")
    assert_one_clean_line(before, "needs sign-in", "musicauth login dev")
    approver = approve_after_polls(device, 2)
    login = musicauth("login", "dev", "--no-browser")
    approver.join(5)
    assert login.returncode == 0, login.stderr
    user_code = device.user_codes[0]
    # The user code, the page to open and the complete URI, on stderr; nothing on stdout.
    assert f"    {user_code}\n" in login.stderr
    assert f"open {device.url('/device')} on any device" in login.stderr
    assert f"{device.url('/device')}?user_code={user_code}" in login.stderr
    assert "expires in 10 min" in login.stderr and login.stdout == ""
    assert [p.answer for p in device.polls] == ["authorization_pending", "authorization_pending", "token"]
    # Discovered endpoint, public client (client_id only), the grant type of RFC 8628.
    asked = next(r for r in device.requests if r.path == "/device/code")
    assert asked.form == {"client_id": "public-device-app", "scope": "openid"}
    poll = next(r for r in device.requests if r.form.get("grant_type") == DEVICE_GRANT)
    assert set(poll.form) == {"grant_type", "device_code", "client_id"}
    # Never faster than the interval.
    gaps = [b.at - a.at for a, b in zip(device.polls, device.polls[1:], strict=False)]
    assert all(gap >= 1 for gap in gaps), gaps
    token = stored_record("dev")["token"]
    assert device.is_access_token_active(token["access_token"])
    raw = musicauth("token", "dev")
    assert raw.stdout.strip() == token["access_token"]
    # A device profile renews with its refresh token like any signed-in profile.
    assert musicauth("refresh", "dev").returncode == 0
    assert stored_record("dev")["token"]["access_token"] != token["access_token"]


def test_the_browser_opens_the_complete_uri_which_approves(tmp_path, device) -> None:  # type: ignore[no-untyped-def]
    device.consent = "approve"  # opening the page with the code filled in is approving
    import_profiles(tmp_path, generic(device))
    login = musicauth("login", "dev", env=browser_env())
    assert login.returncode == 0, login.stderr
    opened = [r for r in device.requests if r.method == "GET" and r.path == "/device"]
    assert [r.query for r in opened] == [{"user_code": device.user_codes[0]}]
    assert stored_record("dev")["token"] is not None


def test_slow_down_adds_five_seconds_measured_on_the_emulator(tmp_path, device) -> None:  # type: ignore[no-untyped-def]
    import_profiles(tmp_path, generic(device))
    device.answer_next_polls_with("slow_down")
    approver = approve_after_polls(device, 2)
    login = musicauth("login", "dev", "--no-browser")
    approver.join(5)
    assert login.returncode == 0, login.stderr
    answers = [p.answer for p in device.polls]
    assert answers[0] == "slow_down" and answers[-1] == "token"
    assert "slow_down" not in answers[1:]  # never too fast afterwards: the server would say so
    gaps = [b.at - a.at for a, b in zip(device.polls, device.polls[1:], strict=False)]
    assert all(gap >= 6 for gap in gaps), gaps  # 1 s interval + 5 s, for every later poll
    assert gaps[0] < 8, gaps  # and not much more


def test_an_expired_code_is_a_clear_error_and_nothing_is_stored(tmp_path) -> None:  # type: ignore[no-untyped-def]
    with DeviceAuthorizationServer(interval=1, device_code_ttl=2, consent="interactive") as server:
        server.register_client("public-device-app")
        import_profiles(tmp_path, generic(server))
        login = musicauth("login", "dev", "--no-browser")
        assert login.returncode == 1
        assert_one_clean_line(login, "the user code expired before anyone approved it", "run `musicauth login dev`")
        assert server.polls[-1].answer == "expired_token"
    assert stored_record("dev")["token"] is None


def test_a_denial_is_a_clear_error_and_nothing_is_stored(tmp_path, device) -> None:  # type: ignore[no-untyped-def]
    import_profiles(tmp_path, generic(device))

    def deny() -> None:
        wait_for(lambda: len(device.polls) >= 1)
        device.deny()

    threading.Thread(target=deny, daemon=True).start()
    login = musicauth("login", "dev", "--no-browser")
    assert login.returncode == 1
    assert_one_clean_line(login, "denied on the verification page", "run `musicauth login dev`")
    assert device.polls[-1].answer == "access_denied"
    assert stored_record("dev")["token"] is None


def test_ctrl_c_stops_the_polling_with_nothing_stored(tmp_path, device) -> None:  # type: ignore[no-untyped-def]
    import_profiles(tmp_path, generic(device))
    proc = subprocess.Popen(
        [sys.executable, "-m", "musicauth_gui.cli", "login", "dev", "--no-browser"],
        stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    try:
        wait_for(lambda: len(device.polls) >= 1)
        proc.send_signal(signal.SIGINT)
        _, err = proc.communicate(timeout=20)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
    assert proc.returncode == 130, err
    assert err.strip().splitlines()[-1] == "musicauth: cancelled; nothing was stored"
    polls = len(device.polls)
    device.approve()  # approved too late: nobody is polling any more
    time.sleep(1.5)
    assert len(device.polls) == polls
    assert stored_record("dev")["token"] is None


def test_google_device_flow_with_verification_url_and_its_status_codes(tmp_path) -> None:  # type: ignore[no-untyped-def]
    with DeviceAuthorizationServer(interval=1, consent="interactive", google_style=True) as google:
        google.register_client(CLIENT_ID, CLIENT_SECRET)
        import_profiles(
            tmp_path,
            f"""
[profiles.yt]
provider = "google"
flow = "device"
client_id = "{CLIENT_ID}"
client_secret = "{CLIENT_SECRET}"
device_authorization_endpoint = "{google.url('/device/code')}"
token_endpoint = "{google.url('/token')}"
""",
        )
        google.answer_next_polls_with("authorization_pending")  # answered 428, as Google may
        approver = approve_after_polls(google, 2)
        login = musicauth("login", "yt")  # no complete URI: nothing to open
        approver.join(5)
        assert login.returncode == 0, login.stderr
        assert f"open {google.url('/device')} on any device" in login.stderr
        assert "filled in" not in login.stderr
        asked = next(r for r in google.requests if r.path == "/device/code")
        assert asked.form["scope"] == "https://www.googleapis.com/auth/youtube.readonly"
        polls = [r for r in google.requests if r.form.get("grant_type") == DEVICE_GRANT]
        assert all(r.form["client_secret"] == CLIENT_SECRET for r in polls)  # client_secret_post
        assert google.is_access_token_active(stored_record("yt")["token"]["access_token"])


def test_google_browser_sign_in_asks_for_offline_access_and_consent(tmp_path) -> None:  # type: ignore[no-untyped-def]
    with DeviceAuthorizationServer(google_style=True) as google:
        google.register_client(CLIENT_ID, CLIENT_SECRET, redirect_uris=[REDIRECT])
        import_profiles(
            tmp_path,
            f"""
[profiles.yt]
provider = "google"
client_id = "{CLIENT_ID}"
client_secret = "{CLIENT_SECRET}"
authorization_endpoint = "{google.url('/authorize')}"
token_endpoint = "{google.url('/token')}"
""",
        )
        login = musicauth("login", "yt", "--timeout", "20", env=browser_env())
        assert login.returncode == 0, login.stderr
        authorize = next(r for r in google.requests if r.path == "/authorize")
        assert authorize.query["access_type"] == "offline" and authorize.query["prompt"] == "consent"
        assert authorize.query["code_challenge_method"] == "S256"
        assert authorize.query["redirect_uri"].startswith("http://127.0.0.1:")
        assert authorize.query["scope"] == "https://www.googleapis.com/auth/youtube.readonly"
        assert stored_record("yt")["token"]["refresh_token"]
