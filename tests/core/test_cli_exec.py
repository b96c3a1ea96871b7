"""``musicauth exec NAME ... -- COMMAND``: the real command line, the emulators, real child
processes. The command replaces musicauth (same pid), so its exit status and the signals sent
to it are its own, and its argv never holds a token."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.core.conftest import CLIENT_ID, CLIENT_SECRET, profiles_file
from tests.support.cli import assert_one_clean_line, musicauth

PY = sys.executable
#: A child that prints, as JSON, the credential variables it was given.
SHOW_ENV = (
    "import json, os; print(json.dumps({k: v for k, v in os.environ.items()"
    " if k.startswith('MUSICAUTH_') and k.endswith(('_TOKEN', '_AUTHORIZATION'))}))"
)


def groove_profile(live, name: str = "groove") -> str:  # type: ignore[no-untyped-def]
    return f"""
[profiles."{name}"]
provider = "groove"
client_id = "{CLIENT_ID}"
client_secret = "{CLIENT_SECRET}"
token_endpoint = "{live.url('/accesstoken.srf')}"
"""


def soundcloud_profile(soundcloud, name: str = "sc") -> str:  # type: ignore[no-untyped-def]
    return f"""
[profiles."{name}"]
provider = "soundcloud"
flow = "client_credentials"
client_id = "{CLIENT_ID}"
client_secret = "{CLIENT_SECRET}"
token_endpoint = "{soundcloud.url('/oauth/token')}"
"""


def import_profiles(tmp_path: Path, text: str) -> None:
    result = musicauth("profile", "import", str(profiles_file(tmp_path, text)))
    assert result.returncode == 0, result.stderr



def test_one_profile_gives_the_token_and_the_header(tmp_path, live) -> None:  # type: ignore[no-untyped-def]
    import_profiles(tmp_path, groove_profile(live))
    result = musicauth("exec", "groove", "--", PY, "-c", SHOW_ENV)
    assert result.returncode == 0, result.stderr
    variables = json.loads(result.stdout)
    token = variables["MUSICAUTH_TOKEN"]
    assert variables == {"MUSICAUTH_TOKEN": token, "MUSICAUTH_AUTHORIZATION": f"Bearer {token}"}
    assert live.is_access_token_active(token)  # fetched first: the profile had no token yet
    # A valid token is reused, as `token` reuses it.
    again = json.loads(musicauth("exec", "groove", "--", PY, "-c", SHOW_ENV).stdout)
    assert again["MUSICAUTH_TOKEN"] == token and live.issued_count("client_credentials") == 1


def test_several_profiles_each_get_variables_named_after_them(tmp_path, live, soundcloud) -> None:  # type: ignore[no-untyped-def]
    import_profiles(tmp_path, groove_profile(live, "groove app") + soundcloud_profile(soundcloud, "sc.prod"))
    result = musicauth("exec", "groove app", "sc.prod", "--", PY, "-c", SHOW_ENV)
    assert result.returncode == 0, result.stderr
    variables = json.loads(result.stdout)
    assert set(variables) == {
        "MUSICAUTH_GROOVE_APP_TOKEN",
        "MUSICAUTH_GROOVE_APP_AUTHORIZATION",
        "MUSICAUTH_SC_PROD_TOKEN",
        "MUSICAUTH_SC_PROD_AUTHORIZATION",
    }
    assert variables["MUSICAUTH_GROOVE_APP_AUTHORIZATION"] == f"Bearer {variables['MUSICAUTH_GROOVE_APP_TOKEN']}"
    # The provider's own scheme: SoundCloud takes `OAuth <token>`.
    assert variables["MUSICAUTH_SC_PROD_AUTHORIZATION"] == f"OAuth {variables['MUSICAUTH_SC_PROD_TOKEN']}"
    assert live.is_access_token_active(variables["MUSICAUTH_GROOVE_APP_TOKEN"])
    assert soundcloud.is_access_token_active(variables["MUSICAUTH_SC_PROD_TOKEN"])


@pytest.mark.parametrize(
    ("names", "expected"),
    [(("my-app", "my.app"), "would both be MUSICAUTH_MY_APP_TOKEN"), (("a", "a"), "'a' is named twice")],
)
def test_names_that_would_share_a_variable_are_a_usage_error(tmp_path, live, names, expected) -> None:  # type: ignore[no-untyped-def]
    import_profiles(tmp_path, groove_profile(live, "my-app") + groove_profile(live, "my.app") + groove_profile(live, "a"))
    result = musicauth("exec", *names, "--", PY, "-c", "print('ran')")
    assert result.returncode == 2 and expected in result.stderr, result.stderr
    assert "ran" not in result.stdout and live.issued_count("client_credentials") == 0


@pytest.mark.parametrize(
    ("argv", "expected"),
    [(("exec", "groove", PY, "-c", "pass"), "put -- between"), (("exec", "groove", "--"), "no command after --")],
)
def test_a_command_needs_its_double_dash(argv, expected) -> None:  # type: ignore[no-untyped-def]
    result = musicauth(*argv)
    assert result.returncode == 2 and expected in result.stderr


# -- exit status -----------------------------------------------------------------------------------


@pytest.mark.parametrize("status", [0, 3, 42])
def test_the_exit_status_is_the_commands(tmp_path, live, status) -> None:  # type: ignore[no-untyped-def]
    import_profiles(tmp_path, groove_profile(live))
    result = musicauth("exec", "groove", "--", "sh", "-c", f"exit {status}")
    assert result.returncode == status, result.stderr
    assert result.stderr == ""


def test_a_command_killed_by_a_signal_is_reported_as_a_shell_does(tmp_path, live) -> None:  # type: ignore[no-untyped-def]
    import_profiles(tmp_path, groove_profile(live))
    # Seen from Python: the process itself died of SIGKILL (it is the command, not its parent).
    killed = musicauth("exec", "groove", "--", "sh", "-c", "kill -KILL $$")
    assert killed.returncode == -signal.SIGKILL
    # Seen from a shell: 128 + 9.
    script = f"{PY} -m musicauth_gui.cli exec groove -- sh -c 'kill -KILL $$'; echo status=$?"
    shell = subprocess.run(["sh", "-c", script], capture_output=True, text=True, timeout=60, stdin=subprocess.DEVNULL)
    assert "status=137" in shell.stdout, shell


def test_no_such_command_is_127_and_one_line(tmp_path, live) -> None:  # type: ignore[no-untyped-def]
    import_profiles(tmp_path, groove_profile(live))
    result = musicauth("exec", "groove", "--", "no-such-command-here", "x")
    assert result.returncode == 127
    assert_one_clean_line(result, "no-such-command-here: command not found")


def test_a_command_that_cannot_run_is_126_and_one_line(tmp_path, live) -> None:  # type: ignore[no-untyped-def]
    import_profiles(tmp_path, groove_profile(live))
    script = tmp_path / "not-executable.sh"
    script.write_text("#!/bin/sh\necho ran\n")
    script.chmod(0o644)
    result = musicauth("exec", "groove", "--", str(script))
    assert result.returncode == 126
    assert_one_clean_line(result, "cannot run", "Permission denied")
    assert "ran" not in result.stdout


def test_a_profile_that_needs_sign_in_runs_nothing(tmp_path, live, mxm) -> None:  # type: ignore[no-untyped-def]
    import_profiles(
        tmp_path,
        f"""
