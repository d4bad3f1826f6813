"""Lexical features: phrases that machine translation and article spinners produce and people do not.

Both features look phrases up in lexicons shipped in ``detector/resources`` (built by
``training/lexicons.py``, described in ``data/MANIFEST-lexicons.md``). The lexicons load on first use.
"""
from __future__ import annotations

import gzip
import math
import re
import hashlib
from functools import lru_cache
from importlib import resources
from typing import Iterable

from ..spans import Measured, Span, per_1000
from ..text import word_count
from . import feature

_TOKEN = re.compile(r"[^\W_]+(?:['\u2019][^\W_]+)*")
# Words of a phrase may be separated by whitespace or a hyphen ("cross-endorsement", "cross endorsement").
_GAP = re.compile(r"[^\S\n]*\n?[^\S\n]*|[^\S\n]*[-\u2010\u2011][^\S\n]*")


def tokens(text: str) -> list[str]:
    """Lowercased word tokens, curly apostrophes made straight: the key space of :class:`PhraseIndex`."""
    return [m.group().lower().replace("\u2019", "'") for m in _TOKEN.finditer(text)]


class PhraseIndex:
    """Multi-word phrases indexed by their first word, for one linear pass over a text.

    >>> PhraseIndex(["surface region"]).find("The Surface  region grew.")
    [(4, 19, ('surface', 'region'))]
    """

    def __init__(self, phrases: Iterable[str]):
        by_first: dict[str, dict[int, set[tuple[str, ...]]]] = {}
        for phrase in phrases:
            key = tuple(tokens(phrase))
            if key:
                by_first.setdefault(key[0], {}).setdefault(len(key), set()).add(key)
        # Longest phrase first, so "x y z" wins over "x y".
        self._by_first = {w: sorted(d.items(), reverse=True) for w, d in by_first.items()}

    def find(self, text: str) -> list[tuple[int, int, tuple[str, ...]]]:
        """Non-overlapping matches ``(start, end, phrase_tokens)``, case-insensitive, whole words only."""
        matches = list(_TOKEN.finditer(text))
        words = [m.group().lower().replace("\u2019", "'") for m in matches]
        out: list[tuple[int, int, tuple[str, ...]]] = []
        i = 0
        while i < len(words):
            hit = self._match_at(text, matches, words, i)
            if hit is None:
                i += 1
                continue
            out.append((matches[i].start(), matches[i + len(hit) - 1].end(), hit))
            i += len(hit)
        return out

    def _match_at(self, text, matches, words, i) -> tuple[str, ...] | None:
        for length, keys in self._by_first.get(words[i], ()):
            key = tuple(words[i:i + length])
            if len(key) == length and key in keys and all(
                _GAP.fullmatch(text, matches[k].end(), matches[k + 1].start()) for k in range(i, i + length - 1)
            ):
                return key
        return None


def _resource_rows(name: str) -> list[list[str]]:
    """Tab-separated rows of a shipped resource (``.gz`` decompressed), ``#`` comment lines skipped."""
    data = resources.files("detector").joinpath("resources").joinpath(name).read_bytes()
    if name.endswith(".gz"):
        data = gzip.decompress(data)
    return [line.split("\t") for line in data.decode("utf-8").splitlines() if line and not line.startswith("#")]


def reserved_for_generation(tortured: str) -> bool:
    """True for the half of the lexicon kept for generating training spins (training/corpus/spinner.py).

    The detector matches only the other half, so the classifier learns what spinning does to text
    rather than memorising the list it was trained with.

    >>> reserved_for_generation("profound learning") in (True, False)
    True
    """
    digest = hashlib.blake2b(("tortured:" + tortured.lower()).encode("utf-8"), digest_size=8).digest()
    return int.from_bytes(digest, "big") % 2 == 0


@lru_cache(maxsize=1)
def tortured_index() -> PhraseIndex:
    """The news-filtered tortured-phrase lexicon (Cabanac, Labbé & Magazinov, CC BY 4.0), detection half."""
    return PhraseIndex(row[0] for row in _resource_rows("tortured_phrases.tsv.gz")
                       if not reserved_for_generation(row[0]))


