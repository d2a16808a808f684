"""What points at the ledger from outside the chain, checked against it; and the store's rest.

A chain cut at its end and re-signed is still a consistent chain: only something recorded
elsewhere shows that the cut-off entries once existed. ``castwatch evidence verify`` checks
each such anchor (docs/enforce.md, "No rollback"):

- the **head witness** ``keys/ledger-head.json``, the highest head this data directory
  signed: the chain must still hold it;
- the head each stored **notice** cites ("Ledger head: entry N, sha256:...", in its text and
  its JSON document) and each filed **dossier** cites (in its ledger description);
- the item each **case timeline** event ``evidence-added`` names (sequence number and file);
- a head given with ``--expect-head`` (read off a dossier or notice already sent).

Attribution alerts cite no ledger head today; when they do, they belong here.

And the evidence directory itself: every file must be covered by a ledger item (an *orphan*
fails: nothing vouches for it, so a swapped thumbnail would pass unseen), and the scratch
files of killed writers are removed and reported.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from castwatch.catalog.evidence import EvidenceKind, LedgerEntry
from castwatch.enforce.evidence import TEMPORARY, sweep_temporary
from castwatch.enforce.store_ledger import iter_evidence_events, iter_notice_citations
from castwatch.errors import CastwatchError, EvidenceError
from castwatch.storage.db import Store
from castwatch.storage.ledger_key import (
    load_public_key,
    public_fingerprint,
    read_witness,
    signature_valid,
    witness_message,
)

if TYPE_CHECKING:
    from castwatch.enforce.ledger_check import VerifyReport

#: How notices and dossiers cite a head: "Ledger head: entry 12, sha256:<64 hex>".
CITED_HEAD = re.compile(r"ledger head:? entry (\d+), sha256:([0-9a-f]{64})", re.IGNORECASE)
_HEX64 = re.compile(r"^[0-9a-f]{64}$")


@dataclass(slots=True)
class Chain:
    """What verification keeps of each entry while it streams the chain."""

    hashes: dict[int, str] = field(default_factory=dict)
    files: dict[int, str] = field(default_factory=dict)
    names: set[str] = field(default_factory=set)
    dossiers: list[tuple[int, str]] = field(default_factory=list)

    def add(self, entry: LedgerEntry) -> None:
        self.hashes[entry.seq] = entry.entry_hash
        self.files[entry.seq] = entry.sha256
        self.names.add(entry.stored_name)
        if entry.kind == EvidenceKind.DOSSIER.value:
            self.dossiers.append((entry.seq, entry.description))


def cite_head(seq: int, head_hash: str) -> str:
    """The one spelling of a cited head, which :data:`CITED_HEAD` reads back."""
    return f"Ledger head: entry {seq}, sha256:{head_hash}"


def normalize_head(value: str) -> str:
    """A head hash as given by a user (``sha256:`` prefix, any case), or a clear error."""
    text = value.strip().lower().removeprefix("sha256:")
    if not _HEX64.match(text):
        raise EvidenceError(
            f"--expect-head {value!r} is not a ledger head: give the 64 hex digits printed "
            "after 'Ledger head: entry N, sha256:' on the dossier or notice"
        )
    return text


def check_anchors(
    report: VerifyReport, store: Store, chain: Chain, expect_head: str | None
) -> None:
    """Check the witness, cited heads, timeline items, ``expect_head`` and the store's files."""
    _check_witness(report, store, chain)
    for citation in iter_notice_citations(store):
        label = f"notice {citation.notice_id} ({citation.kind})"
        cited = {(int(seq), head) for seq, head in CITED_HEAD.findall(citation.body_text)}
        head = citation.document_head
        if head is not None and isinstance(head.get("seq"), int) and head.get("hash"):
            cited.add((int(head["seq"]), str(head["hash"])))
        for seq, head_hash in sorted(cited):
            _check_cited(report, chain, label, seq, head_hash)
    for seq, description in chain.dossiers:
        for cited_seq, head_hash in CITED_HEAD.findall(description):
            _check_cited(report, chain, f"dossier filed as entry {seq}", int(cited_seq), head_hash)
    for case_id, event_id, data in iter_evidence_events(store):
        _check_event(report, chain, case_id, event_id, data)
    if expect_head is not None:
        wanted = normalize_head(expect_head)
        found = next((seq for seq, h in chain.hashes.items() if h == wanted), None)
        report.citations += 1
        if found is None:
            report.fail(
                "expect-head", None,
                f"the chain holds no entry with hash {wanted[:16]}... (the head you expected): "
                f"it now ends at entry {report.head_seq}; entries were removed or rewritten "
                "since that head was cited",
            )  # fmt: skip
        else:
            report.expected_head_seq = found
    _check_store(report, store, chain)


