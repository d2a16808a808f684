"""Notices: templates (``base.py``, ``builtin.py``), drafting from stored facts
(``draft.py``) and delivery over SMTP (``send.py``)."""

from castwatch.enforce.notices.base import (
    NoticeTemplate,
    RenderedNotice,
    get_template,
    register_template,
    template_kinds,
)

__all__ = [
    "NoticeTemplate",
    "RenderedNotice",
    "get_template",
    "register_template",
    "template_kinds",
]
