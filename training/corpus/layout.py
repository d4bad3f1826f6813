"""Shared layouts so that typography and line layout do not predict the label.

Every record is re-laid out from its units the same way whatever its source: units are regrouped into
paragraphs of 1-3 sentences (seeded by the *group*, so parallel versions share a structure), then
rendered with a quote style, dash style and paragraph separator chosen by the *record* id.
"""
from __future__ import annotations

import re

from detector.text import sentences

from .rng import rng_for, unit

_DOUBLE_OPEN = re.compile(r'(^|[\s(\[{\-])"')
_SINGLE_OPEN = re.compile(r"(^|[\s(\[{\-])'")


def split_sentences(units: list[str]) -> list[list[str]]:
    """Each unit as its list of sentences."""
    return [[s.text for s in sentences(u)] or [u] for u in units]


def paragraph_plan(group: str, n_sentences: int, first_alone: bool = True) -> list[int]:
    """Sizes (in sentences) of consecutive paragraphs, seeded by the group."""
    rng = rng_for("paragraphs", group)
    sizes = [1] if first_alone and n_sentences else []
    while sum(sizes) < n_sentences:
        sizes.append(rng.choice((1, 2, 2, 3)))
    return sizes


def regroup(sentence_list: list[str], plan: list[int]) -> list[str]:
    """Join sentences into paragraphs of the planned sizes, never ending a paragraph inside a quotation."""
    out, i, sizes = [], 0, list(plan)
    while i < len(sentence_list):
        size = sizes.pop(0) if sizes else 1
        end = min(i + size, len(sentence_list))
        while end < len(sentence_list) and " ".join(sentence_list[i:end]).count('"') % 2:
            end += 1
        out.append(" ".join(sentence_list[i:end]))
        i = end
    return out


def curly(text: str) -> str:
    """Straight quotes to typographic ones (opening after space/bracket/start, closing elsewhere)."""
    text = _DOUBLE_OPEN.sub(lambda m: m.group(1) + "“", text).replace('"', "”")
    text = _SINGLE_OPEN.sub(lambda m: m.group(1) + "‘", text)
    return text.replace("'", "’")


def render(paragraphs: list[str], record_id: str) -> tuple[str, dict]:
    """Join paragraphs in a record-seeded layout; returns the text and the layout chosen."""
    quotes = "curly" if unit("quotes", record_id) < 0.5 else "straight"
    dash = ("-", "–", "—")[int(unit("dash", record_id) * 3)]
    sep = "\n\n" if unit("sep", record_id) < 0.5 else "\n"
    paras = [p.replace(" - ", f" {dash} ") for p in paragraphs]
    if quotes == "curly":
        paras = [curly(p) for p in paras]
    return sep.join(paras), {"quotes": quotes, "dash": dash, "separator": "blank" if sep == "\n\n" else "newline"}
