"""The built-in notices: DMCA 512(c)(3), DSA Article 16, host and registrar abuse reports,
and the blocking-list export. Each registers itself like a third-party template would."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from typing import Any, ClassVar

from castwatch.catalog.notices import BlockTarget, NoticeFacts
from castwatch.catalog.spreadsheet import safe_row
from castwatch.enforce.notices.base import (
    Element,
    NoticeTemplate,
    RenderedNotice,
    register_template,
)


def _signature(facts: NoticeFacts) -> bool:
    return bool(facts.sender.name)


def _works(facts: NoticeFacts) -> bool:
    return bool(facts.works)


def _urls(facts: NoticeFacts) -> bool:
    return bool(facts.items)


def _evidence(facts: NoticeFacts) -> bool:
    return bool(facts.evidence)


def _name_and_email(facts: NoticeFacts) -> bool:
    return bool(facts.sender.name and facts.sender.email)


_SENDER_FIX = "set it under [sender] in $CASTWATCH_HOME/enforce.toml or CASTWATCH_SENDER_*"
_WORKS_FIX = (
    "no identified channel or work of the rights holder on this host: run `castwatch "
    "identify SERVICE`, and check [sender] on_behalf_of (or --holder) names the holder"
)
_URLS_FIX = "the case's services have no identified entries served from this host"
_EVIDENCE_FIX = "add evidence first: `castwatch evidence add CASE PATH`"


class _StatementsTemplate(NoticeTemplate):
    def _statement_elements(self) -> list[Element]:
        # Present in the class means present in the text: render() checks the latter.
        return [Element(name, self._has_statement(name), "restore it") for name in self.statements]

    def _has_statement(self, name: str) -> Callable[[NoticeFacts], bool]:
        return lambda _facts: name in self.statements


@register_template
class DmcaNotice(_StatementsTemplate):
    """A takedown notice with the six elements of 17 U.S.C. 512(c)(3)(A)(i)-(vi)."""

    kind = "dmca"
    title = "DMCA notice"
    template = "dmca.txt.j2"
    recipient_roles = ("dmca-agent", "host", "cdn")
    lumen_type = "DMCA"
    statements: ClassVar[dict[str, str]] = {
        "good-faith statement": (
            "I have a good faith belief that use of the material in the manner complained of "
            "is not authorized by the copyright owner, its agent, or the law."
        ),
        "accuracy and authority statement": (
            "The information in this notification is accurate, and under penalty of perjury, I "
            "am authorized to act on behalf of the owner of an exclusive right that is "
            "allegedly infringed."
        ),
    }

    def elements(self) -> list[Element]:
        return [
            Element("signature", _signature, "the signer's name; " + _SENDER_FIX),
            Element("identification of the copyrighted works", _works, _WORKS_FIX),
            Element("identification of the infringing material", _urls, _URLS_FIX),
            Element(
                "contact information",
                lambda f: bool(f.sender.email and (f.sender.address or f.sender.phone)),
                "an e-mail address and a postal address or telephone; " + _SENDER_FIX,
            ),
            Element(
                "owner of the exclusive right",
                lambda f: bool(f.sender.on_behalf_of),
                "on_behalf_of (the rights holder); " + _SENDER_FIX,
            ),
            *self._statement_elements(),
        ]


@register_template
class DsaNotice(_StatementsTemplate):
    """A notice under Article 16(2)(a)-(d) of the Digital Services Act."""

    kind = "dsa"
    title = "DSA Article 16 notice"
    template = "dsa.txt.j2"
    recipient_roles = ("host", "cdn", "dmca-agent")
    statements: ClassVar[dict[str, str]] = {
        "bona fide statement": (
            "I confirm my bona fide belief that the information and allegations contained in "
            "this notice are accurate and complete."
        ),
    }

    def elements(self) -> list[Element]:
        return [
            Element(
                "substantiated explanation",
                lambda f: bool(f.explanation) and bool(f.evidence),
                "the explanation cites the case's evidence; " + _EVIDENCE_FIX,
            ),
            Element("exact electronic location", _urls, _URLS_FIX),
            Element("name and e-mail address", _name_and_email, _SENDER_FIX),
            Element("works concerned", _works, _WORKS_FIX),
            *self._statement_elements(),
        ]


_GOOD_FAITH = {
    "good-faith statement": (
        "We believe in good faith that this use is not authorised by the rights holder, its "
        "agent or the law, and that the information in this report is accurate."
    )
}


class _AbuseReport(_StatementsTemplate):
    template = "abuse.txt.j2"
    statements: ClassVar[dict[str, str]] = _GOOD_FAITH

    def elements(self) -> list[Element]:
        return [
            Element("reporter name and e-mail address", _name_and_email, _SENDER_FIX),
            Element("works concerned", _works, _WORKS_FIX),
            Element("abusive locations", _urls, _URLS_FIX),
            Element("evidence", _evidence, _EVIDENCE_FIX),
            *self._statement_elements(),
        ]


@register_template
class HostAbuseReport(_AbuseReport):
    """An abuse report to the hosting provider or CDN that serves the streams."""

    kind = "abuse-host"
    title = "Abuse report (hosting)"
    recipient_roles = ("host", "cdn")


@register_template
class RegistrarAbuseReport(_AbuseReport):
    """An abuse report to the registrar of the domain that serves the streams."""

    kind = "abuse-registrar"
    title = "Abuse report (domain registrar)"
    recipient_roles = ("registrar",)


BLOCKLIST_COLUMNS = (
    "target", "target_type", "services", "ports", "url_patterns", "entries",
    "first_seen", "last_seen", "evidence", "case",
)  # fmt: skip


@register_template
class BlockingList(NoticeTemplate):
    """FQDNs and IPs to block, each with its evidence: CSV text and JSON (docs/enforce.md)."""

    kind = "blocklist"
    title = "Blocking list"
    template = ""
    recipient_roles = ("authority",)

    def elements(self) -> list[Element]:
        return [
            Element(
                "targets", lambda f: bool(f.block_targets),
                "the case's services have no endpoints yet: ingest them first",
            ),
            Element(
                "evidence references",
                lambda f: bool(f.block_targets) and all(t.evidence for t in f.block_targets),
                _EVIDENCE_FIX,
            ),
            Element(
                "requester", lambda f: bool(f.sender.organization or f.sender.name), _SENDER_FIX
            ),
        ]  # fmt: skip

    def subject(self, facts: NoticeFacts) -> str:
        return f"{self.title}: {len(facts.block_targets)} targets (case {facts.case_name})"

    def render(self, facts: NoticeFacts) -> RenderedNotice:
        self.check(facts)
        return RenderedNotice(self.subject(facts), blocklist_csv(facts), self.document(facts))

    def document(self, facts: NoticeFacts) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "format": "castwatch-blocklist/1",
            "case": facts.case_name,
            "generated_at": facts.drafted_at,
            "requester": facts.sender.organization or facts.sender.name,
            "on_behalf_of": facts.sender.on_behalf_of,
            "ledger_head": facts.ledger_head,
            "targets": [_target_row(t, facts.case_name) for t in facts.block_targets],
        }


def _target_row(target: BlockTarget, case: str) -> dict[str, Any]:
    return {
        "target": target.target,
        "target_type": target.target_type,
        "services": list(target.services),
        "ports": list(target.ports),
        "url_patterns": list(target.url_patterns),
        "entries": target.entries,
        "first_seen": target.first_seen,
        "last_seen": target.last_seen,
        "evidence": list(target.evidence),
        "case": case,
    }


def blocklist_csv(facts: NoticeFacts) -> str:
    """The CSV form: one row per target, lists joined by ``;``, times in UTC ISO 8601."""
    out = io.StringIO()
    # RFC 4180 CRLF: with a bare "\n" terminator, a "\r" inside a field went unquoted.
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(BLOCKLIST_COLUMNS)
    for target in facts.block_targets:
        row = _target_row(target, facts.case_name)
        # Names and URLs come from the pirate service: no cell may run as a formula.
        writer.writerow(safe_row(
            ";".join(str(v) for v in value) if isinstance(value, list)
            else value.strftime("%Y-%m-%dT%H:%M:%SZ") if hasattr(value, "strftime")
            else value
            for value in (row[column] for column in BLOCKLIST_COLUMNS)
        ))  # fmt: skip
    return out.getvalue()
