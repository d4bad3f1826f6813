"""Evidence totals: how much artifact evidence the punctuation, names and lexical families found.

Each artifact family fires rarely, and a linear model weighs each one on its own; a text with several
different kinds of damage (``done." ,`` plus a detached period plus a swapped title) is much stronger
evidence than any one of them. These two features say so directly. They carry no spans of their own:
the family features they count already explain themselves.
"""
from __future__ import annotations

import math

from ..measure import Measured
from . import feature, registry

COUNTED_FAMILIES = ("punct", "names", "lexical")


def _evidence(text: str) -> list[Measured]:
    return [spec.func(text) for spec in registry().values() if spec.family in COUNTED_FAMILIES]


@feature("evidence.span_count.v1")
def span_count(text: str) -> Measured:
    """log(1 + number of artifact spans) found by the punctuation, names and lexical features.

    >>> span_count("He said the talks were done.” , Officials at Interfax. reported.").value > 0
    True
    >>> span_count("The talks ended on Monday.").value
    0.0
    """
    if not text.strip():
        return Measured(math.nan)
    return Measured(math.log1p(sum(len(m.spans) for m in _evidence(text))))


@feature("evidence.kinds_hit.v1")
def kinds_hit(text: str) -> Measured:
    """Number of different artifact features (of the punctuation, names and lexical families) that fire.

    >>> kinds_hit("The talks ended on Monday.").value
    0.0
    """
    if not text.strip():
        return Measured(math.nan)
    return Measured(float(sum(1 for m in _evidence(text) if m.spans)))
