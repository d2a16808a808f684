"""Draft notices for a case from what castwatch has stored about its services.

The works are the channels and titles identification found in each service's latest
snapshot *and* that belong to the rights holder the sender acts for (``on_behalf_of`` or
``--holder``): a notice never asserts works the sender has no authority over. The locations
are those entries' URLs, grouped by host; one notice per host (the recipient differs), one
blocking list per case. The recipient is the stored contact of the host (or its parent
domain) in the roles the template names; when none is stored the notice says so.
"""

from __future__ import annotations

import ipaddress
from collections import defaultdict
from dataclasses import replace
from datetime import UTC, datetime
from urllib.parse import urlsplit

from castwatch.catalog.notices import (
    BlockTarget,
    EvidenceRef,
    InfringingItem,
    Notice,
    NoticeFacts,
    Party,
    Recipient,
    WorkRef,
)
from castwatch.enforce.notices.base import NoticeTemplate, get_template
from castwatch.enforce.settings import EnforceSettings
from castwatch.enforce.store import find_contact, load_case
from castwatch.enforce.store_ledger import iter_entries, read_head
from castwatch.enforce.store_notices import (
    EndpointSeen,
    IdentifiedEntry,
    NewNotice,
    endpoints_seen,
    identified_entries,
    save_notices,
    titles,
)
from castwatch.errors import EnforcementError
from castwatch.identify.impact import rights_impact
from castwatch.storage.db import Store
from castwatch.storage.ledger_key import load_public_key, public_fingerprint

MIN_CONFIDENCE = 0.5
_EVIDENCE_CITED = 50


def draft_notices(
    store: Store,
    case_ref: str,
    kind: str,
    settings: EnforceSettings,
    host: str | None = None,
    holder: str | None = None,
    max_urls: int = 500,
    recipient_email: str | None = None,
) -> list[Notice]:
    """Render and store the notices of ``kind`` for the case; all or none are stored."""
    template = get_template(kind)
    case = load_case(store, case_ref, with_events=False)
    if not case.services:
        raise EnforcementError(f"case {case.name!r} has no service; add one with --service")
    sender = settings.sender
    if holder:
        sender = Party(**{**_party_fields(sender), "on_behalf_of": holder})
    evidence = [
        EvidenceRef(e.seq, e.sha256, e.kind, e.description or e.stored_name)
        for e in iter_entries(store, case.id)
    ][-_EVIDENCE_CITED:]
    base = NoticeFacts(
        case_id=case.id, case_name=case.name, kind=kind, sender=sender,
        recipient=Recipient(host="-", role=template.recipient_roles[0]),
        drafted_at=datetime.now(UTC), evidence=evidence,
        jurisdictions=[sender.country] if sender.country else [],
        ledger_head=_ledger_head(store),
    )  # fmt: skip
    if kind == "blocklist":
        base.block_targets = _block_targets(store, case.services, evidence)
        if recipient_email:
            base.recipient = Recipient("-", "authority", None, recipient_email, "command line")
        rendered = template.render(base)
        new = [NewNotice(kind, "-", recipient_email, rendered.subject, rendered.text,
                         rendered.document)]  # fmt: skip
        return save_notices(store, str(case.id), new)
    owned = _owned_works(store, case.services, sender.on_behalf_of)
    entries = [
        e for e in identified_entries(store, case.services, MIN_CONFIDENCE)
        if (e.target_kind, e.target_id) in owned
    ]  # fmt: skip
    by_host: dict[str, list[IdentifiedEntry]] = defaultdict(list)
    for entry in entries:
        entry_host = (urlsplit(entry.url).hostname or "").lower()
        if entry_host and (host is None or entry_host == host.lower()):
            by_host[entry_host].append(entry)
    if host and not by_host:
        by_host[host.lower()] = []
    if not by_host:
        by_host["-"] = []
    names = titles(store, {(e.target_kind, e.target_id) for e in entries})
    drafts = []
    for target_host, found in sorted(by_host.items()):
        facts = _facts_for_host(store, template, base, target_host, found, names, max_urls)
        if recipient_email:
            facts.recipient = Recipient(target_host, facts.recipient.role, None,
                                        recipient_email, "command line")  # fmt: skip
        rendered = template.render(facts)
        drafts.append(NewNotice(kind, target_host, facts.recipient.email, rendered.subject,
                                rendered.text, rendered.document))  # fmt: skip
    return save_notices(store, str(case.id), drafts)


