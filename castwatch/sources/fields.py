"""Field readers the Xtream and Stalker row builders share.

Panels of both kinds send numbers as strings, nulls where text belongs and ``nan`` where a
rating should be; each builder keeps its own rules on top (Xtream refuses booleans as
numbers, Stalker's portals never send them), and these are the common ground.
"""

from __future__ import annotations

from typing import Any


def finite_float(value: Any) -> float | None:
    """``value`` as a finite float; ``None`` for no number, nan or an infinity."""
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    # number - number is nan for nan and the infinities: they are no rating or duration.
    return number if number - number == 0 else None


def entry_name(value: Any) -> str:
    """A name as text without surrounding space; ``""`` for none."""
    return "" if value is None else str(value).strip()