def _check_cited(report: VerifyReport, chain: Chain, label: str, seq: int, head: str) -> None:
    report.citations += 1
    held = chain.hashes.get(seq)
    if held is None:
        report.fail(
            "citation", seq,
            f"{label} cites ledger head entry {seq} (sha256:{head[:16]}...), but the chain "
            f"ends at entry {report.head_seq}: entries were removed after it was written",
        )  # fmt: skip
    elif held != head:
        report.fail(
            "citation", seq,
            f"{label} cites ledger head entry {seq} as sha256:{head[:16]}..., but the chain's "
            f"entry {seq} is {held[:16]}...: the chain was rewritten after it was written",
        )  # fmt: skip


def _check_event(
    report: VerifyReport, chain: Chain, case_id: int, event_id: int, data: dict[str, object]
) -> None:
    seq, sha256 = data.get("seq"), data.get("sha256")
    if not isinstance(seq, int) or not isinstance(sha256, str):
        return
    report.citations += 1
    label = f"case {case_id}'s timeline (event {event_id})"
    held = chain.files.get(seq)
    if held is None:
        report.fail(
            "citation", seq,
            f"{label} records item {seq} (sha256:{sha256[:16]}...), but the ledger has no "
            f"entry {seq}: entries were removed",
        )  # fmt: skip
    elif held != sha256:
        report.fail(
            "citation", seq,
            f"{label} records item {seq} as sha256:{sha256[:16]}..., but entry {seq} holds "
            f"{held[:16]}...: entries were moved or rewritten",
        )  # fmt: skip


def _check_witness(report: VerifyReport, store: Store, chain: Chain) -> None:
    keys_dir = store.settings.keys_dir
    try:
        witness = read_witness(keys_dir)
        public_key = load_public_key(keys_dir)
    except CastwatchError as exc:
        report.fail("witness", None, str(exc))
        return
    if witness is None:
        return  # a data directory from before the witness, or an empty ledger
    report.citations += 1
    label = f"the head witness ({keys_dir / 'ledger-head.json'})"
    if public_key is not None and (
        witness.key_fingerprint != public_fingerprint(public_key)
        or not signature_valid(public_key, witness.signature, witness_message(witness))
    ):
        report.fail(
            "witness", witness.seq,
            f"{label} does not verify with the signing key: the key or the witness was replaced",
        )  # fmt: skip
    held = chain.hashes.get(witness.seq)
    if witness.seq and held is None:
        report.fail(
            "witness", witness.seq,
            f"{label} records that entry {witness.seq} (sha256:{witness.head_hash[:16]}...) "
            f"was signed here, but the chain ends at entry {report.head_seq}: entries were "
            "removed from its end (a rollback)",
        )  # fmt: skip
    elif witness.seq and held != witness.head_hash:
        report.fail(
            "witness", witness.seq,
            f"{label} records entry {witness.seq} as sha256:{witness.head_hash[:16]}..., but "
            f"the chain's entry {witness.seq} is {(held or '')[:16]}...: the chain was rewritten",
        )  # fmt: skip


def _check_store(report: VerifyReport, store: Store, chain: Chain) -> None:
    directory = store.settings.evidence_dir
    report.stale_removed = [name for name, _ in sweep_temporary(directory)]
    if not directory.is_dir():
        return
    # scandir's entries carry the file type from the directory listing: no stat per file,
    # which matters for 100,000 items.
    with os.scandir(directory) as listing:
        odd = sorted(
            (item.name, item.is_dir(follow_symlinks=False), item.is_symlink())
            for item in listing
            if item.name not in chain.names or not item.is_file(follow_symlinks=False)
        )
    for name, is_dir, is_link in odd:
        if TEMPORARY.match(name):
            continue  # a writer still at work (the sweep removed the dead ones)
        report.orphans += 1
        what = "a directory" if is_dir else "a link" if is_link else "a file"
        report.fail(
            "orphan", None,
            f"{name}: {what} in {directory} that no ledger item covers (added outside "
            "castwatch, or left by an append that failed); nothing vouches for it",
        )  # fmt: skip
