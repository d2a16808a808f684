"""Every error castwatch raises on purpose, and what the user can do about it.

The tree::

    CastwatchError                 anything castwatch raises on purpose
    ├── ConfigError                bad --home / --db / environment settings
    ├── SourceError                a service could not be read (always names the URL, redacted)
    │   ├── FetchError             the transport failed
    │   │   ├── SourceTimeout      no answer within the timeout
    │   │   ├── ResponseTooLarge   the body passed the size cap (enormous or endless)
    │   │   ├── TruncatedResponse  the connection closed before the body was complete
    │   │   ├── RedirectLoop       too many redirects
    │   │   └── HttpStatusError    a 4xx/5xx status that retries did not cure
    │   ├── AuthenticationError    the server refused the credentials or the MAC
    │   │   └── AccountBanned      the account exists but is banned, disabled or expired
    │   ├── ProtocolError          the body is not what the protocol promises (bad JSON, shape)
    │   └── UnrecognizedSource     auto-detection found no M3U, Xtream or Stalker service
    ├── StorageError               the database could not do what was asked
    │   └── NotFound               no such service or snapshot
    ├── RegistryError              reference data (iptv-org tables, rights-holder file, works
    │                              file) is missing or malformed (names the file and field)
    ├── FingerprintError           verification could not fingerprint or match
    │   ├── MediaError             media could not be read (names the file or URL)
    │   │   ├── CorruptMedia       not media, or undecodable (garbage, truncated, hostile)
    │   │   ├── NoMediaStream      no video (or audio) stream where one was asked for
    │   │   ├── MediaTooShort      too little decodable media to fingerprint or compare
    │   │   └── EncryptedMedia     encrypted segments (DRM, AES): never circumvented
    │   ├── FingerprintFormatError stored fingerprint or index bytes are malformed
    │   └── UnknownFingerprinter   no fingerprinter registered under that name
    ├── EnforcementError           a case, evidence or notice operation was refused or failed
    │   ├── IllegalTransition      a case status change the workflow does not allow
    │   ├── EvidenceError          an evidence file cannot be read, stored or signed
    │   ├── NoticeIncomplete       a notice lacks a legally required element (names it)
    │   └── DeliveryError          a notice could not be sent (it stays queued for a retry)
    └── AttributionError           infrastructure facts could not be collected or used
        ├── CollectorError         one collector failed on one target (names both)
        └── LookupTableError       an offline IP table (ip2asn TSV, MaxMind mmdb) is unusable

Messages say what went wrong and what to try; URLs in them never carry credentials.
"""

from __future__ import annotations


class CastwatchError(Exception):
    """Base of every error castwatch raises on purpose."""


class ConfigError(CastwatchError):
    """A setting (data directory, database URL, environment) is unusable."""


class SourceError(CastwatchError):
    """A service could not be read. ``url`` is the redacted URL that failed."""

    def __init__(self, message: str, url: str | None = None) -> None:
        self.url = url
        super().__init__(f"{message} ({url})" if url else message)


class FetchError(SourceError):
    """The transport failed: connection refused, reset, DNS, TLS."""


class SourceTimeout(FetchError):
    """The server did not answer within the timeout."""


class ResponseTooLarge(FetchError):
    """The response body passed the size cap (``--max-bytes``)."""


class TruncatedResponse(FetchError):
    """The connection closed before the announced body was complete."""


class RedirectLoop(FetchError):
    """The server redirected more times than allowed."""


class HttpStatusError(FetchError):
    """The server answered with an error status that retries did not cure."""

    def __init__(self, message: str, url: str | None = None, status: int = 0) -> None:
        self.status = status
        super().__init__(message, url)


class AuthenticationError(SourceError):
    """The server refused the credentials (Xtream) or the MAC address (Stalker)."""


class AccountBanned(AuthenticationError):
    """The account is known to the server but banned, disabled or expired."""


class ProtocolError(SourceError):
    """The body is not what the protocol promises: invalid JSON, wrong shape, wrong type."""


class UnrecognizedSource(SourceError):
    """Auto-detection found neither an M3U playlist, an Xtream API nor a Stalker portal."""


class StorageError(CastwatchError):
    """The database could not do what was asked."""


class NotFound(StorageError):
    """No service or snapshot answers to the name or number given."""


class RegistryError(CastwatchError):
    """Reference data is missing or malformed: names the file, and the column or field."""


class FingerprintError(CastwatchError):
    """Verification could not fingerprint or match what it was given."""


class MediaError(FingerprintError):
    """Media could not be read or fingerprinted. ``source`` names the file or redacted URL."""

    def __init__(self, message: str, source: str | None = None) -> None:
        self.source = source
        super().__init__(f"{message} ({source})" if source else message)


class CorruptMedia(MediaError):
    """The bytes are not media FFmpeg can decode: garbage, truncated or hostile input."""


class NoMediaStream(MediaError):
    """The media has no stream of the kind asked for (no video, or no audio)."""


class MediaTooShort(MediaError):
    """Too little decodable media to fingerprint or compare; capture a longer probe."""


class EncryptedMedia(MediaError):
    """Encrypted segments (DRM or AES-128): castwatch never circumvents access control."""


class FingerprintFormatError(FingerprintError):
    """Stored fingerprint or index bytes are malformed, truncated or of another version."""


class UnknownFingerprinter(FingerprintError):
    """No fingerprinter is registered under the name asked for."""


class EnforcementError(CastwatchError):
    """A case, evidence or notice operation was refused or could not be completed."""


class IllegalTransition(EnforcementError):
    """The case workflow does not allow this status change; the message lists the legal ones."""


class EvidenceError(EnforcementError):
    """An evidence file could not be read, stored, hashed or signed (names the file)."""


class NoticeIncomplete(EnforcementError):
    """A notice lacks a required element. ``element`` names it, as the statute does."""

    def __init__(self, message: str, element: str) -> None:
        self.element = element
        super().__init__(message)


class DeliveryError(EnforcementError):
    """Sending a notice failed; it stays queued with the attempt and the error recorded."""


class AttributionError(CastwatchError):
    """Infrastructure facts (DNS, TLS, web pages, IP tables) could not be collected or used."""


class CollectorError(AttributionError):
    """One collector failed on one target; ``collector`` and ``target`` name both.

    :func:`castwatch.attribute.collectors.collect` never lets this escape: it becomes an
    observation of kind ``<collector>.error`` so the other collectors' results survive.
    """

    def __init__(self, message: str, collector: str, target: str) -> None:
        self.collector = collector
        self.target = target
        super().__init__(f"{collector}: {message} ({target})")


class LookupTableError(AttributionError):
    """An offline IP table is missing or malformed: names the file, and the line or field."""
