"""Identifiers in page text: analytics and tag ids, contact handles, payment accounts.

Each finder is a regular expression plus, where cheap, a validity check (wallet checksums,
image names that look like e-mail addresses). Values are normalised so that the same account
written two ways is one graph node: ``UA-1234567-2`` and ``UA-1234567-5`` are both the
Analytics *account* ``UA-1234567`` (the property is kept in ``detail``), handles are lower
case, phone numbers digits only.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from castwatch.attribute.collectors.wallets import (
    valid_btc_base58,
    valid_btc_bech32,
    valid_eth,
    valid_tron,
)
from castwatch.catalog.attribution import NodeKind


@dataclass(frozen=True, slots=True)
class Identifier:
    """One identifier found in a page: its node kind, normalised value and relation."""

    kind: NodeKind
    value: str
    relation: str
    detail: dict[str, str] = field(default_factory=dict, compare=False, hash=False)


_UA = re.compile(r"\bUA-(\d{4,10})-(\d{1,4})\b")
_GA4 = re.compile(r"\bG-(?=[A-Z0-9]*\d)[A-Z0-9]{8,12}\b")
_GTM = re.compile(r"\bGTM-[A-Z0-9]{4,9}\b")
_PIXEL = re.compile(
    r"""fbq\(\s*['"]init['"]\s*,\s*['"]?(\d{10,20})"""
    r"""|facebook\.com/tr\?(?:[^"'\s<>]*?&)?id=(\d{10,20})"""
)
_ADSENSE = re.compile(r"\bca-pub-\d{10,20}\b")
_MAIL = (
    r"[A-Za-z0-9][A-Za-z0-9._%+-]{0,63}@[A-Za-z0-9-]{1,63}(?:\.[A-Za-z0-9-]{1,63})*"
    r"\.[A-Za-z]{2,24}\b"
)
_EMAIL = re.compile(r"(?<![\w.%+-])" + _MAIL)
_NOT_MAIL_TLDS = frozenset({"png", "jpg", "jpeg", "gif", "svg", "webp", "css", "js", "ico"})
_WHATSAPP = re.compile(
    r"(?:wa\.me/|whatsapp\.com/send/?\?(?:[^\"'\s<>]*?&)?phone=)(?:%2B|\+)?(\d{7,15})\b",
    re.IGNORECASE,
)
_TEL = re.compile(r"tel:(\+?[\d\s().-]{7,24})", re.IGNORECASE)
_TELEGRAM = re.compile(
    r"(?:\bt\.me|\btelegram\.me|\btelegram\.dog)/(?:s/)?@?(\+[A-Za-z0-9_-]{8,40}|[A-Za-z][A-Za-z0-9_]{3,31})\b",
    re.IGNORECASE,
)
_TELEGRAM_RESERVED = frozenset({"joinchat", "share", "addstickers", "proxy", "socks", "iv"})
_PAYPAL_ME = re.compile(r"paypal\.(?:me|com/paypalme)/([A-Za-z0-9][A-Za-z0-9_.-]{0,39})", re.I)
_PAYPAL_MAIL = re.compile(
    r"(?:paypal|business=|receiver_email)[^<>@\n]{0,40}?(?<![\w.%+-])(" + _MAIL + ")", re.I
)
_BTC_BASE58 = re.compile(r"\b[13][1-9A-HJ-NP-Za-km-z]{25,34}\b")
_BTC_BECH32 = re.compile(r"\b(?:bc1[02-9ac-hj-np-z]{11,71}|BC1[02-9AC-HJ-NP-Z]{11,71})\b")
_ETH = re.compile(r"\b0x[0-9a-fA-F]{40}\b")
_TRON = re.compile(r"\bT[1-9A-HJ-NP-Za-km-z]{33}\b")


def find_identifiers(text: str) -> list[Identifier]:
    """Every identifier in ``text`` (page source plus attribute values), without repeats."""
    found: dict[tuple[NodeKind, str, str], Identifier] = {}

    def add(kind: NodeKind, value: str, relation: str, **detail: str) -> None:
        found.setdefault((kind, value, relation), Identifier(kind, value, relation, detail))

    for match in _UA.finditer(text):
        add(NodeKind.ANALYTICS, f"UA-{match[1]}", "http.analytics", property=match[0])
    for match in _GA4.finditer(text):
        add(NodeKind.ANALYTICS, match[0], "http.analytics")
    for match in _GTM.finditer(text):
        add(NodeKind.ANALYTICS, match[0], "http.analytics")
    for match in _PIXEL.finditer(text):
        add(NodeKind.ANALYTICS, f"fb-pixel:{match[1] or match[2]}", "http.analytics")
    for match in _ADSENSE.finditer(text):
        add(NodeKind.ANALYTICS, match[0], "http.analytics")
    paypal_mails = {match[1].lower() for match in _PAYPAL_MAIL.finditer(text)}
    for mail in paypal_mails:
        if _is_mail(mail):
            add(NodeKind.PAYMENT, f"paypal:{mail}", "http.payment")
    for match in _PAYPAL_ME.finditer(text):
        add(NodeKind.PAYMENT, f"paypal.me:{match[1].lower().rstrip('.')}", "http.payment")
    for match in _EMAIL.finditer(text):
        mail = match[0].lower()
        if _is_mail(mail) and mail not in paypal_mails:
            add(NodeKind.CONTACT, f"email:{mail}", "http.contact")
    for match in _WHATSAPP.finditer(text):
        add(NodeKind.CONTACT, f"phone:+{match[1]}", "http.contact", via="whatsapp")
    for match in _TEL.finditer(text):
        digits = re.sub(r"\D", "", match[1])
        if 7 <= len(digits) <= 15:
            add(NodeKind.CONTACT, f"phone:+{digits}", "http.contact", via="tel")
    for match in _TELEGRAM.finditer(text):
        handle = match[1]
        if handle.startswith("+"):
            add(NodeKind.CONTACT, f"telegram-invite:{handle[1:]}", "http.contact")
        elif handle.lower() not in _TELEGRAM_RESERVED:
            add(NodeKind.CONTACT, f"telegram:{handle.lower()}", "http.contact")
    for match in _BTC_BASE58.finditer(text):
        if valid_btc_base58(match[0]):
            add(NodeKind.PAYMENT, f"btc:{match[0]}", "http.payment")
    for match in _BTC_BECH32.finditer(text):
        if valid_btc_bech32(match[0]):
            add(NodeKind.PAYMENT, f"btc:{match[0].lower()}", "http.payment")
    for match in _ETH.finditer(text):
        if valid_eth(match[0]):
            add(NodeKind.PAYMENT, f"eth:{match[0].lower()}", "http.payment")
    for match in _TRON.finditer(text):
        if valid_tron(match[0]):
            add(NodeKind.PAYMENT, f"tron:{match[0]}", "http.payment")
    return list(found.values())


def _is_mail(mail: str) -> bool:
    return mail.rsplit(".", 1)[-1] not in _NOT_MAIL_TLDS
