"""Oversized provider answers (issue 10, item 6): refused with one line, never buffered whole.

A real HTTP server on 127.0.0.1 streams a 50 MB answer, with its length declared, understated,
absent (until the server closes) or chunked; it counts the bytes it managed to send before the
client hung up, which is how the tests see that the client stopped reading.
"""

from __future__ import annotations

import os
import re
import socket
import socketserver
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from musicauth_gui.core.errors import MalformedResponse
from musicauth_gui.core.http import MAX_ANSWER_BYTES, make_client, send
from tests.core.conftest import CLIENT_ID, CLIENT_SECRET, profiles_file
from tests.support.cli import assert_one_clean_line, musicauth

HUGE = 50 * 1024 * 1024
BLOCK = b'{"access_token": "' + b"x" * (64 * 1024 - 18)
TOKEN_ANSWER = b'{"access_token": "small-token", "token_type": "Bearer", "expires_in": 3600}'


class _FaultHandler(socketserver.BaseRequestHandler):
    """Answers any request by its path: /declared, /understated, /close-delimited, /chunked,
    /small (a token answer), /bad-gzip."""

    server: FaultServer

    def handle(self) -> None:
        self.request.settimeout(10)
        head = b""
        while b"\r\n\r\n" not in head:
            data = self.request.recv(4096)
            if not data:
                return
            head += data
        head, _, body = head.partition(b"\r\n\r\n")
        length = re.search(rb"(?im)^content-length:\s*(\d+)", head)
        while length and len(body) < int(length.group(1)):  # all of it: unread bytes would make our close a reset
            body += self.request.recv(4096)
        path = head.split(b" ", 2)[1].decode()
        sent = 0
        try:
            if path == "/small":
                self.request.sendall(_head(f"Content-Length: {len(TOKEN_ANSWER)}") + TOKEN_ANSWER)
                return
            if path == "/bad-gzip":
                self.request.sendall(_head("Content-Encoding: gzip\r\nContent-Length: 9") + b"not gzip!")
                return
            framing = {
                "/declared": f"Content-Length: {HUGE}",
                "/understated": "Content-Length: 20",
                "/close-delimited": "Connection: close",
                "/chunked": "Transfer-Encoding: chunked",
            }[path]
            self.request.sendall(_head(framing))
            while sent < HUGE:
                if path == "/chunked":
                    self.request.sendall(b"%x\r\n%s\r\n" % (len(BLOCK), BLOCK))
                else:
                    self.request.sendall(BLOCK)
                sent += len(BLOCK)
            if path == "/chunked":
                self.request.sendall(b"0\r\n\r\n")
        except OSError:
            pass  # the client hung up: what the tests want
        finally:
            with self.server.finished:
                self.server.sent[path] = sent
                self.server.finished.notify_all()


def _head(framing: str) -> bytes:
    return f"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n{framing}\r\n\r\n".encode()


class FaultServer(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _FaultHandler)
        self.sent: dict[str, int] = {}
        self.finished = threading.Condition()

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}{path}"

    def bytes_sent(self, path: str) -> int:
        """What the server managed to send for ``path``, once its handler has finished."""
        with self.finished:
            assert self.finished.wait_for(lambda: path in self.sent, timeout=15), "the fault server is still sending"
            return self.sent[path]


@pytest.fixture
def fault_server() -> Iterator[FaultServer]:
    server = FaultServer()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()


# The kernel's socket buffers on loopback take some megabytes on their own; a client that read
# everything would have let the server send all 50 MB.
NOT_READ = HUGE // 2


@pytest.mark.parametrize("path", ["/declared", "/close-delimited", "/chunked"])
async def test_an_answer_over_the_limit_is_one_clear_error_and_is_not_read(fault_server: FaultServer, path: str) -> None:
    async with make_client() as client:
        with pytest.raises(MalformedResponse) as caught:
            await send(client, "POST", fault_server.url(path), what="token request", data={"grant_type": "x"})
    port = fault_server.server_address[1]
    assert str(caught.value).startswith(f"token request: the answer from 127.0.0.1:{port} is larger than 4 MB")
    assert "\n" not in str(caught.value)
    assert fault_server.bytes_sent(path) < NOT_READ


