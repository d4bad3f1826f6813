"""An article spinner: WordNet synonym substitution plus tortured-phrase replacements.

This imitates the thesaurus-driven rewriters content farms use. WordNet comes from Debian's
``wordnet-base`` (read at corpus-build time only). Tortured phrases come from the Problematic Paper
Screener lexicon; only the half selected by :func:`generator_half` is used here, the detector's
lexical feature uses the other half, so the classifier cannot learn the list itself.
"""
from __future__ import annotations

import gzip
import json
import re
from functools import lru_cache
from pathlib import Path

from detector.features.lexical import reserved_for_generation

from .rng import rng_for

WORDNET_DIR = Path("/usr/share/wordnet")
RATES = (0.15, 0.3, 0.5)  # share of eligible content words replaced
_POS_FILES = {"n": "noun", "v": "verb", "a": "adj", "r": "adv"}
_WORD = re.compile(r"\b[a-z]{4,}\b")
_STOP = frozenset("""that this with from have were been they their there which would could should about
after before into over under than then them these those what when where while will your also said says
more most other some such only very just make made like year years people""".split())
MAX_SENSES = 2  # synonyms are drawn from a word's most frequent senses only


generator_half = reserved_for_generation  # the half of the lexicon used here; the detector uses the other


def _data_words(pos_name: str) -> dict[str, list[str]]:
    words = {}
    with open(WORDNET_DIR / f"data.{pos_name}", encoding="latin-1") as f:
        for line in f:
            if line.startswith(" "):
                continue
            fields = line.split(" ")
            count = int(fields[3], 16)
            words[fields[0]] = [fields[4 + 2 * i].replace("_", " ") for i in range(count)]
    return words


@lru_cache(maxsize=1)
def synonyms() -> dict[str, tuple[str, ...]]:
    """lemma -> synonyms from its most frequent senses (multiword lemmas included)."""
    if not (WORDNET_DIR / "index.noun").exists():
        raise FileNotFoundError("WordNet not found in /usr/share/wordnet; run: apt-get install wordnet-base")
    table: dict[str, set[str]] = {}
    for pos_name in _POS_FILES.values():
        offsets_words = _data_words(pos_name)
        with open(WORDNET_DIR / f"index.{pos_name}", encoding="latin-1") as f:
            for line in f:
                if line.startswith(" "):
                    continue
                fields = line.split()
                lemma, n_synsets = fields[0], int(fields[2])
                for off in fields[-n_synsets:][:MAX_SENSES]:
                    for w in offsets_words.get(off, []):
                        w = re.sub(r"\(.*\)$", "", w)
                        if w.lower() != lemma and w.isascii() and not any(c.isupper() for c in w):
                            table.setdefault(lemma, set()).add(w)
    return {k: tuple(sorted(v)) for k, v in table.items() if "_" not in k}


@lru_cache(maxsize=1)
def tortured_pairs(path: Path) -> tuple[tuple[str, str], ...]:
    with gzip.open(path, "rt", encoding="utf-8") as f:
        phrases = json.load(f)["phrases"]
    return tuple(sorted((p["correct"].lower(), p["tortured"]) for p in phrases
                        if generator_half(p["tortured"]) and len(p["correct"].split()) >= 2))


def spin(text: str, rate: float, key: str, lexicon: Path, table: dict[str, tuple[str, ...]] | None = None) -> str:
    """Rewrite ``text`` replacing about ``rate`` of its eligible words; deterministic for ``key``. ``table``
    (word -> synonyms) defaults to WordNet's (:func:`synonyms`); ``training/experiments/unseen_eval.py`` passes another
    thesaurus."""
    rng = rng_for("spin", key)
    for correct, tortured in tortured_pairs(lexicon):
        if correct in text and rng.random() < min(1.0, 2 * rate):
            text = re.sub(r"\b%s\b" % re.escape(correct), tortured, text)
    table = synonyms() if table is None else table

    def swap(m: re.Match) -> str:
        word = m.group()
        options = table.get(word)
        if word in _STOP or not options or rng.random() >= rate:
            return word
        return rng.choice(options)

    return _WORD.sub(swap, text)
