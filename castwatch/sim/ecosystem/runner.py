"""Run the ecosystem: DNS, RDAP and every web host on loopback, from one background loop.

Each simulated address (127.0.x.y) is a real listening address: Linux routes all of
127.0.0.0/8 to the loopback interface, so binding 127.0.10.11 needs no setup. Every address
gets one plain-HTTP and one HTTPS listener, on the same two ports everywhere (found free at
start), so a URL differs from the real thing only by its port. DNS (UDP and TCP) and RDAP
listen on 127.0.0.1.
"""

from __future__ import annotations

import asyncio
import json
import shutil
import tempfile
import threading
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Self

import orjson

from castwatch.sim.ecosystem.certs import CertificateStore
from castwatch.sim.ecosystem.dns_server import DnsServer
from castwatch.sim.ecosystem.pages import EcosystemApp
from castwatch.sim.ecosystem.tables import rdap_domains, write_ip2asn
from castwatch.sim.ecosystem.web import Answer, Request, WebServer
from castwatch.sim.ecosystem.world import World, generate_world
from castwatch.sim.ecosystem.zones import SERVFAIL_NAME, TIMEOUT_NAME, ZoneData, build_zones
from castwatch.sim.lifecycle import Started, until_signal


@dataclass(frozen=True, slots=True)
class BrandEntry:
    """Where castwatch would meet a brand: its shop, its panel API, its stream URLs."""

    shop: str
    panel: str
    streams: list[str]


@dataclass(frozen=True, slots=True)
class EcosystemInfo:
    """What ``castwatch sim --ecosystem --json`` prints, plus (not printed) the truth."""

    seed: int
    dns: str  # host:port of the authoritative DNS server
    rdap_url: str
    ip2asn: str  # path of the ip2asn TSV
    ca_cert: str  # path of the PEM bundle of the trusted issuers
    http_port: int
    https_port: int
    brands: dict[str, BrandEntry]
    hostile: dict[str, str]
    truth: dict[str, Any] = field(repr=False)

    def announcement(self) -> dict[str, Any]:
        """The JSON line: everything needed to evaluate a seed end to end, without truth."""
        data = asdict(self)
        data.pop("truth")
        return data