@lru_cache(maxsize=1)
def unidiomatic_index() -> PhraseIndex:
    """The curated list of broken idioms and translation calques."""
    return PhraseIndex(row[0] for row in _resource_rows("unidiomatic_phrases.tsv"))


def _phrase_rate(text: str, index: PhraseIndex, reason: str) -> Measured:
    if not text.strip():
        return Measured(math.nan)
    spans = tuple(Span(s, e, reason) for s, e, _ in index.find(text))
    return Measured(per_1000(len(spans), word_count(text)), spans)


@feature("lexical.tortured_phrase.v1")
def tortured_phrase_rate(text: str) -> Measured:
    """Tortured phrases per 1,000 words.

    A tortured phrase is a synonym-swapped term ("profound learning" for "deep learning",
    "counterfeit consciousness" for "artificial intelligence") as made by paraphrasing tools
    ("spinners") that disguise copied or machine-made text. The lexicon is the Problematic Paper
    Screener's (scientific in origin), cut to multi-word entries that clean news never uses.
    Matching is case-insensitive on whole words; words may be split by whitespace or a hyphen.

    >>> m = tortured_phrase_rate("Experts said counterfeit consciousness will change work.")
    >>> round(m.value, 1), [s.reason for s in m.spans]
    (142.9, ['tortured_phrase'])
    >>> tortured_phrase_rate("Artificial intelligence will change work.").value
    0.0
    """
    return _phrase_rate(text, tortured_index(), "tortured_phrase")


@feature("lexical.unidiomatic_phrase.v1")
def unidiomatic_phrase_rate(text: str) -> Measured:
    """Broken idioms and translation calques per 1,000 words.

    Translation keeps the words of a source-language expression and loses the English idiom:
    "the ball with him" (the ball is in his court), "under the threat of threats" (of force),
    "on the territory of" (Russian "на территории", meaning in), "in the nearest future". The
    curated list holds only phrases that native English news does not use (checked against
    about 1.7 M words of native English news; see ``data/MANIFEST-lexicons.md``).

    >>> m = unidiomatic_phrase_rate("Putin said the ball with him now.")
    >>> [m.spans[0].reason, round(m.value, 1)]
    ['unidiomatic_phrase', 142.9]
    >>> unidiomatic_phrase_rate("Putin said the ball is in their court.").value
    0.0
    """
    return _phrase_rate(text, unidiomatic_index(), "unidiomatic_phrase")


RARE_SYNONYM_RATIO = 100  # the written word's most common synonym is at least this many times commoner
COUNT_FLOOR = 20  # counts below this are treated as this (rare is rare; a text's own words cannot lower it)


@feature("lexical.rare_synonym.v1")
def rare_synonym_rate(text: str) -> Measured:
    """Share of thesaurus words (lowercase words with WordNet synonyms, :mod:`detector.lm.synonyms`) that are
    at least ``RARE_SYNONYM_RATIO`` times rarer in news than their commonest synonym; nan when none.

    A thesaurus spinner swaps common words for synonyms drawn from any sense, and those are mostly far
    rarer ("hebdomad" for "week", "urban center" for "city"). It reads the whole text, without the LM.
    Spelling variants (colour/color) do not count. No spans: a single rare word is ordinary in human
    writing ("a berth in the final"); only the rate is evidence. The LM's ``synonym_swap`` spans show
    swapped words in context.

    >>> rare_synonym_rate("Forecasts released this hebdomad were overly optimistic about the harvest.").value
    0.25
    >>> rare_synonym_rate("Forecasts released this week were overly optimistic about the harvest.").value
    0.0
    """
    from ..lm import synonyms
    from .hygiene import word_counts

    probes = synonyms.probes(text, phrases=False)
    if not probes:
        return Measured(math.nan)
    counts = word_counts()
    hits = 0
    for _, _, word, syns in probes:
        usable = [counts.get(s, 0) for s in syns if not synonyms.spelling_variant(word, s)]
        if usable and (max(usable) + 1) / max(counts.get(word, 0), COUNT_FLOOR) >= RARE_SYNONYM_RATIO:
            hits += 1
    return Measured(hits / len(probes))
