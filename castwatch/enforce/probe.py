"""Probe a URL the way a re-check needs: DNS, every redirect hop, the first bytes, no more.

A re-check asks "is it still there, and where does it lead?", not "give me the body": each
probe resolves the name (the answer is recorded), sends one GET that follows at most ten
redirects, reads at most ``max_bytes`` of the last answer and hangs up, all within
``timeout`` seconds. A live stream never ends, a pirate panel may drip bytes forever: neither
holds a probe longer than that. HEAD is not used: many panels answer it wrongly.

TLS certificates are not verified: the question is whether something answers, not whether to
trust it, and a pirate panel's self-signed certificate must not read as "gone". Nothing of
ours travels: the request carries only the pirate service's own account, already in the URL.

The request goes through the net layer's client (:mod:`castwatch.net`) with the network
policy for URLs from data: the targets come from notices and cases, so a private address is
reached only with the allowance or on the origin of a URL the user configured (the legal
offer a seized domain must lead to).
"""

from __future__ import annotations

import asyncio
import errno
import ipaddress
import socket
import time
from collections.abc import Sequence
from urllib.parse import urlsplit

from castwatch.catalog.credentials import redact_url
from castwatch.catalog.tracking import ProbeResult
from castwatch.errors import RedirectLoop, SourceError, SourceTimeout
from castwatch.net.client import HttpClient
from castwatch.net.policy import FetchOptions

MAX_REDIRECTS = 10
_NO_SUCH_NAME = {socket.EAI_NONAME, getattr(socket, "EAI_NODATA", socket.EAI_NONAME)}


async def probe_many(
    urls: Sequence[str],
    timeout: float,
    max_bytes: int,
    concurrency: int,
    secrets: Sequence[Sequence[str]] = (),
    *,
    allow_private: bool = False,
    trusted_urls: Sequence[str] = (),
) -> list[ProbeResult]:
    """Probe each URL (at most ``concurrency`` at once); results in the order given.

    ``secrets[i]`` are strings (an account's username and password) to blank out of what is
    recorded for ``urls[i]``, beyond the credential forms :func:`redact_url` knows.
    ``allow_private`` and ``trusted_urls`` are the network policy (:mod:`castwatch.net.policy`).
    """
    options = FetchOptions(
        timeout=timeout,
        deadline=timeout,
        max_bytes=max_bytes,
        concurrency=concurrency,
        retries=0,
        allow_private_networks=allow_private,
        trusted_urls=tuple(trusted_urls),
        verify_tls=False,
        max_redirects=MAX_REDIRECTS,
    )
    # Slots are taken before a probe's clock starts: a probe waiting its turn must not
    # spend its timeout waiting.
    slots = asyncio.Semaphore(max(1, concurrency))
    async with HttpClient(options) as client:

        async def one(index: int, url: str) -> ProbeResult:
            async with slots:
                hidden = secrets[index] if index < len(secrets) else ()
                return await probe(client, url, timeout, max_bytes, hidden)

        return list(await asyncio.gather(*(one(i, url) for i, url in enumerate(urls))))


async def probe(
    client: HttpClient,
    url: str,
    timeout: float,
    max_bytes: int,
    secrets: Sequence[str] = (),
) -> ProbeResult:
    """One probe of ``url``; never raises for anything the network does."""

    def shown(value: str) -> str:
        text = redact_url(value)
        for secret in secrets:
            if len(secret) >= 3:
                text = text.replace(secret, "***")
        return text

    started = time.monotonic()
    parts = urlsplit(url)
    host = parts.hostname or ""
    addresses, dns_error, failure = await _resolve(host, parts.port, timeout)
    if dns_error is not None:
        return ProbeResult(shown(url), (), dns_error, failure=failure, error=dns_error,
                           elapsed_s=time.monotonic() - started)  # fmt: skip
    status: int | None = None
    final_url: str | None = None
    hops: tuple[tuple[int, str], ...] = ()
    error: str | None = None
    try:
        async with asyncio.timeout(timeout):
            # The first bytes and no more, whatever the status.
            response = await client.peek(url, max_bytes, truncate=True)
        status, final_url = response.status, shown(response.url)
        hops = tuple((hop_status, shown(hop_url)) for hop_status, hop_url in response.redirects)
    except TimeoutError:
        failure, error = "timeout", f"no complete answer within {timeout:g} s"
    except RedirectLoop:
        failure, error = "other", f"more than {MAX_REDIRECTS} redirects"
    except SourceTimeout as exc:
        failure, error = "timeout", shown(str(exc))
    except SourceError as exc:
        # A transport failure, the network policy, a body that does not decode: all "other",
        # unless nothing listened.
        failure = "refused" if _refused(exc) else "other"
        error = shown(str(exc))
    return ProbeResult(
        url=shown(url), addresses=addresses, http_status=status, final_url=final_url,
        redirects=hops, failure=failure, error=error, elapsed_s=time.monotonic() - started,
    )  # fmt: skip


async def _resolve(
    host: str, port: int | None, timeout: float
) -> tuple[tuple[str, ...], str | None, str | None]:
    """``(addresses, error, failure)``; ``failure`` is ``nxdomain`` when the name is unknown."""
    try:
        return (str(ipaddress.ip_address(host)),), None, None
    except ValueError:
        pass
    loop = asyncio.get_running_loop()
    try:
        async with asyncio.timeout(timeout):
            found = await loop.getaddrinfo(host, port or 80, type=socket.SOCK_STREAM)
    except TimeoutError:
        return (), f"DNS: no answer for {host} within {timeout:g} s", "timeout"
    except socket.gaierror as exc:
        failure = "nxdomain" if exc.errno in _NO_SUCH_NAME else "other"
        return (), f"DNS: {host}: {exc.strerror or exc}", failure
    except (OSError, UnicodeError) as exc:
        return (), f"DNS: {host}: {exc}", "other"
    return tuple(dict.fromkeys(str(info[4][0]) for info in found)), None, None


def _refused(exc: BaseException) -> bool:
    """Whether the connection was refused (nothing listens), looking through the causes."""
    seen: BaseException | None = exc
    for _ in range(8):
        if seen is None:
            return False
        if isinstance(seen, ConnectionRefusedError) or (
            isinstance(seen, OSError) and seen.errno == errno.ECONNREFUSED
        ):
            return True
        if "connection refused" in str(seen).lower() or "errno 111" in str(seen).lower():
            return True
        seen = seen.__cause__ or seen.__context__
    return False
