"""Edits between an aligned suspect passage and its original, with character spans on both sides.

Words are diffed with :mod:`difflib` over the normalised tokens of :mod:`detector.compare.align`, so scrape
damage (``doesnt``, ``U.S.``/``US``, ``launchedspecial``) is not reported as an edit. Each changed block
gets one kind (a stable slug, part of the API):

``name_changed``      a capitalised word respelled (Baerbock -> Berbock)
``title_changed``     office-title words replaced (Secretary of State -> Foreign Minister)
``number_changed``    digits differ
``negation_flipped``  not/no/never/without/``non-`` on one side only
``word_substituted``  any other replacement
``dropped``/``added`` words only in the original / only in the suspect
``punctuation_damage`` detached punctuation on one side only (``done.” ,``, ``organizations. are``)
``quote_broken``      a quotation closed mid-sentence: a closing mark with no opening one

A zero-width span (``start == end``) marks where something is missing on that side.

>>> [e.kind for e in diff("Annalena Berbock said.", (0, 22), "Annalena Baerbock said.", (0, 23))]
['name_changed']
"""
from __future__ import annotations

import bisect
import difflib
import os
import re
from dataclasses import dataclass
from functools import lru_cache

from .align import NEGATIONS, Token, tokenize, words_of
from ..text import paragraphs

EDIT_KINDS = ("name_changed", "title_changed", "number_changed", "negation_flipped", "punctuation_damage",
              "quote_broken", "word_substituted", "dropped", "added")
NAME_SIMILARITY = 0.6  # difflib ratio at or above which two different capitalised words are one name respelled
MIN_NAME_CHARS = 4  # shorter capitalised words (US, UN, Mr) are not treated as names
LOPSIDED = 3  # a changed block whose one side is this many times longer is an addition or a drop ...
MAX_FLIP_WORDS = 2  # ... and flips a negation only when it is this short ("not", "did not")
MOVE_MIN_WORDS = 3  # a dropped and an added block this long or longer may be one moved clause ...
MOVE_SIMILARITY = 0.5  # ... when their words match this well (difflib ratio)
_TITLE_WORDS = frozenset(
    "secretary minister president chancellor deputy assistant foreign state defense defence spokesman "
    "spokeswoman spokesperson ambassador governor senator general premier envoy adviser advisor chief "
    "director commissioner prime vice under undersecretary interior finance treasury".split())
_DAMAGE = re.compile(
    r"\w*[.!?][\"”’»]*[ \t]+[,.;:](?![.\w])"  # done.” ,   Stefanishyna. .
    r"|\w+[ \t]+[,;:](?=\s|$)"  # space before a comma
    r"|(?<![.\w])\w{2,}\.[ \t]+[a-z]\w*"  # organizations. are  (a period inside a sentence)
)
_CLOSE, _EITHER = "”»", '"'  # other marks (“ « „) open a quotation


@dataclass(frozen=True, order=True)
class Edit:
    """One edit: its kind and the ``[start, end)`` character spans in the suspect and the original."""

    suspect: tuple[int, int]
    original: tuple[int, int]
    kind: str

    def as_dict(self, suspect: str, original: str) -> dict:
        s, o = self.suspect, self.original
        return {"kind": self.kind,
                "suspect": {"start": s[0], "end": s[1], "text": suspect[s[0]:s[1]]},
                "original": {"start": o[0], "end": o[1], "text": original[o[0]:o[1]]}}


def diff(suspect: str, s_span: tuple[int, int], original: str, o_span: tuple[int, int]) -> list[Edit]:
    """All edits between ``suspect[s_span]`` and ``original[o_span]``, sorted by suspect offset."""
    sw, ow = words_of(tokenize(suspect, *s_span)), words_of(tokenize(original, *o_span))
    s2o: dict[int, int] = {}
    edits = _word_edits(sw, ow, s_span[0], o_span[0], s2o, moves=True)
    mapper = _Mapper(sw, ow, s2o, s_span, o_span)
    edits += _one_sided(suspect, s_span, original, o_span, damage_spans, "punctuation_damage", mapper)
    edits += _one_sided(suspect, s_span, original, o_span, broken_quote_spans, "quote_broken", mapper)
    return sorted(edits)


