"""Oversized provider answers (issue 10, item 6): refused with one line, never buffered whole.

A real HTTP server on 127.0.0.1 streams a 50 MB answer, with its length declared, understated,
absent (until the server closes) or chunked; it counts the bytes it managed to send before the
client hung up, which is how the tests see that the client stopped reading. It also sends a gzip
bomb (50 MB of zeros in 50 KB) although it was asked for no compression: the limit counts the
decoded bytes, and the memory they would take is never taken.
"""

from __future__ import annotations

import functools
import gzip
import os
import re
import socket
import socketserver
import subprocess
import sys
import threading
import tracemalloc
import zlib
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest

from musicauth_gui.core.errors import MalformedResponse
from musicauth_gui.core.http import MAX_ANSWER_BYTES, make_client, send
from tests.core.conftest import CLIENT_ID, CLIENT_SECRET, profiles_file
from tests.support.cli import assert_one_clean_line, musicauth
from tests.support.local_server import serving

HUGE = 50 * 1024 * 1024
BLOCK = b'{"access_token": "' + b"x" * (64 * 1024 - 18)
TOKEN_ANSWER = b'{"access_token": "small-token", "token_type": "Bearer", "expires_in": 3600}'
# The same answer compressed, by Content-Encoding and path: raw deflate is what some servers send
# for "deflate" instead of RFC 9110's zlib format, and readers accept both.
COMPRESSED = {
    "/small-gzip": ("gzip", gzip.compress(TOKEN_ANSWER)),
    "/small-deflate": ("deflate", zlib.compress(TOKEN_ANSWER)),
    "/small-raw-deflate": ("deflate", zlib.compress(TOKEN_ANSWER, wbits=-zlib.MAX_WBITS)),
}


@functools.cache
def gzip_bomb() -> bytes:
    """HUGE zeros, gzip-compressed: about 50 KB on the wire, one network read."""
    return gzip.compress(bytes(HUGE))


class _FaultHandler(socketserver.BaseRequestHandler):
    """Answers any request by its path: /declared, /understated, /close-delimited, /chunked,
    /small (a token answer), the COMPRESSED ones, /gzip-bomb, /bad-gzip; keeps each request's head."""

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
        self.server.heads[path] = head.decode("latin-1")
        sent = 0
        try:
            if path == "/small":
                self.request.sendall(_head(f"Content-Length: {len(TOKEN_ANSWER)}") + TOKEN_ANSWER)
                return
            if path in COMPRESSED:
                coding, body = COMPRESSED[path]
                self.request.sendall(_head(f"Content-Encoding: {coding}\r\nContent-Length: {len(body)}") + body)
                return
            if path == "/gzip-bomb":
                bomb = gzip_bomb()
                self.request.sendall(_head(f"Content-Encoding: gzip\r\nContent-Length: {len(bomb)}") + bomb)
                sent = len(bomb)
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
        self.heads: dict[str, str] = {}
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
    with serving(FaultServer()) as server:
        yield server


# The kernel's socket buffers on loopback take some megabytes on their own; a client that read
# everything would have let the server send all 50 MB.
NOT_READ = HUGE // 2


NewClient = Callable[[], httpx.AsyncClient]


@pytest.fixture(params=[False, True], ids=["asyncio", "threads"])
def new_client(request: pytest.FixtureRequest) -> NewClient:
    """The desktop app's kind of client (httpx's asyncio transport) and the CLI's (``one_shot``:
    httpcore's synchronous stack on daemon threads); both read the answer under the same limits."""
    return functools.partial(make_client, one_shot=request.param)


@pytest.mark.parametrize("path", ["/declared", "/close-delimited", "/chunked"])
async def test_an_answer_over_the_limit_is_one_clear_error_and_is_not_read(
    fault_server: FaultServer, path: str, new_client: NewClient
) -> None:
    async with new_client() as client:
        with pytest.raises(MalformedResponse) as caught:
            await send(client, "POST", fault_server.url(path), what="token request", data={"grant_type": "x"})
    port = fault_server.server_address[1]
    assert str(caught.value).startswith(f"token request: the answer from 127.0.0.1:{port} is larger than 4 MB")
    assert "\n" not in str(caught.value)
    assert fault_server.bytes_sent(path) < NOT_READ


async def test_a_declared_length_over_the_limit_is_refused_before_the_body_is_read(
    fault_server: FaultServer, new_client: NewClient
) -> None:
    async with new_client() as client:
        with pytest.raises(MalformedResponse, match="larger than 4 MB"):
            await send(client, "GET", fault_server.url("/declared"), what="discovery")
    # Only what the socket buffers took before the client hung up.
    assert fault_server.bytes_sent("/declared") < NOT_READ


async def test_an_understated_length_reads_no_more_than_it_declared(fault_server: FaultServer, new_client: NewClient) -> None:
    async with new_client() as client:
        response = await send(client, "GET", fault_server.url("/understated"), what="try it")
    assert len(response.content) == 20
    assert fault_server.bytes_sent("/understated") < NOT_READ


