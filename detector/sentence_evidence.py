"""Evidence by sentence: the sentences a text's listed reasons point into, for readers who fix text
sentence by sentence (the JSON's ``sentences``, the HTML page)."""
from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass

from .reasons import Reason
from .spans import Span  # noqa: F401 (the example)
from .text import sentences


@dataclass(frozen=True)
class SentenceEvidence:
    """A sentence that holds evidence: its offsets, the reason codes pointing into it, how many spans."""

    start: int
    end: int
    codes: tuple[str, ...]
    spans: int

    def as_dict(self, text: str | None = None) -> dict:
        out = {"start": self.start, "end": self.end, "reasons": list(self.codes), "spans": self.spans}
        if text is not None:
            out["text"] = text[self.start:self.end]
        return out


def by_sentence(text: str, reasons: tuple[Reason, ...]) -> tuple[SentenceEvidence, ...]:
    """The sentences that the listed reasons' spans fall in, in text order, with the spans' reason codes (a
    span counts for the sentence it starts in).

    >>> r = Reason("detached_period", 0.5, (Span(20, 21, "detached_period"),), ())
    >>> [s.as_dict() for s in by_sentence("The talks ended. Interfax. reported it.", (r,))]
    [{'start': 17, 'end': 39, 'reasons': ['detached_period'], 'spans': 1}]
    """
    spans = [(s, s.reason) for s in sorted({s for r in reasons for s in r.spans})]
    if not spans:
        return ()
    sents = sentences(text)
    starts = [s.start for s in sents]
    found: dict[int, list[str]] = {}
    for span, code in spans:
        k = bisect_right(starts, span.start) - 1
        if k >= 0 and span.start < sents[k].end:
            found.setdefault(k, []).append(code)
    return tuple(SentenceEvidence(sents[k].start, sents[k].end, tuple(dict.fromkeys(codes)), len(codes))
                 for k, codes in sorted(found.items()))
