"""LM statistics: how surprising a text is to a small language model, over the whole document.

Every feature takes ``(text, TokenScores)`` and returns :class:`~detector.spans.Measured`; the unit is
nats per token unless the docstring says otherwise. Local measures (spikes, punctuation, collocations)
live in :mod:`detector.features.lm.local`.

Which tokens count (the first, blank ones, hygiene damage and its shadow are dropped; sentence statistics
use only sentences inside the token budget) is :mod:`detector.features.lm.tokens`.
"""
from __future__ import annotations

import math

import numpy as np

from ...lm import TokenScores
from ...spans import Measured, safe_div
from .. import feature
from .tokens import kept_tokens, sentence_groups, word_scores  # noqa: F401 (word_scores: the examples)

MIN_SENTENCES = 2  # sentences needed for a spread across sentences
TOP_RANK, NEAR_RANK, FAR_RANK, RARE_RANK = 1, 10, 100, 1000  # GLTR bucket edges


def _measure(value: float) -> Measured:
    return Measured(float(value))


@feature("lm.mean_nll.v1", needs_lm=True)
def mean_nll(text: str, scores: TokenScores) -> Measured:
    """Mean token surprisal, nats/token (the log of perplexity).

    Round-trip translation swaps idioms for near-synonyms and bends word order, so an LM trained on
    native text finds it less likely on average. The first token is dropped (no context):

    >>> mean_nll("w0 w1 w2 w3 w4 w5 w6 w7 w8 w9", word_scores("w0 w1 w2 w3 w4 w5 w6 w7 w8 w9",
    ...          [50, 1, 2, 3, 4, 5, 6, 7, 8, 9])).value
    5.0
    """
    toks = kept_tokens(text, scores)
    return Measured(math.nan) if toks is None else _measure(toks.nll.mean())


@feature("lm.median_nll.v1", needs_lm=True)
def median_nll(text: str, scores: TokenScores) -> Measured:
    """Median token surprisal, nats/token: the typical token, robust to a few names and numbers.

    >>> t = "w0 w1 w2 w3 w4 w5 w6 w7 w8 w9"
    >>> median_nll(t, word_scores(t, [0, 1, 1, 1, 1, 1, 1, 1, 2, 30])).value
    1.0
    """
    toks = kept_tokens(text, scores)
    return Measured(math.nan) if toks is None else _measure(np.median(toks.nll))


@feature("lm.std_nll.v1", needs_lm=True)
def std_nll(text: str, scores: TokenScores) -> Measured:
    """Population standard deviation of token surprisal, nats/token.

    Translated text mixes fluent stretches with odd word choices, which widens the spread.

    >>> t = "w0 w1 w2 w3 w4 w5 w6 w7 w8"
    >>> std_nll(t, word_scores(t, [0, 1, 3, 1, 3, 1, 3, 1, 3])).value
    1.0
    """
    toks = kept_tokens(text, scores)
    return Measured(math.nan) if toks is None else _measure(toks.nll.std())


def _rank_share(text: str, scores: TokenScores, low: int, high: float) -> Measured:
    toks = kept_tokens(text, scores)
    if toks is None:
        return Measured(math.nan)
    return _measure(np.mean((toks.rank >= low) & (toks.rank <= high)))


@feature("lm.rank_top1.v1", needs_lm=True)
def rank_top1(text: str, scores: TokenScores) -> Measured:
    """Share of tokens that were the model's top guess (GLTR green bucket), a fraction in [0, 1].

    >>> t = "w0 w1 w2 w3 w4 w5 w6 w7 w8"
    >>> rank_top1(t, word_scores(t, [1] * 9, rank=[9, 1, 1, 1, 1, 2, 20, 200, 2000])).value
    0.5
    """
    return _rank_share(text, scores, 1, TOP_RANK)


@feature("lm.rank_top10.v1", needs_lm=True)
def rank_top10(text: str, scores: TokenScores) -> Measured:
    """Share of tokens ranked 1-10 by the model, a fraction in [0, 1]; stock phrasing scores high.

    >>> t = "w0 w1 w2 w3 w4 w5 w6 w7 w8"
    >>> rank_top10(t, word_scores(t, [1] * 9, rank=[9, 1, 1, 1, 1, 2, 20, 200, 2000])).value
    0.625
    """
    return _rank_share(text, scores, 1, NEAR_RANK)