def _word_edits(sw: list[Token], ow: list[Token], s0: int, o0: int, s2o: dict[int, int], moves: bool) -> list[Edit]:
    """Word-level edits; with ``moves``, a dropped block that reappears elsewhere is diffed in place."""
    sm = difflib.SequenceMatcher(None, [t.norm for t in sw], [t.norm for t in ow], autojunk=False)
    edits: list[Edit] = []
    gaps: list[tuple[int, int, int, int]] = []
    for op, i1, i2, j1, j2 in sm.get_opcodes():
        if op == "equal":
            s2o.update({i1 + k: j1 + k for k in range(i2 - i1)})
            edits += [Edit(_span([a]), _span([b]), "negation_flipped")
                      for a, b in zip(sw[i1:i2], ow[j1:j2]) if a.neg != b.neg]
        else:
            gaps.append((i1, i2, j1, j2))
    for i1, i2, j1, j2 in _moved(sw, ow, gaps) if moves else gaps:
        s_at, o_at = _anchor(sw, i1, s0), _anchor(ow, j1, o0)
        if moves and min(i2 - i1, j2 - j1) >= MOVE_MIN_WORDS and _is_move(sw[i1:i2], ow[j1:j2]):
            sub: dict[int, int] = {}
            edits += _word_edits(sw[i1:i2], ow[j1:j2], s_at, o_at, sub, moves=False)
            s2o.update({i1 + a: j1 + b for a, b in sub.items()})
        else:
            edits += _classify(sw[i1:i2], ow[j1:j2], s_at, o_at)
    return edits


def _moved(sw: list[Token], ow: list[Token], gaps):
    """Re-pair a block only in the suspect with a similar block only in the original (a moved clause)."""
    added = [g for g in gaps if g[3] == g[2] and g[1] - g[0] >= MOVE_MIN_WORDS]
    dropped = [g for g in gaps if g[1] == g[0] and g[3] - g[2] >= MOVE_MIN_WORDS]
    rest = [g for g in gaps if g not in added and g not in dropped]
    for a in added:
        best = max(dropped, key=lambda d: _is_move(sw[a[0]:a[1]], ow[d[2]:d[3]], score=True), default=None)
        if best is not None and _is_move(sw[a[0]:a[1]], ow[best[2]:best[3]]):
            dropped.remove(best)
            rest.append((a[0], a[1], best[2], best[3]))
        else:
            rest.append(a)
    return rest + dropped


def _is_move(a: list[Token], b: list[Token], score: bool = False):
    ratio = difflib.SequenceMatcher(None, [t.norm for t in a], [t.norm for t in b], autojunk=False).ratio()
    return ratio if score else ratio >= MOVE_SIMILARITY


def _span(tokens: list[Token]) -> tuple[int, int]:
    return (tokens[0].start, tokens[-1].end)


def _anchor(words: list[Token], i: int, default: int) -> int:
    """Where an empty block sits: the end of the word before it (or the passage start)."""
    return words[i - 1].end if i > 0 else default


def _classify(a: list[Token], b: list[Token], s_at: int, o_at: int) -> list[Edit]:
    """Kinds for one changed block: respelled names first, then one kind for the rest of the block."""
    edits: list[Edit] = []
    a, b = list(a), list(b)
    for x in [t for t in a if _name_like(t)]:
        y = max((t for t in b if _name_like(t)), key=lambda t: _ratio(x.norm, t.norm), default=None)
        if y is not None and _respelled(x.norm, y.norm):
            edits.append(Edit(_span([x]), _span([y]), "name_changed"))
            a.remove(x)
            b.remove(y)
    if not a and not b:
        return edits
    s = _span(a) if a else (s_at, s_at)
    o = _span(b) if b else (o_at, o_at)
    return edits + [Edit(s, o, _kind(a, b))]


def _kind(a: list[Token], b: list[Token]) -> str:
    lopsided = not a or not b or max(len(a), len(b)) >= LOPSIDED * min(len(a), len(b))
    if lopsided:  # an added or dropped clause that happens to contain "not" is not a flip; "not" alone is
        if max(len(a), len(b)) <= MAX_FLIP_WORDS and _negated(a, words_only=True) != _negated(b, words_only=True):
            return "negation_flipped"
        if not a or not b:
            return "added" if a else "dropped"
    elif _negated(a) != _negated(b):
        return "negation_flipped"
    na, nb = {t.norm for t in a if t.kind == "number"}, {t.norm for t in b if t.kind == "number"}
    if na and nb and na != nb:
        return "number_changed"
    ta, tb = {t.norm for t in a} & _TITLE_WORDS, {t.norm for t in b} & _TITLE_WORDS
    if ta and tb and ta != tb:
        return "title_changed"
    return "word_substituted"