async def test_an_answer_within_the_limit_reads_as_before(fault_server: FaultServer, new_client: NewClient) -> None:
    async with new_client() as client:
        response = await send(client, "POST", fault_server.url("/small"), what="token request", data={"grant_type": "x"})
    assert response.json()["access_token"] == "small-token"
    assert response.headers["content-type"] == "application/json"
    assert response.reason_phrase == "OK" and str(response.url) == fault_server.url("/small")
    assert len(response.content) < MAX_ANSWER_BYTES


async def test_providers_are_asked_for_answers_without_compression(fault_server: FaultServer, new_client: NewClient) -> None:
    async with new_client() as client:
        await send(client, "POST", fault_server.url("/small"), what="token request", data={"grant_type": "x"})
    assert re.search(r"(?im)^accept-encoding: identity\r?$", fault_server.heads["/small"]), fault_server.heads["/small"]


@pytest.mark.parametrize("path", sorted(COMPRESSED))
async def test_an_answer_compressed_anyway_still_reads(fault_server: FaultServer, path: str, new_client: NewClient) -> None:
    async with new_client() as client:
        response = await send(client, "POST", fault_server.url(path), what="token request", data={"grant_type": "x"})
    assert response.content == TOKEN_ANSWER
    assert "content-encoding" not in response.headers  # it describes the wire, not the body now


async def test_a_gzip_bomb_is_refused_at_the_limit_without_decoding_it_whole(fault_server: FaultServer, new_client: NewClient) -> None:
    gzip_bomb()  # made before counting: compressing takes the 50 MB in this process too
    tracemalloc.start()
    try:
        async with new_client() as client:
            with pytest.raises(MalformedResponse) as caught:
                await send(client, "POST", fault_server.url("/gzip-bomb"), what="token request", data={"grant_type": "x"})
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    port = fault_server.server_address[1]
    assert str(caught.value) == f"token request: the answer from 127.0.0.1:{port} is larger than 4 MB"
    # All of it arrived (one small read): it is the decoded count that refused it.
    assert fault_server.bytes_sent("/gzip-bomb") == len(gzip_bomb()) < MAX_ANSWER_BYTES // 50
    # About twice the limit (zlib grows its output buffer, then trims it to a copy), never the
    # 50 MB that httpx's own decoder made in one read.
    assert peak < 3 * MAX_ANSWER_BYTES, f"peak {peak / 2**20:.0f} MiB"


async def test_a_body_that_does_not_decode_is_one_clear_error(fault_server: FaultServer, new_client: NewClient) -> None:
    async with new_client() as client:
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
    out, err, peak = tmp_path / "stdout", tmp_path / "stderr", tmp_path / "peak"
    with out.open("w") as stdout, err.open("w") as stderr:
        process = subprocess.run(
            [sys.executable, "-c", _PEAK_PROBE, str(peak), "token", "app"],
            stdout=stdout,
            stderr=stderr,
            stdin=subprocess.DEVNULL,
            env=os.environ.copy(),
            check=False,
        )
    result = subprocess.CompletedProcess(process.args, process.returncode, out.read_text(), err.read_text())
    return result, int(peak.read_text())


# ``musicauth`` (the module run as __main__, as the console script does) that writes its own peak
# RSS (VmHWM, KiB) to argv[1] at exit. Not the ru_maxrss that wait4 gives: Linux keeps a
# process's maxrss across fork and exec, so that figure is never below this test process's own
# peak, and a CLI that took 50 MB hid under a test process that had taken more.
_PEAK_PROBE = """
import atexit, runpy, sys
def report(path=sys.argv[1]):
    with open("/proc/self/status") as status, open(path, "w") as out:
        out.write(next(line.split()[1] for line in status if line.startswith("VmHWM:")))
atexit.register(report)
sys.argv = ["musicauth", *sys.argv[2:]]
runpy.run_module("musicauth_gui.cli", run_name="__main__", alter_sys=True)
"""


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc/self/status")
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


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc/self/status")
def test_the_cli_refuses_a_gzip_bomb_without_decoding_it(tmp_path: Path, fault_server: FaultServer) -> None:
    baseline, baseline_rss = _token_command(tmp_path, fault_server.url("/small"))
    assert baseline.returncode == 0, baseline.stderr

    result, rss = _token_command(tmp_path, fault_server.url("/gzip-bomb"))
    assert result.returncode == 4, result.stderr  # a provider error (docs/cli.md, "Exit codes")
    assert_one_clean_line(result, f"the answer from 127.0.0.1:{fault_server.server_address[1]} is larger than 4 MB")
    growth_mib = (rss - baseline_rss) / 1024
    print(f"peak RSS: {baseline_rss / 1024:.0f} MiB for a small answer, {rss / 1024:.0f} MiB for a gzip bomb refused")
    assert growth_mib < 20, f"the CLI grew by {growth_mib:.0f} MiB reading a refused gzip bomb"


def test_fault_server_sends_everything_to_a_client_that_reads(fault_server: FaultServer) -> None:
    """The counter is honest: a client that reads to the end lets the server send all of it."""
    with socket.create_connection(("127.0.0.1", fault_server.server_address[1])) as sock:
        sock.sendall(b"GET /close-delimited HTTP/1.1\r\nHost: x\r\n\r\n")
        while sock.recv(1 << 20):
            pass
    assert fault_server.bytes_sent("/close-delimited") >= HUGE