class Ecosystem(Started):
    """The simulated ecosystem of ``seed``, as a context manager.

    ``with Ecosystem(seed=3) as eco:`` then ``eco.info`` (:class:`EcosystemInfo`):
    ``info.brands[name].shop`` / ``.panel`` / ``.streams`` are the entry URLs, ``info.dns``
    the resolver to give collectors (``CollectSettings(resolver=info.dns,
    ip2asn=Path(info.ip2asn), rdap_url=info.rdap_url, allow_private_networks=True)``: every
    host is on 127.0.0.x), ``info.truth`` the ground truth.
    Files (ip2asn table, CA bundle) live in ``workdir`` or a temporary directory removed on
    exit. ``start()`` and ``stop()`` work without ``with``.
    """

    def __init__(self, seed: int = 0, workdir: Path | None = None) -> None:
        self.seed = seed
        self.world: World = generate_world(seed)
        self.zones: ZoneData = build_zones(self.world)
        self._own_dir = workdir is None
        self.workdir = (
            Path(tempfile.mkdtemp(prefix="castwatch-eco-")) if workdir is None else workdir
        )
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._web: WebServer | None = None
        self._rdap: WebServer | None = None
        self._dns: DnsServer | None = None
        self._info: EcosystemInfo | None = None

    @property
    def info(self) -> EcosystemInfo:
        if self._info is None:
            raise RuntimeError("start the Ecosystem before asking for its URLs")
        return self._info

    def start(self, timeout: float = 60.0) -> Self:
        if self._thread is not None:
            raise RuntimeError("this Ecosystem has already been started")
        self.workdir.mkdir(parents=True, exist_ok=True)
        certs = CertificateStore(self.world)
        ca_path = certs.write_bundle(self.workdir / "ca.pem")
        table = write_ip2asn(self.workdir / "ip2asn.tsv")
        loop = self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(
            target=loop.run_forever, name=f"castwatch-ecosystem-{self.seed}", daemon=True
        )
        self._thread.start()
        try:
            started = asyncio.run_coroutine_threadsafe(self._start(certs), loop)
            http_port, https_port, dns_port, rdap_port = started.result(timeout)
        except BaseException:
            self.stop()
            raise
        app = EcosystemApp(self.world, http_port, https_port)
        assert self._web is not None
        self._web.app = app
        brands = {
            brand.slug: BrandEntry(
                shop=app.shop_url(brand),
                panel=app.panel_url(brand),
                streams=[
                    f"http://{host}:{http_port}/live/{brand.username}/{brand.password}/{n}.ts"
                    for n, host in enumerate(self._stream_hosts(brand), 1)
                ],
            )
            for brand in self.world.brands.values()
        }
        self._info = EcosystemInfo(
            seed=self.seed,
            dns=f"127.0.0.1:{dns_port}",
            rdap_url=f"http://127.0.0.1:{rdap_port}/",
            ip2asn=str(table),
            ca_cert=str(ca_path),
            http_port=http_port,
            https_port=https_port,
            brands=brands,
            hostile={
                "huge": f"https://huge.hostile.test:{https_port}/",
                "slow": f"https://slow.hostile.test:{https_port}/",
                "badcert": f"https://badcert.hostile.test:{https_port}/",
                "nxdomain": "nosuch.hostile.test",
                "servfail": SERVFAIL_NAME,
                "timeout": TIMEOUT_NAME,
            },
            truth=self.world.truth(),
        )
        return self

    def _stream_hosts(self, brand: Any) -> list[str]:
        op = self.world.operator_of(brand)
        return [f"stream.{brand.domain}"] if brand.stream_alias else [op.stream_host]

    async def _start(self, certs: CertificateStore) -> tuple[int, int, int, int]:
        async def not_ready(request: Request) -> Answer:
            return Answer(503, "text/plain", b"starting")

        self._web = WebServer(not_ready, certs.server_context())
        addresses = sorted(
            {v for records in self.zones.records.values() for v in records.get("A", [])}
        )
        http_port = await _listen_everywhere(self._web, addresses, tls=False)
        https_port = await _listen_everywhere(self._web, addresses, tls=True)
        self._dns = DnsServer(self.zones)
        await self._dns.start()
        objects = {
            name: orjson.dumps(obj) for name, obj in rdap_domains(self.world, self.zones).items()
        }

        async def rdap(request: Request) -> Answer:
            name = request.path.removeprefix("/domain/").lower().rstrip(".")
            if request.path.startswith("/domain/") and name in objects:
                return Answer(content_type="application/rdap+json", body=objects[name])
            return Answer(404, "application/rdap+json", b'{"errorCode": 404}')

        self._rdap = WebServer(rdap, None)
        rdap_port = await self._rdap.listen("127.0.0.1", 0, tls=False)
        return http_port, https_port, self._dns.port, rdap_port

    def stop(self, timeout: float = 10.0) -> None:
        """Stop every server and the loop; remove the temporary directory. Safe twice."""
        loop, self._loop = self._loop, None
        if loop is not None:
            if loop.is_running():
                stopping = asyncio.run_coroutine_threadsafe(self._stop(), loop)
                try:
                    stopping.result(timeout)
                finally:
                    loop.call_soon_threadsafe(loop.stop)
            if self._thread is not None:
                self._thread.join(timeout)
            loop.close()
        self._thread = None
        if self._own_dir:
            shutil.rmtree(self.workdir, ignore_errors=True)

    async def _stop(self) -> None:
        for server in (self._web, self._rdap):
            if server is not None:
                await server.stop()
        if self._dns is not None:
            await self._dns.stop()


async def _listen_everywhere(server: WebServer, addresses: list[str], tls: bool) -> int:
    """Listen on one port common to every address; retry with a new port on a clash."""
    for _ in range(20):
        port = await server.listen(addresses[0], 0, tls)
        try:
            for address in addresses[1:]:
                await server.listen(address, port, tls)
        except OSError:
            continue  # a clash: the listeners made so far stay harmlessly idle
        return port
    raise RuntimeError("could not find a port free on every simulated address")


def serve_ecosystem(
    seed: int,
    *,
    truth_path: Path | None = None,
    on_ready: Callable[[EcosystemInfo], None] | None = None,
) -> None:
    """Serve the ecosystem until SIGINT or SIGTERM (call from the main thread)."""
    with until_signal() as stop, Ecosystem(seed) as ecosystem:
        if truth_path is not None:
            truth_path.write_text(json.dumps(ecosystem.info.truth, indent=2) + "\n")
        if on_ready is not None:
            on_ready(ecosystem.info)
        while not stop.wait(0.2):
            pass