[profiles.mxm]
provider = "musixmatch"
client_id = "{CLIENT_ID}"
client_secret = "{CLIENT_SECRET}"
token_endpoint = "{mxm.url('/oauth/token')}"
authorization_endpoint = "{mxm.url('/oauth/authorize')}"
"""
        + groove_profile(live),
    )
    result = musicauth("exec", "groove", "mxm", "--", PY, "-c", "print('ran')")
    assert result.returncode == 3
    assert_one_clean_line(result, "needs sign-in", "musicauth login mxm")
    assert "ran" not in result.stdout


# -- signals and what is left behind -------------------------------------------------------------

#: A child that says it is ready, then waits for a signal and exits with 40 + its number.
WAIT_FOR_SIGNAL = """
import os, signal, sys, time
for s in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
    signal.signal(s, lambda n, f: sys.exit(40 + n))
print(os.getpid(), flush=True)
time.sleep(60)
sys.exit(1)
"""


def start(*args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [PY, "-m", "musicauth_gui.cli", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        stdin=subprocess.DEVNULL,
        text=True,
    )


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM, signal.SIGHUP], ids=lambda s: signal.Signals(s).name)
def test_a_signal_sent_to_musicauth_reaches_the_command_which_decides(tmp_path, live, signum) -> None:  # type: ignore[no-untyped-def]
    import_profiles(tmp_path, groove_profile(live))
    proc = start("exec", "groove", "--", PY, "-c", WAIT_FOR_SIGNAL)
    try:
        assert proc.stdout is not None
        child_pid = int(proc.stdout.readline())
        assert child_pid == proc.pid  # the command took musicauth's place
        proc.send_signal(signum)
        assert proc.wait(timeout=30) == 40 + signum  # the command's own answer to it
    finally:
        proc.kill()
        proc.communicate()


def test_the_token_is_in_the_environment_only_never_in_argv_or_a_file(tmp_path, live, app_written_dirs) -> None:  # type: ignore[no-untyped-def]
    import_profiles(tmp_path, groove_profile(live))
    proc = start("exec", "groove", "--", PY, "-c", WAIT_FOR_SIGNAL, "an-argument")
    try:
        assert proc.stdout is not None
        pid = int(proc.stdout.readline())
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
        environ = dict(
            item.split(b"=", 1) for item in Path(f"/proc/{pid}/environ").read_bytes().split(b"\0") if b"=" in item
        )
    finally:
        proc.kill()
        proc.communicate()
    token = environ[b"MUSICAUTH_TOKEN"]
    assert live.is_access_token_active(token.decode())
    assert cmdline[:2] == [PY.encode(), b"-c"] and cmdline[-2] == b"an-argument"  # the command's argv, as given
    assert not [arg for arg in cmdline if token in arg]
    written = [p for d in app_written_dirs for p in d.rglob("*") if p.is_file()]
    assert not [p for p in written if token in p.read_bytes()]


def test_a_signal_before_the_command_starts_ends_musicauth_as_before(tmp_path, live) -> None:  # type: ignore[no-untyped-def]
    """While the token is being fetched, musicauth is still itself: SIGTERM ends it (143) and
    the command never runs."""
    import_profiles(tmp_path, groove_profile(live))
    live.fail_next("/accesstoken.srf", "slow:5")
    proc = start("exec", "groove", "--", PY, "-c", "print('ran')")
    try:
        deadline = time.monotonic() + 20
        while not any(r.path == "/accesstoken.srf" for r in live.requests) and time.monotonic() < deadline:
            time.sleep(0.05)
        proc.send_signal(signal.SIGTERM)
        out, err = proc.communicate(timeout=30)
    finally:
        proc.kill()
    assert proc.returncode == 143, err
    assert "ran" not in out and "interrupted (SIGTERM)" in err
