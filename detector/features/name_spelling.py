"""Near-duplicate spellings of one person's name in one document (Baerbock / Berbock).

Round trips through a language with another script transliterate names back in new spellings; edited
news spells a person one way per document. Registered in the ``names`` family.
"""
from __future__ import annotations

import math
import re
from collections import defaultdict
from dataclasses import dataclass
from itertools import combinations

from ..spans import Measured, Span
from . import feature

_CAPITALISED = re.compile(r"(?<![\w’'.-])[A-ZÀ-ÖØ-Þ][a-zß-öø-ÿ]{4,}(?![\w-])")
_LOWER_WORD = re.compile(r"(?<![\w-])[a-zß-öø-ÿ]{5,}(?![\w-])")
_NEXT_CAPITALISED = re.compile(r"[ \t]+[A-Z]")
_AFTER_CAPITALISED = re.compile(r"([A-Z][\w’'.-]*)[ \t]+$")
_NOT_FIRST = frozenset(
    """Mr Mrs Ms Dr Sir Lord Lady Prof Sen Gov Rep Gen President Minister Secretary Chancellor Senator
    Governor Ambassador Spokesman Judge Coach Captain The A An And But Or So Then Later Earlier When
    While After Before Since Meanwhile However Also Still Yet Now Today Yesterday Here There This That
    These Those In On At For With From By Of To As If Asked Speaking Under Over Instead""".split()
)
_VOWELS = frozenset("aeiouyàáâäåèéêëìíîïòóôöøùúûü")
_SIMILAR = frozenset("ij yj ck kq cs sz vw fv".split())
_BEFORE_SENTENCE = " \t“\"‘'([•*-–—"
# Capitalised words that are not names, or are look-alike pairs of real names (Austria/Australia).
_NOT_VARIANTS = frozenset(
    """Monday Tuesday Wednesday Thursday Friday Saturday Sunday January February March April June July
    August September October November December Prince Princess Queen Duchess Sheikh Major Colonel
    Captain Admiral General Minister President Senator Governor Secretary Chancellor Speaker Judge
    Justice Bishop Cardinal Saint Mayor Deputy Chairman Chairwoman Spokesman Spokeswoman Austria
    Australia Slovenia Slovakia Colombia Columbia Iceland Ireland Nigeria Gambia Zambia Mauritania
    Mauritius Sweden Swedes""".split()
)


@dataclass(frozen=True)
class _Candidate:
    """A possible surname: where it occurs, the first names before it, whether any capitalised
    word precedes it, and whether it is ever used mid-sentence."""

    starts: tuple[int, ...]
    firsts: frozenset[str]
    chained: bool
    mid: bool


def _sentence_initial(text: str, i: int) -> bool:
    """True when the word at ``i`` starts a sentence, line or quotation."""
    j = i - 1
    while j >= 0 and text[j] in _BEFORE_SENTENCE:
        j -= 1
    if j < 0 or text[j] in "\n.!?:;":
        return True
    return text[j] in "”’\"'" and j > 0 and text[j - 1] in ".!?"


def _candidates(text: str) -> dict[str, _Candidate]:
    """Capitalised words that may be surnames: never in lower case, never before a capitalised word.

    Being followed by a capitalised word makes a word a first name or a modifier ("Michael Mann",
    "American Medical"); a capitalised word before a candidate is a first name unless it is an
    honorific or a common sentence opener ("Mr Horan", "Later Miasnikov").
    """
    lower = {m.group() for m in _LOWER_WORD.finditer(text)}
    seen: dict[str, list[int]] = defaultdict(list)
    modifiers = set()
    for m in _CAPITALISED.finditer(text):
        seen[m.group()].append(m.start())
        if _NEXT_CAPITALISED.match(text, m.end()):
            modifiers.add(m.group())
    out = {}
    for word, starts in seen.items():
        if word in modifiers or word.rstrip("s") in _NOT_VARIANTS or word.lower() in lower:
            continue
        before = [b for b in (_AFTER_CAPITALISED.search(text, max(0, s - 40), s) for s in starts) if b]
        firsts = frozenset(b.group(1) for b in before if b.group(1).rstrip(".") not in _NOT_FIRST)
        mid = any(not _sentence_initial(text, s) for s in starts)
        out[word] = _Candidate(tuple(starts), firsts, bool(before), mid)
    return out


def _substitution(a: str, b: str) -> int:
    """1 for a spelling-level swap (vowel for vowel, k/c, s/z, i/j...), 2 for a different sound."""
    if a == b:
        return 0
    return 1 if (a in _VOWELS and b in _VOWELS) or a + b in _SIMILAR or b + a in _SIMILAR else 2


def _edit_distance(a: str, b: str, limit: int) -> int:
    """Levenshtein distance with :func:`_substitution` costs; ``limit + 1`` once surely above it."""
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i]
        for j, cb in enumerate(b, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + _substitution(ca, cb)))
        if min(current) > limit:
            return limit + 1
        previous = current
    return previous[-1]


def _variants(a: str, b: str) -> bool:
    """Same first letter and ending, one or two edits apart, neither a prefix of the other."""
    a, b = a.lower(), b.lower()
    if a[0] != b[0] or abs(len(a) - len(b)) > 2 or a.startswith(b) or b.startswith(a):
        return False
    if a[-2:] != b[-2:]:  # Russia/Russian, France/French, Greece/Greek: inflection, not spelling
        return False
    limit = 1 if min(len(a), len(b)) < 7 else 2
    return 1 <= _edit_distance(a, b, limit) <= limit


def _one_person(a: _Candidate, b: _Candidate) -> bool:
    """One spelling is used as a name (after a capitalised word, mid-sentence) and any first names
    agree: shared, or used with only one of the spellings (not Denis Horgan / John Horan)."""
    if not (a.chained or b.chained) or not (a.mid or b.mid):
        return False
    if a.chained and b.chained and not (a.firsts or b.firsts):
        return False  # "Mr Horgan" and "Mr Horan": two people, each named in full
    return not a.firsts or not b.firsts or bool(a.firsts & b.firsts)


@feature("names.name_variant.v1")
def name_variant(text: str) -> Measured:
    """Number of pairs of near-identical capitalised names in one document (Baerbock / Berbock).

    Candidates are capitalised words of five or more letters never used in lower case nor right
    before another capitalised word; one of a pair is used mid-sentence after a capitalised word.
    A pair shares its first letter and its
    last two, is one spelling edit apart (two for words of seven letters or more; swapping unlike
    sounds such as f/m counts two) and is tied to one person by a first name used with only one
    spelling or with both (Lindsay Davenport / Daveport; not Denis Horgan / John Horan). Spans
    (reason ``name_variant``) cover every use of both spellings. Unit: pairs.

    >>> t = "Annalena Baerbock spoke in Rome. Later, Annalena Berbock said talks were the only way out."
    >>> m = name_variant(t)
    >>> m.value, [s.text_of(t) for s in m.spans]
    (1.0, ['Baerbock', 'Berbock'])
    """
    if not text.strip():
        return Measured(math.nan)
    found = _candidates(text)
    by_letter: dict[str, list[str]] = defaultdict(list)
    for word in sorted(found):
        by_letter[word[0].lower()].append(word)
    pairs = [(a, b) for words in by_letter.values() for a, b in combinations(words, 2)
             if _one_person(found[a], found[b]) and _variants(a, b)]
    flagged = {w for pair in pairs for w in pair}
    spans = sorted(Span(s, s + len(w), "name_variant") for w in flagged for s in found[w].starts)
    return Measured(float(len(pairs)), tuple(spans))
