"""The ``NoticeTemplate`` extension point: one class per kind of notice, in a registry.

A template says which elements the law (or the recipient's process) requires, checks the
facts have each one *before* rendering, renders the text from a Jinja2 template shipped as
package data, builds the JSON document, and checks the rendered text still carries every
required statement (a locally edited template cannot silently drop the perjury clause).
A notice missing an element is refused with :class:`NoticeIncomplete` naming it.

To add a kind: subclass :class:`NoticeTemplate`, set ``kind``, ``title``, ``template``,
``recipient_roles`` and ``statements``, implement :meth:`elements` (and :meth:`document` if the
JSON differs), put the ``.j2`` file in ``templates/`` (an outside package sets
``template_source`` instead), decorate with :func:`register_template`. The built-ins in
``builtin.py`` register the same way; an outside package names its module in the
``castwatch.plugins`` entry-point group. ``tests/enforce/notice_contract.py`` is the battery
every registered template passes.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, ClassVar, TypeVar

import jinja2

from castwatch.catalog.notices import NoticeFacts
from castwatch.errors import EnforcementError, NoticeIncomplete
from castwatch.plugins import Registry

_ENVIRONMENT = jinja2.Environment(
    loader=jinja2.PackageLoader("castwatch.enforce.notices", "templates"),
    autoescape=False,  # plain text and e-mail, never HTML
    undefined=jinja2.StrictUndefined,
    keep_trailing_newline=True,
    trim_blocks=True,
    lstrip_blocks=True,
)


@dataclass(slots=True, frozen=True)
class Element:
    """A required element: its name (as the statute calls it), the check, and the fix."""

    name: str
    present: Callable[[NoticeFacts], bool]
    fix: str


@dataclass(slots=True, frozen=True)
class RenderedNotice:
    subject: str
    text: str
    document: dict[str, Any]


class NoticeTemplate(ABC):
    """One kind of notice. Subclass, fill the class attributes, register."""

    kind: ClassVar[str]
    title: ClassVar[str]
    #: The Jinja2 file in ``templates/`` that renders the text.
    template: ClassVar[str]
    #: The Jinja2 text itself, for a template shipped inside its class (a plugin in one
    #: file); when set, ``template`` only names it in messages. It may include the shared
    #: parts in ``templates/`` (``_recipient.j2``, ``_items.j2``, ``_evidence.j2``).
    template_source: ClassVar[str | None] = None
    #: Contact roles tried in order to find the recipient of a host (see storage.enforcement).
    recipient_roles: ClassVar[tuple[str, ...]]
    #: Fixed statements the notice must carry, by element name.
    statements: ClassVar[dict[str, str]] = {}
    #: The Lumen notice type (``DMCA`` or ``Other``).
    lumen_type: ClassVar[str] = "Other"

    @abstractmethod
    def elements(self) -> list[Element]:
        """The required elements, checked in order before rendering."""

    def subject(self, facts: NoticeFacts) -> str:
        return f"{self.title}: {facts.recipient.host} (case {facts.case_name})"

    def document(self, facts: NoticeFacts) -> dict[str, Any]:
        """The JSON form: the facts, the statements, and the Lumen-compatible notice."""
        return {
            "kind": self.kind,
            "title": self.title,
            "facts": facts.as_dict(),
            "statements": dict(self.statements),
            "lumen": lumen_notice(self, facts),
        }

    def check(self, facts: NoticeFacts) -> None:
        for element in self.elements():
            if not element.present(facts):
                raise NoticeIncomplete(
                    f"{self.title} refused: missing {element.name}; {element.fix}", element.name
                )

    def render(self, facts: NoticeFacts) -> RenderedNotice:
        self.check(facts)
        try:
            jinja = (
                _ENVIRONMENT.from_string(self.template_source)
                if self.template_source is not None
                else _ENVIRONMENT.get_template(self.template)
            )
            text = jinja.render(facts=facts, statements=self.statements, title=self.title)
        except jinja2.TemplateError as exc:
            raise EnforcementError(f"notice template {self.template} failed: {exc}") from None
        for name, statement in self.statements.items():
            if statement not in text:
                raise NoticeIncomplete(
                    f"{self.title} refused: the rendered text lacks the {name} statement; "
                    f"restore it in {self.template}",
                    name,
                )
        return RenderedNotice(self.subject(facts), text, self.document(facts))


#: Every notice template by kind; the built-ins (``builtin.py``) register like a plugin.
TEMPLATES: Registry[type[NoticeTemplate]] = Registry(
    "notice kind", key=lambda cls: cls.kind, builtins=("castwatch.enforce.notices.builtin",)
)
N = TypeVar("N", bound=type[NoticeTemplate])


def register_template(cls: N) -> N:
    """Class decorator: make ``cls`` available under its ``kind``."""
    TEMPLATES.register(cls)
    return cls


def template_kinds() -> list[str]:
    """Every registered notice kind, sorted."""
    return sorted(TEMPLATES.names())


def get_template(kind: str) -> NoticeTemplate:
    """A new instance of the template registered as ``kind`` (UnknownPlugin lists the rest)."""
    return TEMPLATES.get(kind)()


def lumen_notice(template: NoticeTemplate, facts: NoticeFacts) -> dict[str, Any]:
    """The notice as the Lumen database's ``POST /notices`` takes it (``notice`` object)."""
    by_work: dict[str | None, list[dict[str, str]]] = {}
    for item in facts.items:
        by_work.setdefault(item.work_id, []).append({"url": item.url})
    works = [
        {
            "description": f"{work.title} ({work.kind} {work.id})",
            "kind": "movie" if work.kind == "work" else "broadcast",
            "infringing_urls_attributes": by_work.get(work.id, []),
            "copyrighted_urls_attributes": [],
        }
        for work in facts.works
    ]
    if None in by_work:
        works.append({"description": "unattributed", "infringing_urls_attributes": by_work[None]})
    sender = facts.sender
    recipient = facts.recipient
    return {
        "title": template.subject(facts),
        "type": template.lumen_type,
        "subject": template.title,
        "date_sent": facts.drafted_at.date().isoformat(),
        "source": "E-mail",
        "language": "en",
        "action_taken": "Unspecified",
        "jurisdiction_list": ", ".join(facts.jurisdictions),
        "works_attributes": works,
        "entity_notice_roles_attributes": [
            {
                "name": "recipient",
                "entity_attributes": {
                    "name": recipient.name or f"unknown provider of {recipient.host}",
                    "kind": "organization",
                },
            },
            {
                "name": "sender",
                "entity_attributes": {
                    "name": sender.organization or sender.name,
                    "kind": "organization" if sender.organization else "individual",
                    "address_line_1": sender.address,
                    "country_code": sender.country,
                },
            },
            {
                "name": "principal",
                "entity_attributes": {"name": sender.on_behalf_of or sender.organization},
            },
        ],
    }
