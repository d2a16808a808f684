"""A pinned resolver: the socket goes to the address it gave, the name travels as SNI and Host.

Attribution asks the investigation's own DNS server, then must visit the address that server
gave while presenting the real name, so a shop behind a CDN answers as it would to a
visitor. The server here is a real TLS server on 127.0.0.1 that records the SNI name of each
handshake and the Host header of each request.
"""

from __future__ import annotations

import asyncio
import ssl
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field

import pytest
import trustme

from castwatch.errors import BlockedByPolicy, FetchError
from castwatch.net.client import HttpClient
from castwatch.net.policy import FetchOptions

NAME = "shop.example"


@dataclass
class Seen:
    sni: list[str | None] = field(default_factory=list)
    hosts: list[str] = field(default_factory=list)


class Pinned:
    """A resolver that knows one name; the client must never ask the system's."""

    def __init__(self, answers: dict[str, list[str]]) -> None:
        self.answers = answers
        self.asked: list[str] = []

    async def addresses(self, host: str) -> list[str]:
        self.asked.append(host)
        if host not in self.answers:
            raise FetchError(f"no pinned answer for {host}")
        return self.answers[host]


@asynccontextmanager
async def tls_server(seen: Seen) -> AsyncIterator[int]:
    """A TLS server on 127.0.0.1 answering ``200 hello`` and recording SNI and Host."""
    ca = trustme.CA()
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert(NAME).configure_cert(context)

    def on_sni(_sock: ssl.SSLObject, name: str | None, _ctx: ssl.SSLContext) -> None:
        seen.sni.append(name)

    context.sni_callback = on_sni  # type: ignore[assignment]

    async def answer(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        head = await reader.readuntil(b"\r\n\r\n")
        for line in head.decode("latin-1").split("\r\n"):
            if line.lower().startswith("host:"):
                seen.hosts.append(line.split(":", 1)[1].strip())
        writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\nConnection: close\r\n\r\nhello")
        await writer.drain()
        writer.close()

    server = await asyncio.start_server(answer, "127.0.0.1", 0, ssl=context)
    try:
        yield server.sockets[0].getsockname()[1]
    finally:
        server.close()
        await server.wait_closed()


def _options(**overrides: object) -> FetchOptions:
    settings: dict[str, object] = {"timeout": 5.0, "retries": 0, "verify_tls": False}
    settings.update(overrides)
    return FetchOptions(**settings)  # type: ignore[arg-type]


def test_the_pinned_address_is_reached_with_the_name_as_sni_and_host() -> None:
    seen = Seen()
    resolver = Pinned({NAME: ["127.0.0.1"]})

    async def run() -> bytes:
        async with tls_server(seen) as port:
            options = _options(allow_private_networks=True)
            async with HttpClient(options, resolver=resolver) as client:
                response = await client.get(f"https://{NAME}:{port}/")
        assert seen.hosts == [f"{NAME}:{port}"]
        return response.body

    assert asyncio.run(run()) == b"hello"
    assert seen.sni == [NAME]
    assert resolver.asked == [NAME]


def test_a_pinned_private_address_obeys_the_network_policy() -> None:
    seen = Seen()
    resolver = Pinned({NAME: ["127.0.0.1"]})

    async def run() -> tuple[str, bytes]:
        async with tls_server(seen) as port:
            url = f"https://{NAME}:{port}/"
            refused = _options(allow_private_networks=False, trusted_urls=())
            async with HttpClient(refused, resolver=resolver) as client:
                with pytest.raises(BlockedByPolicy) as caught:
                    await client.get(url)
            trusted = _options(allow_private_networks=False, trusted_urls=(url,))
            async with HttpClient(trusted, resolver=resolver) as client:
                body = (await client.get(url)).body
        return str(caught.value), body

    message, body = asyncio.run(run())
    assert "loopback" in message and "network policy" in message
    # The refusal came before any packet: only the trusted origin's request reached it.
    assert body == b"hello" and len(seen.hosts) == 1


def test_a_resolver_error_is_the_callers_error() -> None:
    async def run() -> None:
        async with HttpClient(_options(), resolver=Pinned({})) as client:
            await client.get("http://unknown.example/")

    with pytest.raises(FetchError, match=r"no pinned answer for unknown\.example"):
        asyncio.run(run())


def test_certificates_are_verified_unless_the_policy_says_not() -> None:
    seen = Seen()
    resolver = Pinned({NAME: ["127.0.0.1"]})

    async def run() -> str:
        async with tls_server(seen) as port:
            options = _options(allow_private_networks=True, verify_tls=True)
            async with HttpClient(options, resolver=resolver) as client:
                with pytest.raises(FetchError) as caught:
                    await client.get(f"https://{NAME}:{port}/")
        return str(caught.value)

    assert "certificate" in asyncio.run(run()).lower()
