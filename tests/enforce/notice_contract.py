"""The battery every notice template inherits (like ``tests/fingerprint/contract.py``).

Subclass :class:`NoticeTemplateContract` and give it a ``kind`` fixture naming the
registered template (parametrize it to cover several)::

    class TestMyNotice(NoticeTemplateContract):
        @pytest.fixture
        def kind(self) -> str:
            return "my-notice"

Every test below then runs against it: complete facts render, with each required
statement in the text, and facts lacking an element are refused naming it.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from castwatch.catalog.notices import (
    BlockTarget,
    EvidenceRef,
    InfringingItem,
    NoticeFacts,
    Party,
    Recipient,
    WorkRef,
)
from castwatch.enforce.notices import get_template, template_kinds
from castwatch.enforce.notices.base import NoticeTemplate
from castwatch.errors import NoticeIncomplete

#: The holder the facts speak for (the one tests/enforce/notice_fixtures.py seeds).
HOLDER = "Groupe CANAL+"

#: What each field of the facts is when castwatch has nothing for it.
BLANKS: dict[str, object] = {
    "sender": Party(), "works": [], "items": [], "evidence": [], "block_targets": [],
    "explanation": None,
}  # fmt: skip


def complete_facts(kind: str) -> NoticeFacts:
    """Facts with every element any notice asks for."""
    now = datetime.now(UTC)
    return NoticeFacts(
        case_id=1, case_name="c", kind=kind,
        sender=Party("Jane", "j@x.example", "Org", "1 Street", "+1", HOLDER, "US"),
        recipient=Recipient("h.example", "host", "Host", "abuse@h.example", "test"),
        drafted_at=now, works=[WorkRef("work", "tt1", "Film", HOLDER)],
        items=[InfringingItem("http://h.example/1.ts", "h.example", "Film", "tt1")],
        evidence=[EvidenceRef(1, "ab" * 32, "file", "capture")],
        block_targets=[BlockTarget("h.example", "fqdn", ("s",), (80,), ("/{id}.ts",), 1, now,
                                   now, ("1:" + "ab" * 32,))],
        explanation="because",
    )  # fmt: skip


class NoticeTemplateContract:
    """Checks that hold for every notice template; needs a ``kind`` fixture."""

    @pytest.fixture
    def template(self, kind: str) -> NoticeTemplate:
        return get_template(kind)

    def test_is_registered_under_its_kind(self, kind: str, template: NoticeTemplate) -> None:
        assert kind in template_kinds()
        assert template.kind == kind
        assert template.title and template.recipient_roles

    def test_complete_facts_render_with_every_statement(
        self, kind: str, template: NoticeTemplate
    ) -> None:
        rendered = template.render(complete_facts(kind))
        assert rendered.text and rendered.subject
        assert rendered.document["kind"] == kind
        for statement in template.statements.values():
            assert statement in rendered.text

    def test_a_missing_element_is_refused_naming_it(
        self, kind: str, template: NoticeTemplate
    ) -> None:
        for element in template.elements():
            for field_name, blank in BLANKS.items():
                facts = complete_facts(kind)
                setattr(facts, field_name, blank)
                if not element.present(facts):
                    with pytest.raises(NoticeIncomplete) as refused:
                        template.render(facts)
                    # The first missing element is named, with what to do about it.
                    assert refused.value.element
                    assert refused.value.element in str(refused.value)
                    break
            else:
                # No blank field removes it: it is a fixed statement of the template.
                assert element.name in template.statements, element.name

    def test_a_text_that_drops_a_statement_is_refused(
        self, kind: str, template: NoticeTemplate
    ) -> None:
        if not template.statements:
            pytest.skip("this template carries no fixed statement")
        # A locally edited template that no longer prints the statements must not render.
        edited = type("Edited", (type(template),), {"template_source": "{{ title }}\n"})()
        with pytest.raises(NoticeIncomplete) as refused:
            edited.render(complete_facts(kind))
        assert refused.value.element in template.statements
