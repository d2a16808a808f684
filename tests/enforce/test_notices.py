"""Notices: every template's required elements, recipients, Lumen JSON, blocking lists."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest

from castwatch.enforce.notices import get_template, template_kinds
from castwatch.enforce.notices.base import NoticeTemplate
from castwatch.enforce.notices.draft import draft_notices
from castwatch.enforce.settings import load_enforce_settings
from castwatch.enforce.store import set_contact
from castwatch.errors import NoticeIncomplete
from castwatch.storage.db import Store
from tests.enforce.notice_contract import NoticeTemplateContract, complete_facts
from tests.enforce.notice_fixtures import HOLDER, prepare_case, write_settings


def _drafted(store: Store, kind: str, evidence: Path | None = None) -> list[object]:
    write_settings(store.settings.home)
    case = prepare_case(store, evidence)
    return list(draft_notices(store, case, kind, load_enforce_settings(store.settings.home)))


def test_dmca_has_all_six_elements_and_only_the_holders_works(
    store: Store, evidence_files: list[Path]
) -> None:
    set_contact(store, "panel.test", "host", "abuse@host.example", "Host Ltd", "whois")
    (notice,) = _drafted(store, "dmca", evidence_files[0])
    text = notice.text  # type: ignore[attr-defined]
    assert "To: Host Ltd <abuse@host.example>" in text
    assert "Film 0 (2020)" in text and "Film 2 (2020)" in text
    assert "Not ours" not in text  # another holder's work is never asserted
    assert "http://panel.test:8080/live/{username}/{password}/0.ts" in text
    assert "E-mail: antipiracy@rights.example" in text
    assert "good faith belief" in text and "under penalty of perjury" in text
    assert "Signature: /s/ Jane Doe" in text
    assert "sha256:" in text and "Ed25519 key fingerprint" in text
    lumen = notice.document["lumen"]  # type: ignore[attr-defined]
    assert lumen["type"] == "DMCA"
    roles = {r["name"]: r["entity_attributes"] for r in lumen["entity_notice_roles_attributes"]}
    assert roles["recipient"]["name"] == "Host Ltd"
    assert roles["principal"]["name"] == HOLDER
    urls = [u["url"] for w in lumen["works_attributes"] for u in w["infringing_urls_attributes"]]
    assert len(urls) == 6 and lumen["jurisdiction_list"] == "FR"


def test_unknown_recipient_is_said_not_guessed(store: Store) -> None:
    (notice,) = _drafted(store, "dmca")
    assert "RECIPIENT UNKNOWN" in notice.text  # type: ignore[attr-defined]
    assert notice.recipient_email is None  # type: ignore[attr-defined]
    assert (
        notice.document["lumen"]["entity_notice_roles_attributes"][0]["entity_attributes"][  # type: ignore[attr-defined]
            "name"
        ]
        == "unknown provider of panel.test"
    )


def test_parent_domain_registrar_contact_applies(store: Store, evidence_files: list[Path]) -> None:
    from castwatch.enforce.store import find_contact

    set_contact(store, "panel.test", "registrar", "abuse@registrar.example", "Reg Inc", "rdap")
    set_contact(store, "test", "registrar", "tld@registry.example", None, "a TLD is no parent")
    (notice,) = _drafted(store, "abuse-registrar", evidence_files[0])
    assert notice.recipient_email == "abuse@registrar.example"  # type: ignore[attr-defined]
    assert "registered through you" in notice.text  # type: ignore[attr-defined]
    with store.session() as session:
        found = find_contact(session, "cdn7.edge.panel.test", ("registrar",))
        assert found is not None and found.email == "abuse@registrar.example"
        assert find_contact(session, "other.test", ("registrar",)) is None


def test_dsa_needs_evidence_for_its_explanation(store: Store, evidence_files: list[Path]) -> None:
    with pytest.raises(NoticeIncomplete, match="substantiated explanation") as refused:
        _drafted(store, "dsa")
    assert refused.value.element == "substantiated explanation"
    from castwatch.enforce.ledger import add_file

    add_file(store, "op-falcon", evidence_files[0])
    (notice,) = draft_notices(store, "op-falcon", "dsa", load_enforce_settings(store.settings.home))
    assert "bona fide belief" in notice.text
    assert "6 locations below" in notice.text


def test_blocklist_csv_and_json(store: Store, evidence_files: list[Path]) -> None:
    (notice,) = _drafted(store, "blocklist", evidence_files[0])
    rows = list(csv.DictReader(io.StringIO(notice.text)))  # type: ignore[attr-defined]
    assert [r["target"] for r in rows] == ["panel.test"]
    assert rows[0]["target_type"] == "fqdn" and rows[0]["ports"] == "8080"
    assert rows[0]["services"] == "panel-one" and rows[0]["evidence"].startswith("1:")
    document = notice.document  # type: ignore[attr-defined]
    assert document["format"] == "castwatch-blocklist/1"
    assert document["targets"][0]["entries"] == 20


def test_blocklist_without_evidence_is_refused(store: Store) -> None:
    with pytest.raises(NoticeIncomplete, match="evidence references"):
        _drafted(store, "blocklist")


class TestBuiltinTemplates(NoticeTemplateContract):
    """The shared contract over every registered template, each of its required elements."""

    @pytest.fixture(params=template_kinds())
    def kind(self, request: pytest.FixtureRequest) -> str:
        kind: str = request.param
        return kind


@pytest.mark.parametrize("kind", template_kinds())
def test_a_statement_element_checks_the_class_statements(kind: str) -> None:
    template: NoticeTemplate = get_template(kind)
    for element in template.elements():
        if element.name not in template.statements:
            continue
        broken = type("Broken", (type(template),), {"statements": {}})()
        assert element.present(complete_facts(kind))
        assert not type(template)._has_statement(broken, element.name)(complete_facts(kind))  # type: ignore[attr-defined]