async def test_a_declared_length_over_the_limit_is_refused_before_the_body_is_read(fault_server: FaultServer) -> None:
    async with make_client() as client:
        with pytest.raises(MalformedResponse, match="larger than 4 MB"):
            await send(client, "GET", fault_server.url("/declared"), what="discovery")
    # Only what the socket buffers took before the client hung up.
    assert fault_server.bytes_sent("/declared") < NOT_READ


async def test_an_understated_length_reads_no_more_than_it_declared(fault_server: FaultServer) -> None:
    async with make_client() as client:
        response = await send(client, "GET", fault_server.url("/understated"), what="try it")
    assert len(response.content) == 20
    assert fault_server.bytes_sent("/understated") < NOT_READ


async def test_an_answer_within_the_limit_reads_as_before(fault_server: FaultServer) -> None:
    async with make_client() as client:
        response = await send(client, "POST", fault_server.url("/small"), what="token request", data={"grant_type": "x"})
    assert response.json()["access_token"] == "small-token"
    assert response.headers["content-type"] == "application/json"
    assert response.reason_phrase == "OK" and str(response.url) == fault_server.url("/small")
    assert len(response.content) < MAX_ANSWER_BYTES


async def test_a_body_that_does_not_decode_is_one_clear_error(fault_server: FaultServer) -> None:
    async with make_client() as client:
        with pytest.raises(MalformedResponse, match="body that its Content-Encoding does not describe"):
            await send(client, "GET", fault_server.url("/bad-gzip"), what="discovery")


# -- the real command line --------------------------------------------------------------------


def _token_command(tmp_path: Path, token_endpoint: str) -> tuple[subprocess.CompletedProcess[str], int]:
    """``musicauth token app`` for a client-credentials profile; its result and peak RSS in KiB."""
    imported = musicauth(
        "profile",
        "import",
        str(
            profiles_file(
                tmp_path,
                f"""
[profiles.app]
provider = "musixmatch"
flow = "client_credentials"
client_id = "{CLIENT_ID}"
client_secret = "{CLIENT_SECRET}"
token_endpoint = "{token_endpoint}"
""",
            )
        ),
    )
    assert imported.returncode == 0, imported.stderr
    out, err = tmp_path / "stdout", tmp_path / "stderr"
    with out.open("w") as stdout, err.open("w") as stderr:
        process = subprocess.Popen(
            [sys.executable, "-m", "musicauth_gui.cli", "token", "app"],
            stdout=stdout,
            stderr=stderr,
            stdin=subprocess.DEVNULL,
            env=os.environ.copy(),
        )
        # wait4, not wait: the peak RSS of this one child (RUSAGE_CHILDREN would give the
        # largest of every child this test process ever had).
        _, status, usage = os.wait4(process.pid, 0)
        process.returncode = os.waitstatus_to_exitcode(status)
    result = subprocess.CompletedProcess(process.args, process.returncode, out.read_text(), err.read_text())
    return result, usage.ru_maxrss


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="ru_maxrss is in KiB on Linux")
def test_the_cli_refuses_a_50_mb_token_answer_without_buffering_it(tmp_path: Path, fault_server: FaultServer) -> None:
    baseline, baseline_rss = _token_command(tmp_path, fault_server.url("/small"))
    assert baseline.returncode == 0, baseline.stderr
    assert baseline.stdout.strip() == "small-token"

    result, rss = _token_command(tmp_path, fault_server.url("/close-delimited"))
    assert result.returncode == 4, result.stderr  # a provider error (docs/cli.md, "Exit codes")
    assert_one_clean_line(result, f"the answer from 127.0.0.1:{fault_server.server_address[1]} is larger than 4 MB")
    assert fault_server.bytes_sent("/close-delimited") < NOT_READ
    growth_mib = (rss - baseline_rss) / 1024
    print(f"peak RSS: {baseline_rss / 1024:.0f} MiB for a small answer, {rss / 1024:.0f} MiB for 50 MB refused")
    assert growth_mib < 20, f"the CLI grew by {growth_mib:.0f} MiB reading a refused answer"


def test_fault_server_sends_everything_to_a_client_that_reads(fault_server: FaultServer) -> None:
    """The counter is honest: a client that reads to the end lets the server send all of it."""
    with socket.create_connection(("127.0.0.1", fault_server.server_address[1])) as sock:
        sock.sendall(b"GET /close-delimited HTTP/1.1\r\nHost: x\r\n\r\n")
        while sock.recv(1 << 20):
            pass
    assert fault_server.bytes_sent("/close-delimited") >= HUGE
