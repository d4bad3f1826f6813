"""Text-hygiene features (scrape damage). Placeholder: being written."""
from __future__ import annotations

from ..measure import Span


def damage_spans(text: str) -> tuple[Span, ...]:
    """Every hygiene span in ``text`` (stripped apostrophes, glued words, mojibake, boilerplate)."""
    return ()
