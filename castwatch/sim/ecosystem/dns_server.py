"""An authoritative DNS server for the ecosystem's zones, over UDP and TCP, on asyncio.

dnslib encodes and decodes the messages; the answers come from :class:`ZoneData`. Names
under a zone that do not exist answer NXDOMAIN with the zone's SOA (so resolvers can find
zone cuts), names outside every zone answer REFUSED, and two names fail on purpose:
``servfail.hostile.test`` (SERVFAIL) and ``timeout.hostile.test`` (no answer at all).
"""

from __future__ import annotations

import asyncio
import struct
from typing import Any, cast

from dnslib import AAAA, CNAME, MX, NS, QTYPE, RCODE, RR, SOA, TXT, A, DNSRecord

from castwatch.sim.ecosystem.zones import SERVFAIL_NAME, TIMEOUT_NAME, TTL, ZoneData

_MAX_CNAME_HOPS = 8


def answer(data: ZoneData, request: Any) -> bytes | None:
    """The encoded reply to ``request`` (a dnslib ``DNSRecord``), or None to stay silent."""
    qname = str(request.q.qname).rstrip(".").lower()
    qtype = QTYPE[request.q.qtype]
    reply = request.reply()
    if qname == TIMEOUT_NAME:
        return None
    if qname == SERVFAIL_NAME:
        reply.header.rcode = RCODE.SERVFAIL
        return bytes(reply.pack())
    zone = data.zone_of(qname)
    if zone is None:
        reply.header.aa = 0
        reply.header.rcode = RCODE.REFUSED
        return bytes(reply.pack())
    name = qname
    for _ in range(_MAX_CNAME_HOPS):
        owned = data.records.get(name, {})
        if qtype == "SOA" and name in data.zones:
            reply.add_answer(_soa(name))
            break
        if qtype in owned:
            for value in owned[qtype]:
                reply.add_answer(_rr(name, qtype, value))
            break
        if "CNAME" in owned and qtype != "CNAME":
            target = owned["CNAME"][0]
            reply.add_answer(_rr(name, "CNAME", target))
            name = target
            if data.zone_of(name) is None:
                break
            continue
        if not reply.rr:
            if not data.exists(name):
                reply.header.rcode = RCODE.NXDOMAIN
            reply.add_auth(_soa(data.zone_of(name) or zone))
        break
    return bytes(reply.pack())


def _soa(zone: str) -> Any:
    record = SOA(f"ns1.{zone}", f"hostmaster.{zone}", (2024010101, 7200, 900, 1209600, TTL))
    return RR(zone, QTYPE.SOA, rdata=record, ttl=TTL)


def _rr(name: str, rtype: str, value: str) -> Any:
    if rtype == "A":
        rdata: Any = A(value)
    elif rtype == "AAAA":
        rdata = AAAA(value)
    elif rtype == "CNAME":
        rdata = CNAME(value)
    elif rtype == "NS":
        rdata = NS(value)
    elif rtype == "MX":
        preference, _, host = value.partition(" ")
        rdata = MX(host, int(preference))
    else:
        rdata = TXT(value)
    return RR(name, getattr(QTYPE, rtype), rdata=rdata, ttl=TTL)


def _reply_to(data: ZoneData, message: bytes) -> bytes | None:
    try:
        request = DNSRecord.parse(message)
    except Exception:  # dnslib raises several types on garbage; garbage gets no answer
        return None
    if not request.questions:
        return None
    return answer(data, request)


class _UdpProtocol(asyncio.DatagramProtocol):
    def __init__(self, data: ZoneData) -> None:
        self.data = data
        self.transport: asyncio.DatagramTransport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        # The selector transport is not a registered DatagramTransport subclass: cast, not check.
        self.transport = cast(asyncio.DatagramTransport, transport)

    def datagram_received(self, message: bytes, addr: tuple[str | Any, int]) -> None:
        reply = _reply_to(self.data, message)
        if reply is not None and self.transport is not None:
            self.transport.sendto(reply, addr)


class DnsServer:
    """UDP and TCP on one port of 127.0.0.1; start and stop from the ecosystem's loop."""

    def __init__(self, data: ZoneData, host: str = "127.0.0.1") -> None:
        self.data = data
        self.host = host
        self.port = 0
        self._udp: asyncio.DatagramTransport | None = None
        self._tcp: asyncio.Server | None = None

    async def start(self) -> None:
        loop = asyncio.get_running_loop()
        for _ in range(20):
            # UDP picks the port; TCP must get the same one, which may be taken: retry.
            udp, _protocol = await loop.create_datagram_endpoint(
                lambda: _UdpProtocol(self.data), local_addr=(self.host, 0)
            )
            port = udp.get_extra_info("sockname")[1]
            try:
                self._tcp = await asyncio.start_server(self._serve_tcp, self.host, port)
            except OSError:
                udp.close()
                continue
            self._udp, self.port = udp, port
            return
        raise RuntimeError("could not bind the simulated DNS server on UDP and TCP")

    async def _serve_tcp(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while True:
                size = struct.unpack("!H", await reader.readexactly(2))[0]
                reply = _reply_to(self.data, await reader.readexactly(size))
                if reply is None:
                    continue
                writer.write(struct.pack("!H", len(reply)) + reply)
                await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            writer.close()

    async def stop(self) -> None:
        if self._udp is not None:
            self._udp.close()
        if self._tcp is not None:
            self._tcp.close()
            await self._tcp.wait_closed()
