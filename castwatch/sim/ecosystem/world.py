"""The seeded world of the simulated ecosystem: operators, their brands, resellers, decoys.

An *operator* runs several brands and resellers on one panel, one set of hosts and, often,
one certificate, Analytics account and payment handles. Each brand shows a random subset of
its operator's shared signals (at least two besides the panel), so no single signal is
always there. *Decoys* are unrelated brands that share only what unrelated customers of one
provider share: a CDN edge address, a hosting ASN, the CDN's or registrar's name servers, a
certificate issuer, a stock favicon, a popular script host. A *relaunch* is an operator's
brand taken down and reborn on a new domain with the same tags, payments and panel; the old
domain redirects or says where it moved. Same seed, same world.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from random import Random
from typing import Any

from castwatch.sim.ecosystem.identities import REGISTRARS, SERVERS, TIMEZONES, Identities

#: Address plan: each block is one "network" of the ip2asn table (see tables.py).
BIGCLOUD, CDN, SHADOWHOST, NORDVPS = "127.0.10.", "127.0.20.", "127.0.30.", "127.0.31."
CDN_EDGES = ("127.0.20.10", "127.0.20.11")
CDN_NS = {"ada.ns.edgeflare.test": "127.0.20.53", "bob.ns.edgeflare.test": "127.0.20.54"}
REGISTRAR_NS = {"ns1.regdns.test": "127.0.40.53", "ns2.regdns.test": "127.0.40.54"}
MAIL_HOST = ("mx.pmail.test", "127.0.41.25")
STATIC_HOST = ("static.cdnlib.test", "127.0.20.80")
HOSTILE = {"huge": "127.0.50.1", "slow": "127.0.50.2", "badcert": "127.0.50.3"}
#: Signals an operator may share between its brands (the panel is always shared).
SHARED = (
    "ga", "ga4", "gtm", "pixel", "whatsapp", "telegram", "paypal", "btc", "tron", "eth",
    "favicon", "email",
)  # fmt: skip
STOCK_FAVICON = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 2  # a theme's default icon


@dataclass
class Signals:
    """What one shop page shows; ``None`` leaves the item off the page."""

    ga: str | None = None  # UA-account-property
    ga4: str | None = None
    gtm: str | None = None
    pixel: str | None = None
    whatsapp: str | None = None
    telegram: str | None = None
    email: str | None = None
    paypal: str | None = None
    btc: str | None = None
    tron: str | None = None
    eth: str | None = None
    favicon: bytes = b""
    links: list[str] = field(default_factory=list)


@dataclass
class Operator:
    """One operator and the infrastructure its brands share."""

    id: str
    zone: str
    panel_address: str
    stream_address: str
    origin_address: str
    self_ns: bool
    timezone: str
    rtmp_port: int
    registrant: str | None  # None: privacy-redacted
    registrar: str
    server: str
    shared_cert: bool
    pool: Signals
    decoy: bool = False
    brands: list[str] = field(default_factory=list)

    @property
    def panel_host(self) -> str:
        return f"panel.{self.zone}"

    @property
    def stream_host(self) -> str:
        return f"edge1.{self.zone}"


@dataclass
class Brand:
    """One brand (or reseller, or decoy): its domain, where it is hosted, what it shows."""

    slug: str
    domain: str
    operator: str
    kind: str  # "brand", "reseller" or "decoy"
    address: str
    front: str  # "origin" or "cdn"
    signals: Signals
    username: str
    password: str
    stream_alias: bool
    relaunch_of: str | None = None
    moved_to: str | None = None  # set on a taken-down brand
    redirects: bool = False  # taken down: 301 to the new domain, else a "we moved" page

    @property
    def panel_alias(self) -> str:
        return f"line.{self.domain}"


@dataclass
class World:
    seed: int
    operators: dict[str, Operator]
    brands: dict[str, Brand]

    def operator_of(self, brand: Brand) -> Operator:
        return self.operators[brand.operator]

    def truth(self) -> dict[str, Any]:
        """Ground truth: each brand's operator, the decoys, the relaunches."""
        return {
            "seed": self.seed,
            "operators": {
                op.id: {"brands": list(op.brands), "zone": op.zone, "decoy": op.decoy}
                for op in self.operators.values()
            },
            "brands": {
                b.slug: {
                    "operator": b.operator,
                    "kind": b.kind,
                    "domain": b.domain,
                    "front": b.front,
                    "taken_down": b.moved_to is not None,
                    "relaunch_of": b.relaunch_of,
                }
                for b in self.brands.values()
            },
            "decoys": [b.slug for b in self.brands.values() if b.kind == "decoy"],
            "relaunches": [
                {"brand": b.slug, "relaunch_of": b.relaunch_of, "operator": b.operator}
                for b in self.brands.values()
                if b.relaunch_of
            ],
            "shared_by_unrelated": {
                "addresses": list(CDN_EDGES),
                "asns": ["AS64510", "AS64520"],
                "nameservers": sorted([*CDN_NS, *REGISTRAR_NS]),
                "hosts": [STATIC_HOST[0]],
            },
        }


