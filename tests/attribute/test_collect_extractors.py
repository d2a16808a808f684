"""Property tests of the page extractors, identifier finders and wallet checksums."""

from __future__ import annotations

import base64
import html

import mmh3
from hypothesis import example, given, settings
from hypothesis import strategies as st

from castwatch.attribute.collectors.extract import extract_page, favicon_hash
from castwatch.attribute.collectors.identifiers import find_identifiers
from castwatch.attribute.collectors.wallets import (
    B58_ALPHABET,
    base58check_encode,
    bech32_encode,
    eip55,
    keccak256,
    valid_btc_base58,
    valid_btc_bech32,
    valid_eth,
    valid_tron,
)

noise = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=200)
# Filler that cannot glue onto an identifier (ids end at a word boundary).
filler = st.text(alphabet=" \n<>/=\"'p", max_size=40)
handles = st.from_regex(r"[a-z][a-z0-9_]{4,20}", fullmatch=True)


@given(noise)
def test_extract_never_raises(text: str) -> None:
    facts = extract_page(text, "https://shop.test/")
    assert facts.title is None or len(facts.title) <= 300


@given(
    account=st.integers(10_000, 99_999_999),
    prop=st.integers(1, 99),
    pixel=st.integers(10**14, 10**15 - 1),
    handle=handles,
    phone=st.integers(10**9, 10**11),
    before=filler,
    after=filler,
)
def test_ids_are_found_in_any_surroundings(
    account: int, prop: int, pixel: int, handle: str, phone: int, before: str, after: str
) -> None:
    page = (
        f"{before}<script>gtag('config', 'UA-{account}-{prop}');"
        f"fbq('init', '{pixel}');</script>{after}"
        f'<a href="https://t.me/{handle}">tg</a>{before}'
        f'<a href="https://wa.me/{phone}">wa</a>{after}'
    )
    found = {(i.kind.value, i.value) for i in find_identifiers(page)}
    assert ("analytics", f"UA-{account}") in found
    assert ("analytics", f"fb-pixel:{pixel}") in found
    assert ("contact", f"telegram:{handle}") in found
    assert ("contact", f"phone:+{phone}") in found


@given(user=handles, domain=st.from_regex(r"[a-z]{3,12}\.(com|test|net)", fullmatch=True))
def test_entity_encoded_email_reads_as_written(user: str, domain: str) -> None:
    encoded = "".join(f"&#{ord(c)};" for c in f"{user}@{domain}")
    facts = extract_page(f'<a href="mailto:{encoded}">{html.escape(user)}</a>', "https://s.test/")
    emails = {i.value for i in facts.identifiers if i.value.startswith("email:")}
    assert emails == {f"email:{user}@{domain}"}


@given(st.binary(min_size=21, max_size=21).map(lambda b: b"\x00" + b[1:]))
def test_base58check_roundtrip(payload: bytes) -> None:
    address = base58check_encode(payload)
    assert valid_btc_base58(address)
    assert not valid_tron(address)


@given(st.binary(min_size=20, max_size=20), st.integers(0, 1000))
def test_one_changed_character_breaks_a_tron_address(body: bytes, position: int) -> None:
    address = base58check_encode(b"\x41" + body)
    assert valid_tron(address)
    index = 1 + position % (len(address) - 1)
    replacement = next(c for c in B58_ALPHABET if c != address[index])
    assert not valid_tron(address[:index] + replacement + address[index + 1 :])
    found = find_identifiers(f"USDT TRC20: {address}")
    assert [i.value for i in found] == [f"tron:{address}"]


@given(st.binary(min_size=20, max_size=20) | st.binary(min_size=32, max_size=32))
def test_bech32_segwit_v0(program: bytes) -> None:
    address = bech32_encode(program)
    assert valid_btc_bech32(address)
    assert not valid_btc_bech32(address[:-1] + ("q" if address[-1] != "q" else "p"))


@given(st.binary(min_size=20, max_size=20))
@example(raw=b"\xb4\x9c\x98e\x8c\x800]F\xf3/\x04$\xfb\xd7\x8cI\xa3\x07\xc7")
def test_eip55_checksum(raw: bytes) -> None:
    address = eip55(raw.hex())
    assert valid_eth(address) and valid_eth(address.lower())
    letters = [i for i, c in enumerate(address) if c.isalpha() and i > 1]
    if len({address[i].isupper() for i in letters}) == 2:  # mixed case: a flip must fail
        i = letters[0]
        flipped = address[:i] + address[i].swapcase() + address[i + 1 :]
        body = flipped[2:]
        # A flip that leaves one case only is the unchecksummed form, which is valid.
        if body != body.upper() and body != body.lower():
            assert not valid_eth(flipped)


def test_keccak_and_eip55_reference_vectors() -> None:
    assert keccak256(b"").hex() == (
        "c5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470"
    )
    assert eip55("5aaeb6053f3e94c9b9a09f33669435e7ef1beaed") == (
        "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed"
    )
    assert valid_btc_base58("1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa")
    assert valid_btc_bech32("bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq")


@settings(max_examples=50)
@given(st.binary(max_size=4000))
def test_favicon_hash_is_shodans(data: bytes) -> None:
    assert favicon_hash(data) == mmh3.hash(base64.encodebytes(data))
    # Shodan's base64 text wraps at 76 characters: the plain b64encode hash differs.
    if len(data) > 57:
        assert favicon_hash(data) != mmh3.hash(base64.b64encode(data))


def test_image_names_are_not_emails_and_links_are_absolute() -> None:
    facts = extract_page(
        '<img src="logo@2x.png"><a href="/a">x</a><a href="https://Other.Test/p">o</a>',
        "https://shop.test/x/",
    )
    assert not facts.identifiers
    assert facts.links == [
        "https://shop.test/x/logo@2x.png",
        "https://shop.test/a",
        "https://Other.Test/p",
    ]
    assert facts.linked_hosts("shop.test") == ["other.test"]
