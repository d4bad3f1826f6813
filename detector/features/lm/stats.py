"""LM statistics: how surprising a text is to a small language model, over the whole document.

Every feature takes ``(text, TokenScores)`` and returns :class:`~detector.spans.Measured`; the unit is
nats per token unless the docstring says otherwise. Local measures (spikes, punctuation, collocations)
live in :mod:`detector.features.lm.local` and share :func:`scored_tokens` with this module.

Which tokens count. Before anything is computed we drop

* the first non-blank token of the document: the model predicts it from nothing, so its surprisal
  says nothing about the text;
* tokens that are only whitespace: line breaks measure page layout, not language;
* tokens overlapping a hygiene damage span (:func:`detector.features.hygiene.damage_spans`), and the
  ``DAMAGE_SHADOW_TOKENS`` tokens after one (they are predicted from damaged context). Scrape damage
  such as a stripped apostrophe (``doesnt``) or glued link text (``launchedspecial talksMonday``) makes
  surprisal spike exactly as a mistranslation does; hygiene is text damage, not evidence of machine
  origin, so it must not look like machine translation here;
* tokens whose NLL is not finite.

Scores cover only the first ``max_tokens`` tokens of a document (the token budget), so sentence-level
statistics use only sentences that end inside the scored region. With fewer than ``MIN_TOKENS`` kept
tokens every feature is ``nan``.
"""
from __future__ import annotations

import math
import threading
import weakref
from dataclasses import dataclass, replace

import numpy as np

from ...lm import TokenScores
from ...spans import Measured, safe_div
from ...text import sentences
from .. import feature, hygiene

MIN_TOKENS = 8  # kept tokens below which every LM feature is undefined
MIN_SENTENCE_TOKENS = 3  # kept tokens a sentence needs to enter sentence-level statistics
MIN_SENTENCES = 2  # sentences needed for a spread across sentences
DAMAGE_SHADOW_TOKENS = 1  # tokens after a damaged one that are also dropped (damaged context)
TOP_RANK, NEAR_RANK, FAR_RANK, RARE_RANK = 1, 10, 100, 1000  # GLTR bucket edges


@dataclass(frozen=True)
class ScoredTokens:
    """Non-blank tokens of one document with stripped character offsets, LM arrays and a keep mask."""

    start: np.ndarray  # (k,) offsets of the token text without surrounding whitespace
    end: np.ndarray
    index: np.ndarray  # position in the original TokenScores
    nll: np.ndarray
    rank: np.ndarray
    entropy: np.ndarray
    keep: np.ndarray  # bool: counts for the statistics (see the module docstring)
    prev_end: np.ndarray  # end offset of the previous non-blank token, -1 for the first
    covered: int  # character offset where scoring stops (end of the last scored token)

    def __len__(self) -> int:
        return len(self.nll)

    def kept(self) -> "ScoredTokens":
        """Only the kept tokens."""
        k = self.keep
        return replace(self, start=self.start[k], end=self.end[k], index=self.index[k], nll=self.nll[k],
                       rank=self.rank[k], entropy=self.entropy[k], keep=self.keep[k], prev_end=self.prev_end[k])


def word_scores(text: str, nll, rank=None, entropy=None) -> TokenScores:
    """One token per whitespace-separated word of ``text`` (leading space included, as BPE does).

    For examples and tests; ``rank`` defaults to 1 and ``entropy`` to 0.

    >>> len(word_scores("a b c", [1, 2, 3]))
    3
    """
    starts = [i for i, c in enumerate(text) if not c.isspace() and (i == 0 or text[i - 1].isspace())]
    ends = [next((j for j in range(s, len(text)) if text[j].isspace()), len(text)) for s in starts]
    offsets = [(p if k else s, e) for k, (s, e, p) in enumerate(zip(starts, ends, [0] + ends))]
    n = len(offsets)
    return TokenScores(np.asarray(offsets, np.int32).reshape(-1, 2), np.asarray(nll, np.float32),
                       np.asarray(rank if rank is not None else np.ones(n), np.int32),
                       np.asarray(entropy if entropy is not None else np.zeros(n), np.float32))


_MEMO = threading.local()  # per thread: the last few (scores, text, ScoredTokens), see scored_tokens
MEMO_SIZE = 4


def scored_tokens(text: str, scores: TokenScores) -> ScoredTokens:
    """Strip whitespace from the tokens, drop blank ones and mark which of the rest count.

    Every LM feature starts here, so the result for the same ``scores`` object and text is kept (per
    thread, the last :data:`MEMO_SIZE`): one ``features.compute`` call derives it once, not once per
    feature. Callers treat it as read-only, like ``scores``."""
    memo = getattr(_MEMO, "items", None)
    if memo is None:
        memo = _MEMO.items = []
    for ref, seen, toks in memo:
        if ref() is scores and seen == text:
            return toks
    toks = _scored_tokens(text, scores)
    memo.insert(0, (weakref.ref(scores), text, toks))
    del memo[MEMO_SIZE:]
    return toks


def _scored_tokens(text: str, scores: TokenScores) -> ScoredTokens:
    offsets = np.asarray(scores.offsets, np.int64).reshape(-1, 2).clip(0, len(text))
    nll = np.asarray(scores.nll, np.float64)
    starts, ends, index = [], [], []
    for i, (s, e) in enumerate(offsets):
        raw = text[s:e]
        if raw.strip():
            starts.append(s + len(raw) - len(raw.lstrip()))
            ends.append(e - len(raw) + len(raw.rstrip()))
            index.append(i)
    start, end, index = (np.asarray(a, np.int64) for a in (starts, ends, index))
    damage = np.asarray([(d.start, d.end) for d in hygiene.damage_spans(text)], np.int64).reshape(-1, 2)
    damaged = ((damage[None, :, 0] < end[:, None]) & (damage[None, :, 1] > start[:, None])).any(axis=1)
    shadow = damaged.copy()
    for lag in range(1, DAMAGE_SHADOW_TOKENS + 1):
        shadow[lag:] |= damaged[:-lag]
    keep = (np.arange(len(index)) > 0) & ~shadow & np.isfinite(nll[index])
    return ScoredTokens(start, end, index, nll[index], np.asarray(scores.rank)[index],
                        np.asarray(scores.entropy, np.float64)[index], keep,
                        np.concatenate([[-1], end])[: len(end)], int(offsets[:, 1].max(initial=0)))


def kept_tokens(text: str, scores: TokenScores) -> ScoredTokens | None:
    """The kept tokens, or None when fewer than ``MIN_TOKENS`` remain."""
    toks = scored_tokens(text, scores).kept()
    return toks if len(toks) >= MIN_TOKENS else None


def sentence_groups(text: str, toks: ScoredTokens) -> list[np.ndarray]:
    """Token indices (into ``toks``) per fully scored sentence with at least ``MIN_SENTENCE_TOKENS``."""
    out = []
    for seg in sentences(text):
        if seg.end > toks.covered:
            break
        idx = np.flatnonzero((toks.start >= seg.start) & (toks.start < seg.end))
        if len(idx) >= MIN_SENTENCE_TOKENS:
            out.append(idx)
    return out


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
