"""Thesaurus probes: the words whose synonyms the LM scorer weighs against the word actually written.

An article spinner swaps common words for thesaurus synonyms that do not fit the context ("solar
scheme" for "solar system", "this hebdomad" for "this week"). The LM sees such a word as surprising,
and, more tellingly, it expects one of the word's own synonyms in its place. :func:`probes` lists the
lowercase words of a text that have synonyms in ``resources/synonyms.tsv.gz`` (WordNet 3.0, all senses,
common single-word synonyms only); :class:`detector.lm.LMScorer` reports, for the first token of each,
the log-probability of its likeliest single-token synonym. The table loads on first use.
"""
from __future__ import annotations

import gzip
import re
from functools import lru_cache
from importlib import resources

import numpy as np

_WORD = re.compile(r"(?<![A-Za-z0-9'’-])[a-z]{4,}(?![A-Za-z0-9'’-])")


@lru_cache(maxsize=1)
def table() -> dict[str, tuple[str, ...]]:
    """word -> its synonyms, sorted (the order :attr:`TokenScores.alt_index` refers to)."""
    raw = gzip.decompress(resources.files("detector").joinpath("resources", "synonyms.tsv.gz").read_bytes())
    out = {}
    for line in raw.decode("utf-8").splitlines():
        if line and not line.startswith("#"):
            word, syns = line.split("\t")
            out[word] = tuple(syns.split(","))
    return out


def lookup(word: str) -> tuple[str, ...]:
    """Synonyms of ``word`` (empty when it has none in the table).

    >>> "system" in lookup("scheme")
    True
    >>> lookup("Scheme")
    ()
    """
    return table().get(word, ())


def probes(text: str, end: int | None = None) -> list[tuple[int, int, str, tuple[str, ...]]]:
    """``(start, end, word, synonyms)`` for each lowercase all-letter word of 4+ letters that has synonyms,
    up to character ``end``.

    >>> [(s, w) for s, e, w, syns in probes("The solar scheme, and Pluto's orbit")]
    [(10, 'scheme'), (30, 'orbit')]
    >>> probes("The solar scheme, and Pluto's orbit", end=20)[-1][2]
    'scheme'
    >>> probes("Scheme schemes rescheme it's")
    []
    """
    syn = table()
    out = []
    for m in _WORD.finditer(text, 0, len(text) if end is None else end):
        found = syn.get(m.group())
        if found:
            out.append((m.start(), m.end(), m.group(), found))
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
