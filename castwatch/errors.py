"""Every error castwatch raises on purpose, and what the user can do about it.

The tree::

    CastwatchError                 anything castwatch raises on purpose
    ├── ConfigError                bad --home / --db / environment settings
    │   ├── UnknownPlugin          no source, fingerprinter, notice kind, collector or export
    │   │                          format of that name (lists the registered ones)
    │   ├── DuplicatePlugin        two classes claim one name in one registry (names both)
    │   └── PluginLoadError        an outside plugin (``castwatch.plugins`` entry point) failed
    ├── SourceError                a service could not be read (always names the URL, redacted)
    │   ├── FetchError             the transport failed
    │   │   ├── SourceTimeout      no answer within the timeout
    │   │   ├── ResponseTooLarge   the body passed the size cap (enormous or endless)
    │   │   ├── TruncatedResponse  the connection closed before the body was complete
    │   │   ├── RedirectLoop       too many redirects
    │   │   ├── BlockedByPolicy    a URL from data pointed at a private address (network policy)
    │   │   └── HttpStatusError    a 4xx/5xx status that retries did not cure
    │   ├── AuthenticationError    the server refused the credentials or the MAC
    │   │   └── AccountBanned      the account exists but is banned, disabled or expired
    │   ├── ProtocolError          the body is not what the protocol promises (bad JSON, shape)
    │   │   └── TooManyBadRows     more rows of one list unreadable than the error budget allows
    │   └── UnrecognizedSource     auto-detection found no M3U, Xtream or Stalker service
    ├── StorageError               the database could not do what was asked
    │   ├── NotFound               no such service or snapshot
    │   │   └── NoReferences       nothing to verify against: no reference is stored
    │   └── DatabaseLocked         another writer held the database past the busy timeout
    ├── RegistryError              reference data (iptv-org tables, rights-holder file, works
    │                              file) is missing or malformed (names the file and field)
    ├── FingerprintError           verification could not fingerprint or match
    │   ├── MediaError             media could not be read (names the file or URL)
    │   │   ├── CorruptMedia       not media, or undecodable (garbage, truncated, hostile)
    │   │   ├── NoMediaStream      no video (or audio) stream where one was asked for
    │   │   ├── MediaTooShort      too little decodable media to fingerprint or compare
    │   │   └── EncryptedMedia     encrypted segments (DRM, AES): never circumvented
    │   └── FingerprintFormatError stored fingerprint or index bytes are malformed
    ├── EnforcementError           a case, evidence or notice operation was refused or failed
    │   ├── IllegalTransition      a case status change the workflow does not allow
    │   ├── EvidenceError          an evidence file cannot be read, stored or signed
    │   ├── NoticeIncomplete       a notice lacks a legally required element (names it)
    │   └── DeliveryError          a notice could not be sent (it stays queued for a retry)
    └── AttributionError           infrastructure facts could not be collected or used
        ├── CollectorError         one collector failed on one target (names both)
        └── LookupTableError       an offline IP table (ip2asn TSV, MaxMind mmdb) is unusable

Messages say what went wrong and what to try; URLs in them never carry credentials: the
errors that name a URL (:class:`SourceError`, :class:`MediaError`, :class:`CollectorError`)
redact it, and every URL and secret-shaped value in their message, themselves
(``catalog.credentials.redact_text``), so a caller that forgot to cannot leak an account, a
token or a signature.
"""

from __future__ import annotations


def _redacted(text: str) -> str:
    """``text`` with every URL and every secret of a known shape in it redacted.

    The rules live with the credential shapes (:func:`castwatch.catalog.credentials.redact_text`);
    the import waits for a call because the catalog imports this module.
    """
    from castwatch.catalog.credentials import redact_text as redact

    return redact(text)


class CastwatchError(Exception):
    """Base of every error castwatch raises on purpose."""


class ConfigError(CastwatchError):
    """A setting (data directory, database URL, environment) is unusable."""


class UnknownPlugin(ConfigError):
    """No implementation of an extension point is registered under the name asked for.

    ``what`` names the extension point ("source kind", "export format"), ``name`` what was
    asked, ``known`` every registered name (built-ins and installed plugins).
    """

    def __init__(self, what: str, name: str, known: list[str]) -> None:
        self.what, self.name, self.known = what, name, known
        choices = ", ".join(known) if known else "none is registered"
        super().__init__(f"unknown {what} {name!r}; one of: {choices}")


class DuplicatePlugin(ConfigError):
    """A second class claims a name another class holds in the same registry (names both)."""

    def __init__(self, what: str, name: str, holder: str, claimant: str) -> None:
        self.what, self.name = what, name
        super().__init__(
            f"two classes claim the {what} {name!r}: {holder} and {claimant}; "
            "rename one, or uninstall the plugin package that brings the other"
        )


class PluginLoadError(ConfigError):
    """An outside plugin named in the ``castwatch.plugins`` entry-point group failed to import."""


class SourceError(CastwatchError):
    """A service could not be read. ``url`` is the redacted URL that failed."""

    def __init__(self, message: str, url: str | None = None) -> None:
        self.url = _redacted(url) if url else url
        message = _redacted(message)
        super().__init__(f"{message} ({self.url})" if self.url else message)


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


class BlockedByPolicy(FetchError):
    """A URL that came from data (an entry, a redirect, a segment) points at a private address.

    Loopback, private, link-local, multicast and unspecified addresses are reached only on the
    host the user named for the service, or when private networks are allowed
    (``--allow-private-networks``, ``CASTWATCH_ALLOW_PRIVATE_NETWORKS=1``). Never retried.
    """


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


class TooManyBadRows(ProtocolError):
    """More rows of one list could not be read than ``--max-bad-rows`` allows.

    Single bad rows are skipped and counted in the snapshot's warnings; past the budget the
    read fails so that a panel answering mostly garbage is not stored as a tiny inventory.
    """


class UnrecognizedSource(SourceError):
    """Auto-detection found neither an M3U playlist, an Xtream API nor a Stalker portal."""


class StorageError(CastwatchError):
    """The database could not do what was asked."""


class NotFound(StorageError):
    """No service or snapshot answers to the name or number given."""


class NoReferences(NotFound):
    """A stream was to be verified while no reference is stored (``castwatch ref add``)."""


class DatabaseLocked(StorageError):
    """Another process held the database's write lock for longer than the busy timeout.

    Nothing of this command was stored; the message names the other castwatch processes
    using the database and their work when they are known, and what to do.
    """


class RegistryError(CastwatchError):
    """Reference data is missing or malformed: names the file, and the column or field."""


class FingerprintError(CastwatchError):
    """Verification could not fingerprint or match what it was given."""


class MediaError(FingerprintError):
    """Media could not be read or fingerprinted. ``source`` names the file or redacted URL."""

    def __init__(self, message: str, source: str | None = None) -> None:
        self.source = _redacted(source) if source else source
        message = _redacted(message)
        super().__init__(f"{message} ({self.source})" if self.source else message)


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
        self.target = _redacted(target)
        super().__init__(f"{collector}: {_redacted(message)} ({self.target})")


class LookupTableError(AttributionError):
    """An offline IP table is missing or malformed: names the file, and the line or field."""


class AccessError(CastwatchError):
    """Accounts of the coalition server: a login, a token or a role that does not allow it."""


class InvalidLogin(AccessError):
    """Wrong email or password, or an unknown, expired or revoked token (never says which)."""


class LoginThrottled(AccessError):
    """Too many failed logins for one account in the throttle window."""