def _party_fields(party: Party) -> dict[str, str | None]:
    return {name: getattr(party, name) for name in Party.__dataclass_fields__}


def _ledger_head(store: Store) -> dict[str, object] | None:
    head = read_head(store)
    public_key = load_public_key(store.settings.keys_dir)
    if head is None or head[0] == 0:
        return None
    fingerprint = public_fingerprint(public_key) if public_key is not None else None
    return {"seq": head[0], "hash": head[1], "key_fingerprint": fingerprint}


def _owned_works(store: Store, services: list[str], holder: str | None) -> set[tuple[str, str]]:
    if not holder:
        return set()
    owned: set[tuple[str, str]] = set()
    for service in services:
        try:
            report = rights_impact(store, service, holder=holder)
        except EnforcementError:
            continue
        for impact in report.holders:
            owned |= {("channel", c) for c in impact.channels}
            owned |= {("work", w) for w in impact.works}
    return owned


def _facts_for_host(
    store: Store,
    template: NoticeTemplate,
    base: NoticeFacts,
    host: str,
    found: list[IdentifiedEntry],
    names: dict[tuple[str, str], str],
    max_urls: int,
) -> NoticeFacts:
    with store.session() as session:
        contact = None if host == "-" else find_contact(session, host, template.recipient_roles)
    recipient = (
        Recipient(host, contact.role, contact.name, contact.email, contact.source)
        if contact is not None
        else Recipient(host, template.recipient_roles[0])
    )
    seen: set[str] = set()
    items = []
    for entry in found:
        if entry.url not in seen:
            seen.add(entry.url)
            items.append(InfringingItem(entry.url, host, entry.name, entry.target_id))
    holder = base.sender.on_behalf_of
    works = sorted(
        {WorkRef(e.target_kind, e.target_id, names[e.target_kind, e.target_id], holder)
         for e in found},
        key=lambda w: (w.kind, w.title),
    )  # fmt: skip
    return replace(
        base, recipient=recipient, works=works, items=items[:max_urls],
        omitted_items=max(0, len(items) - max_urls),
        explanation=_explanation(found, works, base) if found else None,
    )  # fmt: skip


def _explanation(found: list[IdentifiedEntry], works: list[WorkRef], base: NoticeFacts) -> str:
    services = sorted({e.service for e in found})
    snapshots = sorted({e.snapshot_id for e in found})
    return (
        f"The {len({e.url for e in found})} locations below are streams of an unlicensed IPTV "
        f"service ({', '.join(services)}), catalogued by castwatch in snapshot(s) "
        f"{', '.join(map(str, snapshots))}. Each was identified as one of {len(works)} works "
        f"whose rights belong to {base.sender.on_behalf_of}, which has not licensed this "
        f"service. The {len(base.evidence)} evidence items cited below are recorded in a "
        "hash-chained, signed evidence ledger and are available on request."
    )


def _block_targets(
    store: Store, services: list[str], evidence: list[EvidenceRef]
) -> list[BlockTarget]:
    refs = tuple(f"{e.seq}:{e.sha256}" for e in evidence)
    grouped: dict[str, list[EndpointSeen]] = {}
    for seen in endpoints_seen(store, services):
        grouped.setdefault(seen.host, []).append(seen)
    targets = []
    for target, endpoints in sorted(grouped.items()):
        targets.append(
            BlockTarget(
                target=target,
                target_type=_target_type(target),
                services=tuple(sorted({e.service for e in endpoints})),
                ports=tuple(sorted({e.port for e in endpoints if e.port})),
                url_patterns=tuple(sorted({e.path_pattern for e in endpoints})),
                entries=sum(e.entries for e in endpoints),
                first_seen=min(e.first_seen for e in endpoints),
                last_seen=max(e.last_seen for e in endpoints),
                evidence=refs,
            )
        )
    return targets


def _target_type(host: str) -> str:
    try:
        address = ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return "fqdn"
    return f"ipv{address.version}"