@feature("lm.rank_top100.v1", needs_lm=True)
def rank_top100(text: str, scores: TokenScores) -> Measured:
    """Share of tokens ranked 1-100, a fraction in [0, 1].

    >>> t = "w0 w1 w2 w3 w4 w5 w6 w7 w8"
    >>> rank_top100(t, word_scores(t, [1] * 9, rank=[9, 1, 1, 1, 1, 2, 20, 200, 2000])).value
    0.75
    """
    return _rank_share(text, scores, 1, FAR_RANK)


@feature("lm.rank_over1000.v1", needs_lm=True)
def rank_over1000(text: str, scores: TokenScores) -> Measured:
    """Share of tokens ranked beyond 1,000 (GLTR purple bucket), a fraction in [0, 1].

    Mistranslated words and broken fragments are tokens the model barely considered.

    >>> t = "w0 w1 w2 w3 w4 w5 w6 w7 w8"
    >>> rank_over1000(t, word_scores(t, [1] * 9, rank=[9, 1, 1, 1, 1, 2, 20, 200, 2000])).value
    0.125
    """
    return _rank_share(text, scores, RARE_RANK + 1, math.inf)


@feature("lm.nll_minus_entropy.v1", needs_lm=True)
def nll_minus_entropy(text: str, scores: TokenScores) -> Measured:
    """Mean of (token NLL - predictive entropy), nats/token: surprise beyond what the model expected.

    The entropy is the model's expected NLL at that position, so this is the negated, per-token
    analytic criterion of Fast-DetectGPT. It is near 0 for text the model could have written and
    positive where the chosen words are rarer than the context warrants.

    >>> t = "w0 w1 w2 w3 w4 w5 w6 w7 w8"
    >>> nll_minus_entropy(t, word_scores(t, [9, 3, 3, 3, 3, 4, 4, 4, 4], entropy=[0] + [2] * 8)).value
    1.5
    """
    toks = kept_tokens(text, scores)
    return Measured(math.nan) if toks is None else _measure(np.mean(toks.nll - toks.entropy))


@feature("lm.nll_minus_entropy_z.v1", needs_lm=True)
def nll_minus_entropy_z(text: str, scores: TokenScores) -> Measured:
    """Mean of (NLL - entropy) over its standard deviation across tokens, unitless.

    Fast-DetectGPT divides by the model's own variance of log-probability, which the scorer does not
    keep; the spread observed across tokens stands in for it. No sqrt(n) factor, so it does not grow
    with length. nan when every token has the same difference.

    >>> t = "w0 w1 w2 w3 w4 w5 w6 w7 w8"
    >>> nll_minus_entropy_z(t, word_scores(t, [9, 3, 3, 3, 3, 4, 4, 4, 4], entropy=[0] + [2] * 8)).value
    3.0
    """
    toks = kept_tokens(text, scores)
    if toks is None:
        return Measured(math.nan)
    diff = toks.nll - toks.entropy
    return _measure(safe_div(diff.mean(), diff.std()))


def _sentence_means(text: str, scores: TokenScores) -> np.ndarray | None:
    toks = kept_tokens(text, scores)
    if toks is None:
        return None
    means = np.asarray([toks.nll[idx].mean() for idx in sentence_groups(text, toks)])
    return means if len(means) >= MIN_SENTENCES else None


@feature("lm.sentence_nll_std.v1", needs_lm=True)
def sentence_nll_std(text: str, scores: TokenScores) -> Measured:
    """Standard deviation of per-sentence mean NLL, nats/token (burstiness).

    Sentence-by-sentence translation leaves some sentences fluent and garbles others. Only sentences
    with at least ``MIN_SENTENCE_TOKENS`` kept tokens, ending inside the token budget, count.

    >>> t = "Aa bb cc dd. Ee ff gg hh. Ii jj kk ll. Mm nn oo pp."
    >>> sentence_nll_std(t, word_scores(t, [9, 1, 1, 1] + [3] * 4 + [1] * 4 + [3] * 4)).value
    1.0
    """
    means = _sentence_means(text, scores)
    return Measured(math.nan) if means is None else _measure(means.std())


@feature("lm.sentence_nll_cv.v1", needs_lm=True)
def sentence_nll_cv(text: str, scores: TokenScores) -> Measured:
    """Coefficient of variation of per-sentence mean NLL (std / mean), unitless.

    Burstiness relative to the document's own surprisal level, so a hard topic is not penalised.

    >>> t = "Aa bb cc dd. Ee ff gg hh. Ii jj kk ll. Mm nn oo pp."
    >>> sentence_nll_cv(t, word_scores(t, [9, 1, 1, 1] + [3] * 4 + [1] * 4 + [3] * 4)).value
    0.5
    """
    means = _sentence_means(text, scores)
    return Measured(math.nan) if means is None else _measure(safe_div(means.std(), means.mean()))
