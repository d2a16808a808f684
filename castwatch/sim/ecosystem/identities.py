"""Made-up identifiers for the simulated ecosystem: names, tag ids, phones, wallets.

Every value is synthetic and chosen to belong to nobody: domains under the reserved
``.test`` TLD, phone numbers in Ofcom's drama range (+44 7700 900xxx), e-mail addresses at
``.test`` domains, wallets made from random bytes (valid checksums, no known key).
The simulator imports nothing of the stages, so the few encoders it needs live here.
"""

from __future__ import annotations

import hashlib
from random import Random


def _words(text: str) -> tuple[str, ...]:
    return tuple(text.split())


_B58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"

FIRST = _words(
    "king star nova ultra flix prime royal turbo zen vivid iron gold sky mega apex blue "
    "crystal atlas omega titan rapid smart magic lion eagle falcon super hyper neo cosmo"
)
SECOND = _words("stream tv iptv play cast box view vision line hub zone flow max plus")
TLDS = _words("tv.test cc.test to.test xyz.test live.test")
INFRA_WORDS = _words("nord core vault pulse grid orbit delta quartz rocket shield matrix vector")
INFRA_TLDS = _words("net.test host.test cloud.test")
TIMEZONES = _words(
    "Europe/Amsterdam Europe/London Europe/Istanbul America/Toronto Asia/Dubai Europe/Madrid "
    "Europe/Bucharest"
)
REGISTRARS = ("Sim Names Registrar LLC", "Example Domains Inc.", "Test Registry Services Ltd")
SERVERS = ("nginx", "nginx/1.18.0", "Apache/2.4.41 (Ubuntu)", "LiteSpeed", "openresty")


def base58check(payload: bytes) -> str:
    raw = payload + hashlib.sha256(hashlib.sha256(payload).digest()).digest()[:4]
    number = int.from_bytes(raw, "big")
    chars = []
    while number:
        number, digit = divmod(number, 58)
        chars.append(_B58[digit])
    return "1" * (len(raw) - len(raw.lstrip(b"\x00"))) + "".join(reversed(chars))


class Identities:
    """Draws unique synthetic identifiers from one seeded generator."""

    def __init__(self, rng: Random) -> None:
        self.rng = rng
        self._used: set[str] = set()

    def _unique(self, make: str) -> bool:
        if make in self._used:
            return False
        self._used.add(make)
        return True

    def brand_name(self) -> tuple[str, str]:
        """``(slug, domain)``: ``kingstream``, ``kingstream.tv.test``."""
        while True:
            slug = self.rng.choice(FIRST) + self.rng.choice(SECOND)
            if self._unique(slug):
                return slug, f"{slug}.{self.rng.choice(TLDS)}"

    def relaunch_name(self, slug: str) -> tuple[str, str]:
        while True:
            new = self.rng.choice(
                (f"{slug}4k", f"{slug}hd", f"new{slug}", f"{slug}pro", f"the{slug}")
            )
            if self._unique(new):
                return new, f"{new}.{self.rng.choice(TLDS)}"

    def infra_zone(self) -> str:
        while True:
            word, number = self.rng.choice(INFRA_WORDS), self.rng.randint(10, 99)
            zone = f"{word}-{number}.{self.rng.choice(INFRA_TLDS)}"
            if self._unique(zone):
                return zone

    def digits(self, count: int) -> str:
        while True:
            text = str(self.rng.randint(1, 9)) + "".join(
                str(self.rng.randint(0, 9)) for _ in range(count - 1)
            )
            if self._unique(text):
                return text

    def ga_account(self) -> str:
        return self.digits(8)

    def ga4(self) -> str:
        alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ0123456789"
        return (
            "G-"
            + self.rng.choice("0123456789")
            + "".join(self.rng.choice(alphabet) for _ in range(9))
        )

    def gtm(self) -> str:
        alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
        return "GTM-" + "".join(self.rng.choice(alphabet) for _ in range(7))

    def pixel(self) -> str:
        return self.digits(15)

    def phone(self) -> str:
        while True:
            number = f"+447700900{self.rng.randint(0, 999):03d}"
            if self._unique(number):
                return number

    def handle(self, stem: str) -> str:
        while True:
            handle = f"{stem}_{self.rng.randint(100, 999)}"
            if self._unique(handle):
                return handle

    def btc(self) -> str:
        return base58check(bytes([self.rng.choice((0x00, 0x05))]) + self.rng.randbytes(20))

    def tron(self) -> str:
        return base58check(b"\x41" + self.rng.randbytes(20))

    def eth(self) -> str:
        # Lower case: valid without an EIP-55 checksum, which would need Keccak here.
        return "0x" + self.rng.randbytes(20).hex()

    def favicon(self) -> bytes:
        """A small PNG-looking icon; only its bytes matter (they are what gets hashed)."""
        return b"\x89PNG\r\n\x1a\n" + self.rng.randbytes(self.rng.randint(180, 600))
