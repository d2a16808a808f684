"""Payment-address checksums: Base58Check (Bitcoin, Tron), Bech32/Bech32m, EIP-55 (Ethereum).

A wallet pattern alone matches plenty of noise (hashes, minified JavaScript); the checksum
is what makes a match evidence. Keccak-256 (needed by EIP-55, and not hashlib's SHA3-256,
which pads differently) is written out here: it runs once per mixed-case address.
"""

from __future__ import annotations

import hashlib

B58_ALPHABET = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
_B58_INDEX = {char: index for index, char in enumerate(B58_ALPHABET)}
BECH32_CHARSET = "qpzry9x8gf2tvdw0s3jn54khce6mua7l"
_BECH32_CONST, _BECH32M_CONST = 1, 0x2BC830A3

#: Version bytes of the Base58Check addresses we accept.
BTC_P2PKH, BTC_P2SH, TRON = 0x00, 0x05, 0x41


def base58check_decode(text: str) -> bytes | None:
    """The payload (version byte first) if ``text`` is valid Base58Check, else None."""
    number = 0
    for char in text:
        digit = _B58_INDEX.get(char)
        if digit is None:
            return None
        number = number * 58 + digit
    raw = number.to_bytes((number.bit_length() + 7) // 8, "big") if number else b""
    raw = b"\x00" * (len(text) - len(text.lstrip("1"))) + raw
    if len(raw) < 5:
        return None
    payload, checksum = raw[:-4], raw[-4:]
    if hashlib.sha256(hashlib.sha256(payload).digest()).digest()[:4] != checksum:
        return None
    return payload


def base58check_encode(payload: bytes) -> str:
    """Base58Check text of ``payload`` (version byte first)."""
    raw = payload + hashlib.sha256(hashlib.sha256(payload).digest()).digest()[:4]
    number = int.from_bytes(raw, "big")
    chars = []
    while number:
        number, digit = divmod(number, 58)
        chars.append(B58_ALPHABET[digit])
    leading = len(raw) - len(raw.lstrip(b"\x00"))
    return "1" * leading + "".join(reversed(chars))


def valid_btc_base58(address: str) -> bool:
    payload = base58check_decode(address)
    return payload is not None and len(payload) == 21 and payload[0] in (BTC_P2PKH, BTC_P2SH)


def valid_tron(address: str) -> bool:
    payload = base58check_decode(address)
    return payload is not None and len(payload) == 21 and payload[0] == TRON


def _bech32_polymod(values: list[int]) -> int:
    generator = (0x3B6A57B2, 0x26508E6D, 0x1EA119FA, 0x3D4233DD, 0x2A1462B3)
    checksum = 1
    for value in values:
        top = checksum >> 25
        checksum = ((checksum & 0x1FFFFFF) << 5) ^ value
        for index in range(5):
            if (top >> index) & 1:
                checksum ^= generator[index]
    return checksum


def _hrp_expand(hrp: str) -> list[int]:
    return [ord(c) >> 5 for c in hrp] + [0] + [ord(c) & 31 for c in hrp]


def valid_btc_bech32(address: str) -> bool:
    """A segwit address (``bc1...``) whose checksum fits its witness version."""
    text = address.lower()
    hrp, sep, data_text = text.rpartition("1")
    if hrp != "bc" or not sep or len(data_text) < 7 or address not in (text, address.upper()):
        return False
    if any(char not in BECH32_CHARSET for char in data_text):
        return False
    data = [BECH32_CHARSET.index(char) for char in data_text]
    constant = _bech32_polymod(_hrp_expand(hrp) + data)
    version = data[0]
    if constant != (_BECH32_CONST if version == 0 else _BECH32M_CONST) or version > 16:
        return False
    program_bits = (len(data) - 7) * 5
    return 2 <= program_bits // 8 <= 40 and (version != 0 or program_bits // 8 in (20, 32))


def bech32_encode(program: bytes, version: int = 0) -> str:
    """``bc1...`` address of a witness ``program`` (for tests and the simulator)."""
    data = [version, *_to_5bit(program)]
    constant = _BECH32_CONST if version == 0 else _BECH32M_CONST
    polymod = _bech32_polymod([*_hrp_expand("bc"), *data, 0, 0, 0, 0, 0, 0]) ^ constant
    checksum = [(polymod >> 5 * (5 - index)) & 31 for index in range(6)]
    return "bc1" + "".join(BECH32_CHARSET[value] for value in data + checksum)


def _to_5bit(data: bytes) -> list[int]:
    accumulator, bits, out = 0, 0, []
    for byte in data:
        accumulator = (accumulator << 8) | byte
        bits += 8
        while bits >= 5:
            bits -= 5
            out.append((accumulator >> bits) & 31)
    if bits:
        out.append((accumulator << (5 - bits)) & 31)
    return out


# The permutation's tables, laid out as the specification prints them.
# fmt: off
_ROUND_CONSTANTS = (
    0x0000000000000001, 0x0000000000008082, 0x800000000000808A, 0x8000000080008000,
    0x000000000000808B, 0x0000000080000001, 0x8000000080008081, 0x8000000000008009,
    0x000000000000008A, 0x0000000000000088, 0x0000000080008009, 0x000000008000000A,
    0x000000008000808B, 0x800000000000008B, 0x8000000000008089, 0x8000000000008003,
    0x8000000000008002, 0x8000000000000080, 0x000000000000800A, 0x800000008000000A,
    0x8000000080008081, 0x8000000000008080, 0x0000000080000001, 0x8000000080008008,
)
_ROTATIONS = (
    (0, 36, 3, 41, 18), (1, 44, 10, 45, 2), (62, 6, 43, 15, 61),
    (28, 55, 25, 21, 56), (27, 20, 39, 8, 14),
)
# fmt: on
_MASK = (1 << 64) - 1


def _rotl(value: int, shift: int) -> int:
    return ((value << shift) | (value >> (64 - shift))) & _MASK if shift else value


def _keccak_f(lanes: list[int]) -> list[int]:
    for constant in _ROUND_CONSTANTS:
        columns = [
            lanes[x] ^ lanes[x + 5] ^ lanes[x + 10] ^ lanes[x + 15] ^ lanes[x + 20]
            for x in range(5)
        ]
        mix = [columns[(x - 1) % 5] ^ _rotl(columns[(x + 1) % 5], 1) for x in range(5)]
        lanes = [lane ^ mix[index % 5] for index, lane in enumerate(lanes)]
        moved = [0] * 25
        for x in range(5):
            for y in range(5):
                moved[y + 5 * ((2 * x + 3 * y) % 5)] = _rotl(lanes[x + 5 * y], _ROTATIONS[x][y])
        lanes = [
            moved[i] ^ (~moved[(i + 1) % 5 + 5 * (i // 5)] & moved[(i + 2) % 5 + 5 * (i // 5)])
            for i in range(25)
        ]
        lanes[0] ^= constant
    return lanes


def keccak256(data: bytes) -> bytes:
    """Keccak-256 as Ethereum uses it (original padding, not FIPS-202 SHA3-256)."""
    rate = 136
    padded = bytearray(data) + b"\x01" + b"\x00" * ((-len(data) - 1) % rate)
    padded[-1] |= 0x80
    lanes = [0] * 25
    for offset in range(0, len(padded), rate):
        block = padded[offset : offset + rate]
        for index in range(rate // 8):
            lanes[index] ^= int.from_bytes(block[index * 8 : index * 8 + 8], "little")
        lanes = _keccak_f(lanes)
    return b"".join(lane.to_bytes(8, "little") for lane in lanes[:4])


def eip55(address_hex: str) -> str:
    """The EIP-55 mixed-case form of a 40-hex-digit address (``0x`` prefix added)."""
    lower = address_hex.lower().removeprefix("0x")
    digest = keccak256(lower.encode()).hex()
    return "0x" + "".join(
        char.upper() if char.isalpha() and int(digest[index], 16) >= 8 else char
        for index, char in enumerate(lower)
    )


def valid_eth(address: str) -> bool:
    """``0x`` + 40 hex digits; a mixed-case address must also carry a correct EIP-55 checksum."""
    body = address[2:]
    if not address.startswith("0x") or len(body) != 40:
        return False
    try:
        int(body, 16)
    except ValueError:
        return False
    if body in (body.lower(), body.upper()):
        return True
    return eip55(body) == address
