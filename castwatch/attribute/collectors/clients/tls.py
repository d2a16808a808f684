"""TLS handshakes that record whatever certificate a server presents, and its parsed fields.

Verification is off on purpose: pirate sites serve expired, self-signed and mismatched
certificates, and each of those is still evidence (a shared self-signed certificate links
its hosts as well as a CA-issued one does).
"""

from __future__ import annotations

import asyncio
import hashlib
from dataclasses import dataclass
from datetime import UTC, datetime

from cryptography import x509
from cryptography.x509.oid import NameOID

from castwatch.errors import CollectorError
from castwatch.net.client import insecure_context


@dataclass(frozen=True, slots=True)
class CertificateFacts:
    """What a certificate says, plus its SHA-256 fingerprint (of the DER bytes)."""

    sha256: str
    subject: str
    subject_cn: str | None
    subject_org: str | None
    issuer: str
    issuer_org: str | None
    sans: tuple[str, ...]
    not_before: datetime
    not_after: datetime
    serial: str
    self_signed: bool


async def peer_certificate(
    address: str, port: int, server_name: str | None, timeout: float
) -> bytes:
    """The DER certificate ``address:port`` presents for SNI ``server_name``."""
    where = f"{server_name or address} via {address}:{port}"
    try:
        async with asyncio.timeout(timeout):
            reader, writer = await asyncio.open_connection(
                address, port, ssl=insecure_context(), server_hostname=server_name or None
            )
    except TimeoutError:
        raise CollectorError(f"no TLS handshake within {timeout:g} s", "tls", where) from None
    except OSError as exc:  # ssl.SSLError is an OSError too
        raise CollectorError(f"TLS connection failed: {exc}", "tls", where) from None
    try:
        ssl_object = writer.get_extra_info("ssl_object")
        der = ssl_object.getpeercert(binary_form=True) if ssl_object is not None else None
    finally:
        writer.close()
        try:
            async with asyncio.timeout(timeout):
                await writer.wait_closed()
        except (OSError, TimeoutError):
            pass  # the certificate is in hand; a messy close changes nothing
        del reader
    if not der:
        raise CollectorError("the server presented no certificate", "tls", where)
    return bytes(der)


def parse_certificate(der: bytes) -> CertificateFacts:
    """The fields attribution uses; a certificate cryptography cannot read raises."""
    try:
        cert = x509.load_der_x509_certificate(der)
    except ValueError as exc:
        raise CollectorError(f"unreadable certificate: {exc}", "tls", "certificate") from None
    try:
        san_ext = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName)
    except (x509.ExtensionNotFound, ValueError):
        sans: tuple[str, ...] = ()
        ips: tuple[str, ...] = ()
    else:
        sans = tuple(
            name.lower().rstrip(".") for name in san_ext.value.get_values_for_type(x509.DNSName)
        )
        ips = tuple(str(ip) for ip in san_ext.value.get_values_for_type(x509.IPAddress))
    return CertificateFacts(
        sha256=hashlib.sha256(der).hexdigest(),
        subject=cert.subject.rfc4514_string(),
        subject_cn=_first(cert.subject, NameOID.COMMON_NAME),
        subject_org=_first(cert.subject, NameOID.ORGANIZATION_NAME),
        issuer=cert.issuer.rfc4514_string(),
        issuer_org=_first(cert.issuer, NameOID.ORGANIZATION_NAME),
        sans=tuple(dict.fromkeys(sans + ips)),
        not_before=cert.not_valid_before_utc.astimezone(UTC),
        not_after=cert.not_valid_after_utc.astimezone(UTC),
        serial=format(cert.serial_number, "x"),
        self_signed=cert.issuer == cert.subject,
    )


def _first(name: x509.Name, oid: x509.ObjectIdentifier) -> str | None:
    values = name.get_attributes_for_oid(oid)
    if not values:
        return None
    value = values[0].value
    return value if isinstance(value, str) else value.decode("utf-8", "replace")
