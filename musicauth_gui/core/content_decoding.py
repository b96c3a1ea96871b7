"""Undoing an answer's Content-Encoding without letting it grow past a limit.

httpx decodes gzip and deflate with zlib's ``decompress(data)`` and no bound on the output, so
one network read of a gzip bomb (64 KB of compressed zeros) becomes about 64 MB before any count
of decoded bytes sees it. musicauth asks for ``Accept-Encoding: identity`` (core/http.py), so
this decodes only what a server compresses anyway, and zlib's ``max_length`` stops it one byte
past the limit: the caller's count sees that byte and refuses the answer.
"""

from __future__ import annotations

import zlib

import httpx

# zlib's window bits for each coding it undoes (RFC 9110 §8.4.1): gzip's header, zlib's header.
_WINDOW_BITS = {"gzip": zlib.MAX_WBITS | 16, "deflate": zlib.MAX_WBITS}


class BoundedDecoder:
    """Decodes a body chunk by chunk, producing at most ``limit + 1`` bytes in all.

    A Content-Encoding other than one gzip or deflate (``br``, stacked codings) is passed through
    as it came, as httpx does with a coding it cannot undo: it stays bounded by the count of raw
    bytes, and then fails to parse as JSON, which says what went wrong.

    Raises:
        httpx.DecodingError: the body is not what its Content-Encoding says (``send`` names it).
    """

    def __init__(self, content_encoding: str, *, limit: int) -> None:
        codings = [c.strip().lower() for c in content_encoding.split(",")]
        codings = [c for c in codings if c not in ("", "identity")]
        self._coding = codings[0] if len(codings) == 1 and codings[0] in _WINDOW_BITS else None
        self._zlib = zlib.decompressobj(_WINDOW_BITS[self._coding]) if self._coding else None
        self._budget = limit + 1  # one byte past the limit is enough for the caller to refuse
        self._started = False

    def decode(self, data: bytes) -> bytes:
        # max_length=0 would mean "no limit" to zlib: once the budget is spent, nothing more.
        if self._zlib is None or self._budget <= 0:
            return data if self._zlib is None else b""
        try:
            out = self._zlib.decompress(data, self._budget)
        except zlib.error as exc:
            if self._coding == "deflate" and not self._started:
                # Some servers send raw deflate without the zlib header RFC 9110 asks for;
                # httpx's DeflateDecoder retries the same way.
                self._zlib, self._started = zlib.decompressobj(-zlib.MAX_WBITS), True
                return self.decode(data)
            raise httpx.DecodingError(f"invalid {self._coding} body") from exc
        self._started = True
        self._budget -= len(out)
        return out

    def flush(self) -> bytes:
        if self._zlib is None or self._budget <= 0:
            return b""
        try:
            out = self._zlib.flush(self._budget)
        except zlib.error as exc:
            raise httpx.DecodingError(f"invalid {self._coding} body") from exc
        self._budget -= len(out)
        return out
