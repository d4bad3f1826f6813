"""Token-sequence features: the order of the LM's per-token scores, not only their averages.

Whole-document means (:mod:`detector.features.lm.stats`) treat tokens as a bag. Detectors built on small
LMs do better when they also read the per-token sequence (Ghostbuster's vector operations; LLMixtic's
per-token features): a fluent machine translation tends to run in long stretches the model finds exactly
as predictable as it expected, where a human translator's choices surprise it in short, scattered bursts.
Every feature here reads ``d = NLL - entropy`` per kept token (the surprise beyond what the model
expected, :func:`detector.features.lm.stats.nll_minus_entropy`), its rank, or both, over the kept tokens
(:func:`detector.features.lm.stats.kept_tokens`); nan with fewer than ``MIN_TOKENS`` of them.
"""
from __future__ import annotations

import math

import numpy as np

from ...lm import TokenScores
from ...spans import Measured, Span
from .. import feature
from .stats import kept_tokens

WINDOW = 16  # tokens in the sliding window of :func:`gap_window_max`


def _gap(text: str, scores: TokenScores):
    toks = kept_tokens(text, scores)
    return None if toks is None else (toks, toks.nll - toks.entropy)


def _value(x: float) -> Measured:
    return Measured(float(x) if np.isfinite(x) else math.nan)


@feature("lm.seq.gap_q25.v1", needs_lm=True)
def gap_q25(text: str, scores: TokenScores) -> Measured:
    """25th percentile of ``NLL - entropy`` over tokens, nats: how far below expectation the easy tokens go.

    >>> from .stats import word_scores
    >>> t = " ".join(f"w{i}" for i in range(9))
    >>> gap_q25(t, word_scores(t, [0] + list(range(1, 9)), entropy=[0] * 9)).value
    2.75
    """
    got = _gap(text, scores)
    return Measured(math.nan) if got is None else _value(np.percentile(got[1], 25))


@feature("lm.seq.gap_q75.v1", needs_lm=True)
def gap_q75(text: str, scores: TokenScores) -> Measured:
    """75th percentile of ``NLL - entropy`` over tokens, nats: how surprising the harder quarter is.

    >>> from .stats import word_scores
    >>> t = " ".join(f"w{i}" for i in range(9))
    >>> gap_q75(t, word_scores(t, [0] + list(range(1, 9)), entropy=[0] * 9)).value
    6.25
    """
    got = _gap(text, scores)
    return Measured(math.nan) if got is None else _value(np.percentile(got[1], 75))


@feature("lm.seq.gap_autocorr.v1", needs_lm=True)
def gap_autocorr(text: str, scores: TokenScores) -> Measured:
    """Lag-1 autocorrelation of ``NLL - entropy``, in [-1, 1]: whether surprise comes in runs.

    >>> from .stats import word_scores
    >>> t = " ".join(f"w{i}" for i in range(13))
    >>> round(gap_autocorr(t, word_scores(t, [0] + [1, 1, 1, 5, 5, 5] * 2, entropy=[0] * 13)).value, 3)
    0.417
    """
    got = _gap(text, scores)
    if got is None:
        return Measured(math.nan)
    d = got[1] - got[1].mean()
    denom = float((d * d).sum())
    return Measured(math.nan) if denom == 0 else _value(float((d[1:] * d[:-1]).sum()) / denom)


@feature("lm.seq.expected_run.v1", needs_lm=True)
def expected_run(text: str, scores: TokenScores) -> Measured:
    """Mean length of runs of tokens no more surprising than the model expected (``NLL <= entropy``), tokens.

    >>> from .stats import word_scores
    >>> t = " ".join(f"w{i}" for i in range(10))
    >>> expected_run(t, word_scores(t, [0, 1, 1, 1, 3, 1, 3, 1, 1, 3], entropy=[2] * 10)).value
    2.0
    """
    got = _gap(text, scores)
    if got is None:
        return Measured(math.nan)
    return _value(_mean_run(got[1] <= 0))


@feature("lm.seq.top1_run.v1", needs_lm=True)
def top1_run(text: str, scores: TokenScores) -> Measured:
    """Mean length of runs of tokens that were the model's top guess (rank 1), tokens.

    >>> from .stats import word_scores
    >>> t = " ".join(f"w{i}" for i in range(10))
    >>> top1_run(t, word_scores(t, [1] * 10, rank=[1, 1, 1, 1, 5, 1, 5, 1, 1, 5])).value
    2.0
    """
    toks = kept_tokens(text, scores)
    return Measured(math.nan) if toks is None else _value(_mean_run(np.asarray(toks.rank) == 1))


@feature("lm.seq.entropy_nll_corr.v1", needs_lm=True)
def entropy_nll_corr(text: str, scores: TokenScores) -> Measured:
    """Correlation across tokens between the model's entropy and the token's NLL, in [-1, 1]: whether the
    text is surprising exactly where the model was unsure (nan when either is constant).

    >>> from .stats import word_scores
    >>> t = " ".join(f"w{i}" for i in range(9))
    >>> round(entropy_nll_corr(t, word_scores(t, [0, 1, 2, 1, 2, 1, 2, 1, 2], entropy=[0, 1, 2, 1, 2, 1, 2, 1, 2])).value, 6)
    1.0
    """
    toks = kept_tokens(text, scores)
    if toks is None or np.std(toks.nll) == 0 or np.std(toks.entropy) == 0:
        return Measured(math.nan)
    return _value(float(np.corrcoef(toks.nll, toks.entropy)[0, 1]))


@feature("lm.seq.gap_window_max.v1", needs_lm=True)
def gap_window_max(text: str, scores: TokenScores) -> Measured:
    """Largest mean ``NLL - entropy`` over any ``WINDOW`` consecutive kept tokens, nats: the most surprising
    stretch (its span is reported). With fewer tokens than a window, the whole text's mean.

    >>> from .stats import word_scores
    >>> t = " ".join(f"w{i}" for i in range(40))
    >>> m = gap_window_max(t, word_scores(t, [0] * 20 + [2] * 16 + [0] * 4, entropy=[0] * 40))
    >>> m.value, t[m.spans[0].start:m.spans[0].end].split()[0]
    (2.0, 'w20')
    """
    got = _gap(text, scores)
    if got is None:
        return Measured(math.nan)
    toks, d = got
    w = min(WINDOW, len(d))
    sums = np.convolve(d, np.ones(w), mode="valid")
    i = int(np.argmax(sums))
    span = Span(int(toks.start[i]), int(toks.end[i + w - 1]), "surprisal_spike")
    return Measured(float(sums[i] / w), (span,))


def _mean_run(mask: np.ndarray) -> float:
    """Mean length of the runs of True in ``mask`` (0 when there are none)."""
    m = np.concatenate([[False], np.asarray(mask, bool), [False]]).astype(np.int8)
    starts, ends = np.flatnonzero(np.diff(m) == 1), np.flatnonzero(np.diff(m) == -1)
    return float((ends - starts).mean()) if len(starts) else 0.0
