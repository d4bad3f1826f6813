"""Is a text English prose? The check behind the ``not_english`` verdict.

Two signals, both cheap (well under a millisecond per news article):

1. **Script.** The share of letters that are Latin. Below :data:`MIN_LATIN_SHARE` the text is not English
   (Cyrillic, CJK, Arabic, Hebrew, Devanagari ...).
2. **Language identification** with ``py3langid`` (a maintained fork of langid.py, BSD-3-Clause, a naive
   Bayes model over byte n-grams that ships inside the package), confirmed by the share of running words
   that are common English function words. A text is ``not_english`` only when langid names another
   language with probability >= :data:`MIN_LANGID_PROB` *and* function words are rare
   (< :data:`MAX_FUNCTION_SHARE`), or when function words are almost absent and langid does not say
   English. English prose has 35-55% function words; English with scrape damage, headlines, lists of
   names or machine-translated English stays far above the bar, so damaged English is never called
   foreign; Spanish, German, French ... stay far below it.

Texts with fewer than :data:`MIN_LETTERS` letters are left undecided (``None``); the length rule
(``too_short``) handles them.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

SAMPLE_CHARS = 20_000  # the check reads this prefix
MIN_LETTERS = 40
MIN_LATIN_SHARE = 0.5
MIN_LANGID_PROB = 0.9
MAX_FUNCTION_SHARE = 0.15
MIN_FUNCTION_SHARE = 0.05
METHOD = "py3langid + latin-script share + English function-word share"

FUNCTION_WORDS = frozenset("""
a about after all also an and any are as at be been but by can could did do does for from had has have he her
him his how i if in into is it its just may me more most my no not of on one only or other our out over she
should so some such than that the their them then there these they this those to up was we were what when
where which while who will with would you your
""".split())
_WORD = re.compile(r"[^\W\d_]+", re.UNICODE)


@dataclass(frozen=True)
class Language:
    """The outcome of the check: ``english`` is False only when the text is clearly another language."""

    english: bool
    code: str  # ISO 639 code from langid, or "und"
    confidence: float  # langid's normalised probability for ``code``
    latin_share: float
    function_share: float
    reason: str  # "" when English; else e.g. "language_de" or "script_non_latin"

    def as_dict(self) -> dict:
        return {"code": self.code, "confidence": round(self.confidence, 4), "english": self.english,
                "latin_share": round(self.latin_share, 4), "function_word_share": round(self.function_share, 4)}


@lru_cache(maxsize=1)
def _identifier():
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    return LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)


@lru_cache(maxsize=4096)
def _is_latin(ch: str) -> bool:
    return unicodedata.name(ch, "").startswith("LATIN")


def check(text: str) -> Language | None:
    """Language of ``text`` (its first :data:`SAMPLE_CHARS` characters); None when there is too little text."""
    sample = text[:SAMPLE_CHARS]
    letters = [c for c in sample if c.isalpha()]
    if len(letters) < MIN_LETTERS:
        return None
    latin = sum(1 for c in letters if c < "\u0250" or _is_latin(c)) / len(letters)
    words = _WORD.findall(sample.lower())
    function = sum(w in FUNCTION_WORDS for w in words) / len(words) if words else 0.0
    code, prob = _identifier().classify(sample.encode("utf-8", "replace").decode("utf-8"))
    prob = float(min(max(prob, 0.0), 1.0))
    if latin < MIN_LATIN_SHARE:
        return Language(False, code, prob, latin, function, "script_non_latin")
    foreign = code != "en" and ((prob >= MIN_LANGID_PROB and function < MAX_FUNCTION_SHARE)
                                or function < MIN_FUNCTION_SHARE)
    return Language(not foreign, code, prob, latin, function, f"language_{code}" if foreign else "")
