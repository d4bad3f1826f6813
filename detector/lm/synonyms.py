"""Thesaurus probes: the words whose synonyms the LM scorer weighs against the word actually written.

An article spinner swaps common words for thesaurus synonyms that do not fit the context ("solar
scheme" for "solar system", "this hebdomad" for "this week"). The LM sees such a word as surprising,
and, more tellingly, it expects one of the word's own synonyms in its place. :func:`probes` lists the
lowercase words and multiword phrases ("ice chest" for "cooler") of a text that have synonyms in
``resources/synonyms.tsv.gz`` (WordNet 3.0, all senses, common single-word synonyms only);
:class:`detector.lm.LMScorer` reports, for the first token of each, the log-probability of its likeliest
single-token synonym. The table loads on first use.
"""
from __future__ import annotations

import gzip
import re
from functools import lru_cache
from importlib import resources

import numpy as np

_WORD = re.compile(r"(?<![A-Za-z0-9'’-])[a-z]+(?![A-Za-z0-9'’-])")
MIN_LETTERS = 3  # single words shorter than this are never probed
MAX_PHRASE_WORDS = 3


@lru_cache(maxsize=1)
def table() -> dict[str, tuple[str, ...]]:
    """headword (a word, or a phrase of words joined by single spaces) -> its synonyms, sorted (the order
    :attr:`TokenScores.alt_index` refers to)."""
    raw = gzip.decompress(resources.files("detector").joinpath("resources", "synonyms.tsv.gz").read_bytes())
    out = {}
    for line in raw.decode("utf-8").splitlines():
        if line and not line.startswith("#"):
            word, syns = line.split("\t")
            out[word] = tuple(syns.split(","))
    return out


def lookup(word: str) -> tuple[str, ...]:
    """Synonyms of ``word`` or of a phrase such as ``"ice chest"`` (empty when it has none in the table).

    >>> "system" in lookup("scheme"), lookup("ice chest")
    (True, ('cooler',))
    >>> lookup("Scheme")
    ()
    """
    return table().get(word, ())


def probes(text: str, end: int | None = None, phrases: bool = True) -> list[tuple[int, int, str, tuple[str, ...]]]:
    """``(start, end, headword, synonyms)`` for each probed unit up to character ``end``, in text order.

    A unit is a lowercase phrase of 2-3 words (single spaces between) that the thesaurus lists, the
    longest first ("a married woman" probes "married woman", whose synonym is "wife"), or else a lowercase
    all-letter word of 3+ letters with synonyms. ``phrases=False`` probes single words only.

    >>> [(s, w) for s, e, w, syns in probes("The solar scheme, and Pluto's orbit")]
    [(10, 'scheme'), (30, 'orbit')]
    >>> [w for s, e, w, syns in probes("his married woman set up an ice chest")]
    ['married woman', 'set up', 'ice chest']
    >>> [w for s, e, w, syns in probes("his married woman set up an ice chest", phrases=False)]
    ['set', 'ice', 'chest']
    >>> probes("The solar scheme, and Pluto's orbit", end=20)[-1][2]
    'scheme'
    >>> probes("Scheme schemes rescheme it's")
    []
    """
    syn = table()
    limit = len(text) if end is None else min(end, len(text))
    words = list(_WORD.finditer(text, 0, min(len(text), limit + 64)))  # a word cut at ``end`` is not probed
    out = []
    i = 0
    while i < len(words):
        found = None
        if phrases:
            for n in range(min(MAX_PHRASE_WORDS, len(words) - i), 1, -1):
                run = words[i:i + n]
                if all(text[a.end():b.start()] == " " for a, b in zip(run, run[1:])):
                    head = " ".join(m.group() for m in run)
                    if head in syn:
                        found = (run[0].start(), run[-1].end(), head, syn[head])
                        i += n
                        break
        if found is None:
            word = words[i].group()
            if len(word) >= MIN_LETTERS and word in syn:
                found = (words[i].start(), words[i].end(), word, syn[word])
            i += 1
        if found and found[1] <= limit:
            out.append(found)
    return out


def token_probes(text: str, ids: list[int], offsets, single_token) -> dict[int, tuple[np.ndarray, np.ndarray]]:
    """What the LM scorer probes: token index -> (candidate token ids, their indices in the word's synonym
    list), for each :func:`probes` word that starts a token within ``offsets``. ``single_token(word)`` is
    the token id of " word" when that is one token (else None); a candidate equal to the written token is
    skipped."""
    if not ids:
        return {}
    starts: dict[int, int] = {}
    for t, (a, b) in enumerate(offsets):
        a = int(a)
        while a < b and text[a].isspace():
            a += 1
        starts.setdefault(a, t)
    out = {}
    for start, _, _, syns in probes(text, int(offsets[-1][1])):
        t = starts.get(start)
        if t is None:
            continue
        cands = [(tid, j) for j, s in enumerate(syns) if (tid := single_token(s)) is not None and tid != ids[t]]
        if cands:
            out[t] = (np.array([c[0] for c in cands]), np.array([c[1] for c in cands]))
    return out


def spelling_variant(a: str, b: str) -> bool:
    """True for two spellings of one word (WordNet lists both as synonyms): the same first three letters,
    at least five letters each, and at most two single-letter edits apart.

    >>> [spelling_variant(*p) for p in [("colour", "color"), ("programme", "program"), ("centre", "center"),
    ...                                 ("enquiry", "inquiry"), ("canvas", "canvass"), ("pool", "pond")]]
    [True, True, True, False, True, False]
    """
    if a[:3] != b[:3] or min(len(a), len(b)) < 5 or abs(len(a) - len(b)) > 2:
        return False
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        cur = [i]
        for j, cb in enumerate(b, 1):
            cur.append(min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (ca != cb)))
        prev = cur
    return prev[-1] <= 2