def generate_world(seed: int) -> World:
    """The world of ``seed``: 3-5 operators, 12-18 brands and resellers, 1-2 relaunches,
    3-5 decoys."""
    rng = Random(f"castwatch-ecosystem-{seed}")
    ids = Identities(rng)
    addresses = _Addresses()
    operator_count = rng.choice((3, 4, 4, 5))
    total = rng.randint(12, 18)
    sizes = _partition(rng, total, operator_count, minimum=2)
    operators: dict[str, Operator] = {}
    brands: dict[str, Brand] = {}
    for index, size in enumerate(sizes, 1):
        op = _operator(f"op-{index}", rng, ids, addresses, decoy=False)
        operators[op.id] = op
        resellers = 1 if size >= 3 and rng.random() < 0.6 else 0
        for number in range(size):
            kind = "reseller" if number >= size - resellers else "brand"
            brand = _brand(op, kind, rng, ids, addresses)
            if kind == "reseller" and rng.random() < 0.5:
                # "Official reseller of ...": a link from the reseller to its operator's brand.
                brand.signals.links.append(f"https://{brands[op.brands[0]].domain}/")
            brands[brand.slug] = brand
            op.brands.append(brand.slug)
    candidates = [b for b in brands.values() if b.kind == "brand"]
    for old in rng.sample(candidates, rng.randint(1, 2)):
        _relaunch(old, operators[old.operator], brands, rng, ids, addresses)
    for index in range(1, rng.randint(3, 5) + 1):
        op = _operator(f"independent-{index}", rng, ids, addresses, decoy=True)
        operators[op.id] = op
        brand = _brand(op, "decoy", rng, ids, addresses)
        brands[brand.slug] = brand
        op.brands.append(brand.slug)
    return World(seed, operators, brands)


class _Addresses:
    def __init__(self) -> None:
        self._next = {BIGCLOUD: 10, SHADOWHOST: 10, NORDVPS: 10}

    def take(self, block: str) -> str:
        number = self._next[block]
        self._next[block] = number + 1
        return f"{block}{number}"


def _partition(rng: Random, total: int, parts: int, minimum: int) -> list[int]:
    sizes = [minimum] * parts
    for _ in range(total - minimum * parts):
        sizes[rng.randrange(parts)] += 1
    return sizes


