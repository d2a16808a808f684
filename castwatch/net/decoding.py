"""Content decoding in small steps, so that a gzip bomb is stopped before it is inflated.

httpx inflates each network chunk whole: 40 KB of a gzip bomb become 40 MB in one call,
before any cap can look at them, and sixteen such answers at once hold 640 MB. Here gzip and
deflate bodies are inflated at most :data:`STEP` bytes at a time (``max_length``), so the
size cap and the process budget see every step. Other encodings (brotli, zstd) are not
asked for; a server sending one anyway is decoded by httpx as before.
"""

from __future__ import annotations

import zlib
from collections.abc import AsyncGenerator

import httpx

#: The most bytes one inflation step may produce.
STEP = 256 * 1024
#: What castwatch asks servers for: the encodings it can inflate step by step.
ACCEPT_ENCODING = "gzip, deflate"


class CorruptEncoding(Exception):
    """The body does not inflate (bad gzip or deflate data)."""


def _inflater(encoding: str) -> zlib._Decompress:
    if encoding in ("gzip", "x-gzip"):
        return zlib.decompressobj(zlib.MAX_WBITS | 16)
    return zlib.decompressobj()


async def decoded_chunks(response: httpx.Response) -> AsyncGenerator[bytes, None]:
    """The body of ``response``, decoded, in chunks of at most :data:`STEP` bytes."""
    encodings = [
        part.strip().lower()
        for part in response.headers.get("content-encoding", "").split(",")
        if part.strip() and part.strip().lower() != "identity"
    ]
    if not encodings:
        async for chunk in response.aiter_raw():
            yield chunk
        return
    if len(encodings) > 1 or encodings[0] not in ("gzip", "x-gzip", "deflate"):
        async for chunk in response.aiter_bytes():
            yield chunk
        return
    encoding = encodings[0]
    inflater = _inflater(encoding)
    # "deflate" is zlib-wrapped by the spec, raw by many servers (as httpx accepts). Until
    # zlib has taken the two-byte header, the bytes so far are kept: a one-byte first chunk
    # is rejected only with the next one, and the raw retry needs them all.
    undecided = encoding == "deflate"
    head = b""
    async for raw in response.aiter_raw():
        pending = raw
        if undecided:
            head += raw
        while True:
            try:
                out = inflater.decompress(pending, STEP)
            except zlib.error as exc:
                if undecided:
                    inflater = zlib.decompressobj(-zlib.MAX_WBITS)
                    pending, head, undecided = head, b"", False
                    continue
                raise CorruptEncoding(f"the {encoding} body is corrupt: {exc}") from None
            if undecided and (out or len(head) >= 2):
                undecided, head = False, b""
            if out:
                yield out
            if inflater.eof:
                # A gzip body may hold several members one after the other.
                pending = inflater.unused_data
                if not pending:
                    break
                inflater = _inflater(encoding)
                continue
            pending = inflater.unconsumed_tail
            # A full step may leave output inside zlib even when the input is all taken.
            if not pending and len(out) < STEP:
                break
    tail = inflater.flush()
    if tail:
        yield tail
