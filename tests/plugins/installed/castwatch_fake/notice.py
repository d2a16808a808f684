"""A notice of its own kind whose Jinja2 text ships inside the class."""

from __future__ import annotations

from typing import ClassVar

from castwatch.enforce.notices.base import Element, NoticeTemplate, register_template


@register_template
class HostLetter(NoticeTemplate):
    """A short letter to a host: who writes, which locations, and one fixed statement."""

    kind = "fake-letter"
    title = "Letter to the host"
    template = "fake-letter (inline)"
    recipient_roles = ("host",)
    statements: ClassVar[dict[str, str]] = {
        "good-faith statement": "We believe in good faith that this use is not authorised."
    }
    template_source = """{% include "_recipient.j2" %}
From: {{ facts.sender.name }} <{{ facts.sender.email }}>

Please remove these locations from {{ facts.recipient.host }}:
{% include "_items.j2" %}

{{ statements["good-faith statement"] }}
"""

    def elements(self) -> list[Element]:
        return [
            Element(
                "sender name and e-mail address",
                lambda facts: bool(facts.sender.name and facts.sender.email),
                "set them under [sender] in enforce.toml",
            ),
            Element("locations", lambda facts: bool(facts.items), "identify the service first"),
            *(
                Element(name, lambda _facts, name=name: name in self.statements, "restore it")
                for name in self.statements
            ),
        ]