def _negated(tokens: list[Token], words_only: bool = False) -> bool:
    return any(t.neg and (not words_only or t.norm in NEGATIONS) for t in tokens)


def _name_like(t: Token) -> bool:
    return t.kind == "word" and t.capitalised and len(t.norm) >= MIN_NAME_CHARS and t.norm not in _TITLE_WORDS


def _respelled(a: str, b: str) -> bool:
    """Baerbock/Berbock, not Russia/Russian or Ukraine/Ukrainian (one stem, another ending)."""
    prefix = len(os.path.commonprefix([a, b]))
    return a != b and _ratio(a, b) >= NAME_SIMILARITY and prefix < min(len(a), len(b)) - 2


@lru_cache(maxsize=4096)
def _ratio(a: str, b: str) -> float:
    return difflib.SequenceMatcher(None, a, b, autojunk=False).ratio()


class _Mapper:
    """Maps a character position on one side to the matching position on the other via matched words:
    the end of the counterpart of the last matched word that starts before it."""

    def __init__(self, sw: list[Token], ow: list[Token], s2o: dict[int, int], s_span, o_span):
        self.sides = (self._table(sw, ow, s2o, o_span[0]), self._table(ow, sw, {v: k for k, v in s2o.items()},
                                                                       s_span[0]))

    @staticmethod
    def _table(words: list[Token], other: list[Token], table: dict[int, int], default: int):
        """The starts of the matched words (in order, so non-decreasing) and their counterparts' ends."""
        matched = sorted(table)
        return [words[i].start for i in matched], [other[table[i]].end for i in matched], default

    def to_other(self, pos: int, from_suspect: bool) -> int:
        starts, ends, default = self.sides[0 if from_suspect else 1]
        k = bisect.bisect_left(starts, pos)
        return ends[k - 1] if k else default


def damage_spans(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """Detached punctuation inside ``text[start:end]``.

    >>> t = "alliances.” done.” , he said"
    >>> [t[s:e] for s, e in damage_spans(t, 0, len(t))]
    ['done.” ,']
    """
    return [(m.start(), m.end()) for m in _DAMAGE.finditer(text, start, end)]


def broken_quote_spans(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """Closing quotation marks with no opening one, scanned per paragraph, that fall in ``[start, end)``.

    The span runs from the previous closing mark (the quote closed too early) to the stray one.

    >>> t = 'in Geneva “but without our allies.” Will not discuss security,” Price said.'
    >>> [t[s:e] for s, e in broken_quote_spans(t, 0, len(t))]
    ['” Will not discuss security,”']
    """
    found = _broken_quotes(text)  # sorted by start
    return [s for s in found[bisect.bisect_left(found, (start,)):bisect.bisect_left(found, (end,))] if s[1] <= end]


@lru_cache(maxsize=64)
def _broken_quotes(text: str) -> tuple[tuple[int, int], ...]:
    out = []
    for para in paragraphs(text):
        is_open, last_close = False, para.start
        for m in re.finditer(r"[“”«»„\"]", para.text):
            ch, pos = m.group(), para.start + m.start()
            closing = ch in _CLOSE or (ch in _EITHER and is_open)
            if not closing:
                is_open = True
                continue
            if not is_open:
                out.append((last_close, pos + 1))
            is_open, last_close = False, pos
    return tuple(out)


def _one_sided(suspect, s_span, original, o_span, finder, kind: str, mapper: _Mapper) -> list[Edit]:
    """Spans ``finder`` reports on one side only (compared by their normalised text)."""
    found_s, found_o = finder(suspect, *s_span), finder(original, *o_span)
    keys_s = [_key(suspect[s:e]) for s, e in found_s]
    keys_o = [_key(original[s:e]) for s, e in found_o]
    in_s, in_o = set(keys_s), set(keys_o)
    edits = []
    for (s, e), k in zip(found_s, keys_s):
        if k not in in_o:
            at = mapper.to_other(e, True)
            edits.append(Edit((s, e), (at, at), kind))
    for (s, e), k in zip(found_o, keys_o):
        if k not in in_s:
            at = mapper.to_other(e, False)
            edits.append(Edit((at, at), (s, e), kind))
    return edits


def _key(span_text: str) -> str:
    return re.sub(r"\W+", " ", span_text.lower()).strip()
