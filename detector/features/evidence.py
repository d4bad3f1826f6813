"""Evidence totals: how much artifact evidence the punctuation, names and lexical families found.

Each artifact family fires rarely, and a linear model weighs each one on its own; a text with several
different kinds of damage (``done." ,`` plus a detached period plus a swapped title) is much stronger
evidence than any one of them. These two features say so directly. They are derived features: they read
the values the family features already computed (never recompute them), and carry no spans of their own:
the family features they count already explain themselves.
"""
from __future__ import annotations

import math

from ..spans import Measured
from . import feature, registry

COUNTED_FAMILIES = ("punct", "names", "lexical")


def counted() -> list[str]:
    """The features whose spans the evidence totals count (every text feature of the counted families)."""
    return [n for n, spec in registry().items() if spec.family in COUNTED_FAMILIES and not spec.needs_lm]


@feature("evidence.span_count.v1", reads=counted)
def span_count(text: str, measured: dict[str, Measured]) -> Measured:
    """log(1 + number of artifact spans) found by the punctuation, names and lexical features.

    >>> from . import compute
    >>> compute("He said the talks were done.” , Officials at Interfax. reported.", only=["evidence.span_count.v1"])["evidence.span_count.v1"].value > 0
    True
    >>> compute("The talks ended on Monday.", only=["evidence.span_count.v1"])["evidence.span_count.v1"].value
    0.0
    """
    if not text.strip():
        return Measured(math.nan)
    return Measured(math.log1p(sum(len(m.spans) for m in measured.values())))


@feature("evidence.kinds_hit.v1", reads=counted)
def kinds_hit(text: str, measured: dict[str, Measured]) -> Measured:
    """Number of different artifact features (of the punctuation, names and lexical families) that fire.

    >>> from . import compute
    >>> compute("The talks ended on Monday.", only=["evidence.kinds_hit.v1"])["evidence.kinds_hit.v1"].value
    0.0
    """
    if not text.strip():
        return Measured(math.nan)
    return Measured(float(sum(1 for m in measured.values() if m.spans)))
