"""Thesaurus swaps: words the LM finds far less likely than one of their own synonyms.

An article spinner replaces common words with thesaurus synonyms that do not fit ("the solar scheme",
"released this hebdomad", "an Australian canvas shows"). Surprisal alone also fires on rare but
correct words; the telling sign is that the LM, at that very place, expects a *synonym* of the written
word ("system", "week", "study"). The scorer probes each lowercase word that has synonyms
(:mod:`detector.lm.synonyms`) and stores the log-probability of its likeliest single-token synonym
(``TokenScores.alt_logp``); the *gap* of a word is that log-probability minus the log-probability of the
whole written word (sum over its tokens), in nats. Human writers choose among synonyms too, but the LM
rarely prefers another one by many nats.
"""
from __future__ import annotations

import math

import numpy as np

from ...lm import synonyms
from ...lm import TokenScores
from ...spans import Measured, Span
from .. import feature

SWAP_GAP = 8.0  # nats: a word whose synonym the LM prefers by this much is marked synonym_swap (human news
#                  tops out near 7-11 on a few words per hundred texts; spinner swaps mostly score 10-19)
RATE_GAP = 4.0  # nats: the gap counted by synonym_swap_rate
TOP_K = 3  # synonym_gap_top3 averages this many largest gaps
MAX_SPANS = 8


_last: tuple = (None, None, ())  # (text, scores, gaps) of the last call: the four features share one pass


def word_gaps(text: str, scores: TokenScores) -> list[tuple[int, int, float, str]]:
    """:func:`_word_gaps`, computed once for the same ``text`` and ``scores`` objects (every thesaurus
    feature of a text asks in turn). The memo is one tuple, read and replaced whole."""
    global _last
    last = _last
    if last[0] is not text or last[1] is not scores:
        last = (text, scores, tuple(_word_gaps(text, scores)))
        _last = last
    return list(last[2])


def _word_gaps(text: str, scores: TokenScores) -> list[tuple[int, int, float, str]]:
    """``(start, end, gap, synonym)`` for every probed word or phrase (:func:`synonyms.probes`) wholly inside
    the scored tokens; the gap subtracts the log-probability of all of the unit's tokens.

    The first token is skipped (the LM has no context for it).

    >>> t = "the solar scheme was wide"
    >>> s = _example(t, nll=[1, 2, 9, 1, 1], probe={2: (-1.5, "system")})
    >>> word_gaps(t, s)
    [(10, 16, 7.5, 'system')]
    """
    if scores.alt_logp is None or len(scores) == 0:
        return []
    offsets = np.asarray(scores.offsets, np.int64).reshape(-1, 2)
    nll = np.asarray(scores.nll, np.float64)
    units = {start: (end, head, syns) for start, end, head, syns in synonyms.probes(text, int(offsets[-1][1]))}
    out = []
    for t in np.flatnonzero(~np.isnan(np.asarray(scores.alt_logp, np.float64))):
        if t == 0:
            continue
        start = int(offsets[t][0])
        while start < offsets[t][1] and text[start].isspace():
            start += 1
        if start not in units:
            continue  # scores from another text or another thesaurus
        end, head, syns = units[start]
        last = t
        while last + 1 < len(offsets) and offsets[last + 1][0] < end:
            last += 1
        k = int(scores.alt_index[t])
        if not 0 <= k < len(syns):
            continue
        if synonyms.spelling_variant(head, syns[k]):
            continue  # colour / color, organise / organize: a house style, not a swapped word
        gap = float(scores.alt_logp[t]) + float(nll[t:last + 1].sum())
        out.append((start, end, gap, syns[k]))
    return out