def _operator(
    op_id: str, rng: Random, ids: Identities, addresses: _Addresses, *, decoy: bool
) -> Operator:
    zone = ids.infra_zone()
    hoster = rng.choice((SHADOWHOST, NORDVPS))
    account = ids.ga_account()
    pool = Signals(
        ga=f"UA-{account}-1",
        ga4=ids.ga4(),
        gtm=ids.gtm(),
        pixel=ids.pixel(),
        whatsapp=ids.phone(),
        telegram=ids.handle(zone.split("-")[0] + "support"),
        email=f"sales.{zone.split('-')[0]}{rng.randint(10, 99)}@pmail.test",
        paypal=f"payments@{zone}",
        btc=ids.btc(),
        tron=ids.tron(),
        eth=ids.eth(),
        favicon=ids.favicon(),
    )
    return Operator(
        id=op_id,
        zone=zone,
        panel_address=addresses.take(BIGCLOUD if decoy else hoster),
        stream_address=addresses.take(BIGCLOUD if decoy else hoster),
        origin_address=addresses.take(BIGCLOUD),
        self_ns=not decoy and rng.random() < 0.5,
        timezone=rng.choice(TIMEZONES),
        rtmp_port=rng.choice((8880, 1935, 25462, 8001)),
        registrant=None
        if decoy or rng.random() < 0.5
        else f"{zone.split('.')[0].title()} Media Ltd",
        registrar=rng.choice(REGISTRARS),
        server=rng.choice(SERVERS),
        shared_cert=not decoy and rng.random() < 0.8,
        pool=pool,
        decoy=decoy,
    )


def _brand(op: Operator, kind: str, rng: Random, ids: Identities, addresses: _Addresses) -> Brand:
    slug, domain = ids.brand_name()
    own = Signals(
        ga=f"UA-{ids.ga_account()}-1",
        whatsapp=ids.phone(),
        telegram=ids.handle(slug),
        email=f"support@{domain}",
        paypal=f"pay@{domain}",
        btc=ids.btc(),
        favicon=ids.favicon(),
    )
    signals = Signals(email=own.email, links=[f"https://{STATIC_HOST[0]}/jquery.min.js"])
    if kind == "brand":
        # At least two shared signals besides the panel, so the truth is recoverable.
        shared = set(rng.sample(SHARED, rng.randint(2, 6)))
        for name in SHARED:
            source = op.pool if name in shared else own
            value = getattr(source, name)
            if name == "ga" and name in shared:
                value = (
                    f"UA-{op.pool.ga.split('-')[1]}-{len(op.brands) + 1}" if op.pool.ga else None
                )
            if value or name in shared or rng.random() < 0.5:
                setattr(signals, name, value)
    else:  # resellers and decoys: their own everything; resellers share only the panel
        for name in ("ga", "whatsapp", "telegram", "paypal", "btc", "favicon"):
            if name in ("favicon", "whatsapp") or rng.random() < 0.7:
                setattr(signals, name, getattr(own, name))
        if kind == "decoy" and rng.random() < 0.5:
            signals.favicon = STOCK_FAVICON
    if not signals.favicon:
        signals.favicon = STOCK_FAVICON if rng.random() < 0.3 else own.favicon
    front = "cdn" if rng.random() < (0.6 if kind == "decoy" else 0.35) else "origin"
    if front == "cdn":
        address = rng.choice(CDN_EDGES)
    elif kind == "brand":
        address = op.origin_address
    else:
        address = addresses.take(BIGCLOUD)
    return Brand(
        slug=slug,
        domain=domain,
        operator=op.id,
        kind=kind,
        address=address,
        front=front,
        signals=signals,
        username=f"{slug[:6]}{rng.randint(1000, 9999)}",
        password=ids.digits(10),
        stream_alias=rng.random() < 0.5,
    )


def _relaunch(
    old: Brand,
    op: Operator,
    brands: dict[str, Brand],
    rng: Random,
    ids: Identities,
    addresses: _Addresses,
) -> None:
    slug, domain = ids.relaunch_name(old.slug)
    signals = Signals(**{**old.signals.__dict__, "links": list(old.signals.links)})
    signals.email = f"support@{domain}"
    new = Brand(
        slug=slug,
        domain=domain,
        operator=op.id,
        kind="brand",
        address=op.origin_address if rng.random() < 0.5 else addresses.take(BIGCLOUD),
        front="origin",
        signals=signals,
        username=old.username,
        password=old.password,
        stream_alias=old.stream_alias,
        relaunch_of=old.slug,
    )
    old.moved_to = new.slug
    old.redirects = rng.random() < 0.5
    brands[new.slug] = new
    op.brands.append(new.slug)