@feature("lm.synonym_gap_top3.v1", needs_lm=True)
def synonym_gap_top3(text: str, scores: TokenScores) -> Measured:
    """Mean of the three largest synonym gaps (fewer when fewer words were probed), nats; nan when no word
    was probed. Spans (``synonym_swap``) mark words whose synonym the LM prefers by ``SWAP_GAP`` nats.

    >>> t = "the solar scheme was wide and the good plan"
    >>> s = _example(t, nll=[1, 2, 9, 1, 1, 1, 1, 3, 1], probe={2: (-1.0, "system"), 7: (-2.0, "well")})
    >>> m = synonym_gap_top3(t, s)
    >>> m.value, [sp.text_of(t) for sp in m.spans]
    (4.5, ['scheme'])
    """
    gaps = word_gaps(text, scores)
    if not gaps:
        return Measured(math.nan)
    values = np.sort([g for _, _, g, _ in gaps])[-TOP_K:]
    worst = sorted((g for g in gaps if g[2] >= SWAP_GAP), key=lambda g: -g[2])[:MAX_SPANS]
    return Measured(float(values.mean()), tuple(sorted(Span(s, e, "synonym_swap") for s, e, _, _ in worst)))


@feature("lm.synonym_swap_rate.v1", needs_lm=True)
def synonym_swap_rate(text: str, scores: TokenScores) -> Measured:
    """Share of probed words whose synonym the LM prefers by at least ``RATE_GAP`` nats; nan when none was
    probed.

    >>> t = "the solar scheme was wide and the good plan"
    >>> s = _example(t, nll=[1, 2, 9, 1, 1, 1, 1, 3, 1], probe={2: (-1.0, "system"), 7: (-2.0, "well")})
    >>> synonym_swap_rate(t, s).value
    0.5
    """
    gaps = word_gaps(text, scores)
    if not gaps:
        return Measured(math.nan)
    return Measured(float(np.mean([g >= RATE_GAP for _, _, g, _ in gaps])))


@feature("lm.synonym_gap_max.v1", needs_lm=True)
def synonym_gap_max(text: str, scores: TokenScores) -> Measured:
    """The largest synonym gap, nats; nan when nothing was probed. One swap a spinner made can stand out
    alone ("the solar scheme") while the other probed words fit.

    >>> t = "the solar scheme was wide and the good plan"
    >>> s = _example(t, nll=[1, 2, 9, 1, 1, 1, 1, 3, 1], probe={2: (-1.0, "system"), 7: (-2.0, "well")})
    >>> synonym_gap_max(t, s).value
    8.0
    """
    gaps = word_gaps(text, scores)
    return Measured(max(g for _, _, g, _ in gaps) if gaps else math.nan)


@feature("lm.synonym_swaps.v1", needs_lm=True)
def synonym_swaps(text: str, scores: TokenScores) -> Measured:
    """How many probed words or phrases the LM would swap for a synonym by ``SWAP_GAP`` nats or more (the
    ``synonym_swap`` spans of ``lm.synonym_gap_top3.v1``); nan when nothing was probed.

    >>> t = "the solar scheme was wide and the good plan"
    >>> s = _example(t, nll=[1, 2, 9, 1, 1, 1, 1, 3, 1], probe={2: (-1.0, "system"), 7: (-2.0, "well")})
    >>> synonym_swaps(t, s).value
    1.0
    """
    gaps = word_gaps(text, scores)
    return Measured(float(sum(g >= SWAP_GAP for _, _, g, _ in gaps)) if gaps else math.nan)


def _example(text: str, nll, probe: dict[int, tuple[float, str]]) -> TokenScores:
    """Word-per-token scores with thesaurus probes ``{token: (synonym log-prob, synonym)}``, for examples."""
    from .tokens import word_scores

    base = word_scores(text, nll)
    alt = np.full(len(base), np.nan, np.float32)
    index = np.full(len(base), -1, np.int16)
    for t, (logp, syn) in probe.items():
        a, b = base.offsets[t]
        alt[t], index[t] = logp, synonyms.lookup(text[a:b].strip()).index(syn)
    return TokenScores(base.offsets, base.nll, base.rank, base.entropy, alt, index)
