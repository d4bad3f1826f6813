"""Local LM statistics: surprisal spikes, punctuation and function-word surprisal, odd collocations.

Whole-document averages dilute a single mistranslated phrase; these features look at the worst tokens
and at the places where round-trip translation tends to break (a detached period such as
``Interfax. reported``, a misused preposition, a word pair no native writer would put together).
Token selection (first token, blank tokens and hygiene damage dropped; sentences inside the token
budget only) is :mod:`detector.features.lm.tokens`, as for :mod:`detector.features.lm.stats`; units are
nats unless stated.
"""
from __future__ import annotations

import math
import unicodedata

import numpy as np

from ...lm import TokenScores
from ...spans import Measured, Span, safe_div
from ...text import sentences, words
from .. import feature
from .tokens import MIN_TOKENS, ScoredTokens, kept_tokens, scored_tokens, sentence_groups, word_scores  # noqa: F401 (word_scores: the examples)

SPIKE_NLL = 10.0  # nats (p < 5e-5): a token at least this surprising is a spike
TOP_SHARE = 0.05  # the most surprising share of tokens averaged by nll_top5_mean
TAIL_PERCENTILE = 95.0
PER_TOKENS = 100  # spike rate unit: spikes per this many tokens
MIN_SUBSET_TOKENS = 3  # tokens a subset (punctuation, function words, ...) needs for its mean
COLLOCATION_NLL = 12.0  # nats for the second word of a lowercase pair to be flagged
TOP_COLLOCATIONS = 5  # at most this many collocation_odd spans
CLOSERS = ".”"  # a token after one of these (or a closing straight quote) is "after a stop"
APOSTROPHES = "'’"
FUNCTION_WORDS = frozenset("the of to and a in that is was for on with as by at from".split())


def _name_like(text: str, start: int) -> bool:
    """True when the word containing ``text[start]`` begins with a capital letter (names, acronyms)."""
    i = start
    while i > 0 and (text[i - 1].isalnum() or text[i - 1] in APOSTROPHES):
        i -= 1
    return text[i].isupper()


def _whole_word(text: str, start: int, end: int) -> bool:
    return (start == 0 or not text[start - 1].isalnum()) and (end == len(text) or not text[end].isalnum())


def _subset_mean(toks: ScoredTokens, mask: np.ndarray) -> Measured:
    return Measured(float(toks.nll[mask].mean())) if mask.sum() >= MIN_SUBSET_TOKENS else Measured(math.nan)


@feature("lm.sentence_max_nll.v1", needs_lm=True)
def sentence_max_nll(text: str, scores: TokenScores) -> Measured:
    """Mean over sentences of the sentence's most surprising token, nats.

    One garbled phrase per sentence is typical of sentence-by-sentence machine translation.

    >>> t = "Aa bb cc dd. Ee ff gg hh ii."
    >>> sentence_max_nll(t, word_scores(t, [9, 1, 6, 1, 1, 2, 2, 2, 2])).value
    4.0
    """
    toks = kept_tokens(text, scores)
    groups = sentence_groups(text, toks) if toks is not None else []
    return Measured(float(np.mean([toks.nll[g].max() for g in groups]))) if groups else Measured(math.nan)


@feature("lm.nll_p95.v1", needs_lm=True)
def nll_p95(text: str, scores: TokenScores) -> Measured:
    """95th percentile of token NLL (linear interpolation), nats: the height of the surprisal tail.

    >>> t = " ".join(f"w{i}" for i in range(22))
    >>> nll_p95(t, word_scores(t, [0] + list(range(21)))).value
    19.0
    """
    toks = kept_tokens(text, scores)
    return Measured(math.nan) if toks is None else Measured(float(np.percentile(toks.nll, TAIL_PERCENTILE)))


@feature("lm.nll_top5_mean.v1", needs_lm=True)
def nll_top5_mean(text: str, scores: TokenScores) -> Measured:
    """Mean NLL of the most surprising 5% of tokens (at least one token), nats.

    >>> t = " ".join(f"w{i}" for i in range(21))
    >>> nll_top5_mean(t, word_scores(t, [0] + list(range(20)))).value
    19.0
    """
    toks = kept_tokens(text, scores)
    if toks is None:
        return Measured(math.nan)
    k = max(1, math.ceil(round(TOP_SHARE * len(toks), 9)))
    return Measured(float(np.sort(toks.nll)[-k:].mean()))


@feature("lm.spike_share.v1", needs_lm=True)
def spike_share(text: str, scores: TokenScores) -> Measured:
    """Share of tokens with NLL of at least ``SPIKE_NLL`` nats, a fraction in [0, 1] (names included).

    >>> t = "w0 w1 w2 w3 w4 w5 w6 w7 w8"
    >>> spike_share(t, word_scores(t, [12, 1, 1, 1, 1, 1, 1, 11, 12])).value
    0.25
    """
    toks = kept_tokens(text, scores)
    return Measured(math.nan) if toks is None else Measured(float(np.mean(toks.nll >= SPIKE_NLL)))


def _word_bounds(text: str, start: int, end: int) -> tuple[int, int]:
    """Widen a token that starts or ends inside a word to the whole word (``arm`` -> ``armament``)."""
    while 0 < start < end and text[start - 1].isalnum() and text[start].isalnum():
        start -= 1
    while start < end < len(text) and text[end - 1].isalnum() and text[end].isalnum():
        end += 1
    return start, end


def _spike_spans(text: str, toks: ScoredTokens, spikes: np.ndarray) -> tuple[Span, ...]:
    """Spike tokens widened to whole words; runs of consecutive tokens or touching words become one span."""
    spans: list[list[int]] = []
    last = -2
    for i in np.flatnonzero(spikes):
        start, end = _word_bounds(text, int(toks.start[i]), int(toks.end[i]))
        if spans and (toks.index[i] == last + 1 or start <= spans[-1][1]):
            spans[-1][1] = max(spans[-1][1], end)
        else:
            spans.append([start, end])
        last = toks.index[i]
    return tuple(Span(s, e, "surprisal_spike") for s, e in spans)


@feature("lm.spike_rate.v1", needs_lm=True)
def spike_rate(text: str, scores: TokenScores) -> Measured:
    """Spikes (NLL >= ``SPIKE_NLL``) per 100 tokens, among tokens of words not starting with a capital.

    Names are naturally surprising; a spike on an ordinary word is a broken phrase, a detached
    period or a wrong word. Spans (``surprisal_spike``) mark runs of spike tokens, widened to whole
    words so that a spike on ``arm`` shows as ``armament``.

    >>> t = "w0 w1 w2 w3 Name w5 w6 w7 w8 w9"
    >>> m = spike_rate(t, word_scores(t, [12, 1, 1, 1, 15, 1, 1, 1, 1, 11]))
    >>> m.value, [s.text_of(t) for s in m.spans]
    (12.5, ['w9'])
    """
    toks = kept_tokens(text, scores)
    if toks is None:
        return Measured(math.nan)
    ordinary = np.asarray([not _name_like(text, s) for s in toks.start], bool)
    if ordinary.sum() < 1:
        return Measured(math.nan)
    spikes = ordinary & (toks.nll >= SPIKE_NLL)
    return Measured(PER_TOKENS * float(spikes.sum()) / float(ordinary.sum()), _spike_spans(text, toks, spikes))


@feature("lm.punct_nll.v1", needs_lm=True)
def punct_nll(text: str, scores: TokenScores) -> Measured:
    """Mean NLL of punctuation-only tokens, nats/token.

    Translation leaves stray commas, doubled periods and quotes closed in the wrong place.

    >>> t = "w0 w1 , w3 . w5 w6 ; w8"
    >>> punct_nll(t, word_scores(t, [9, 1, 2, 1, 4, 1, 1, 6, 1])).value
    4.0
    """
    toks = kept_tokens(text, scores)
    if toks is None:
        return Measured(math.nan)
    punct = [all(unicodedata.category(c).startswith("P") for c in text[s:e]) for s, e in zip(toks.start, toks.end)]
    return _subset_mean(toks, np.asarray(punct, bool))


def _after_stop(text: str, prev_end: int) -> bool:
    if prev_end <= 0:
        return False
    mark = text[prev_end - 1]
    closing_straight = mark == '"' and (prev_end == len(text) or text[prev_end].isspace())
    return mark in CLOSERS or closing_straight


@feature("lm.after_stop_nll.v1", needs_lm=True)
def after_stop_nll(text: str, scores: TokenScores) -> Measured:
    """Mean NLL of the token right after a period or closing quote, nats/token.

    A detached period (``Interfax. reported``) or a quote closed mid-sentence makes the next token
    surprising; after a real sentence end the next word is only moderately so.

    >>> t = "w0 w1. w2 w3. w4 w5” w6 w7 w8"
    >>> after_stop_nll(t, word_scores(t, [9, 1, 6, 1, 3, 1, 9, 1, 1])).value
    6.0
    """
    toks = kept_tokens(text, scores)
    if toks is None:
        return Measured(math.nan)
    return _subset_mean(toks, np.asarray([_after_stop(text, int(p)) for p in toks.prev_end], bool))


@feature("lm.function_word_nll.v1", needs_lm=True)
def function_word_nll(text: str, scores: TokenScores) -> Measured:
    """Mean NLL of common function words (the, of, to, in, ...) as whole-word tokens, nats/token.

    Machine translation misuses articles and prepositions (``under the threat of threats``).

    >>> t = "w0 the w2 of w4 w5 in w7 w8"
    >>> function_word_nll(t, word_scores(t, [9, 1, 1, 2, 1, 1, 6, 1, 1])).value
    3.0
    """
    toks = kept_tokens(text, scores)
    if toks is None:
        return Measured(math.nan)
    mask = [text[s:e].lower() in FUNCTION_WORDS and _whole_word(text, s, e) for s, e in zip(toks.start, toks.end)]
    return _subset_mean(toks, np.asarray(mask, bool))


def _word_nll(toks: ScoredTokens, start: int, end: int) -> float:
    """Summed NLL of the tokens of word ``[start, end)``; nan unless all are kept and it starts a token."""
    lo, hi = np.searchsorted(toks.start, [start, end])
    if hi <= lo or toks.start[lo] != start or toks.end[hi - 1] < end or not toks.keep[lo:hi].all():
        return math.nan
    return float(toks.nll[lo:hi].sum())


def _odd_pairs(text: str, toks: ScoredTokens) -> list[tuple[int, int, int, float]]:
    """(sentence number, pair start, pair end, NLL of the second word) for adjacent lowercase word pairs."""
    segs = [s for s in sentences(text) if s.end <= toks.covered]
    seg_starts = np.asarray([s.start for s in segs])
    ws = [w for w in words(text) if w.end() <= toks.covered]
    out = []
    for a, b in zip(ws, ws[1:]):
        plain = all(w.group().isascii() and w.group().isalpha() and w.group().islower() for w in (a, b))
        if not plain or text[a.end():b.start()].strip(" ") or not segs:
            continue
        nll, first = _word_nll(toks, b.start(), b.end()), _word_nll(toks, a.start(), a.end())
        sent = int(np.searchsorted(seg_starts, a.start(), side="right")) - 1
        if not (math.isnan(nll) or math.isnan(first)) and sent >= 0 and b.end() <= segs[sent].end:
            out.append((sent, a.start(), b.end(), nll))
    return out


@feature("lm.collocation_odd.v1", needs_lm=True)
def collocation_odd(text: str, scores: TokenScores) -> Measured:
    """Per sentence, the largest NLL of a lowercase word given the lowercase word before it, averaged
    over sentences; nats/word (a word's NLL is the sum over its tokens).

    Near-synonym substitution produces pairs a native writer would not use (``haunting warnings``).
    Spans (``collocation_odd``) mark the worst pairs above ``COLLOCATION_NLL``.

    >>> t = "Aa bb cc dd. Ee ff gg hh ii."
    >>> m = collocation_odd(t, word_scores(t, [9, 1, 14, 1, 1, 2, 4, 2, 2]))
    >>> m.value, [s.text_of(t) for s in m.spans]
    (9.0, ['bb cc'])
    """
    toks = scored_tokens(text, scores)
    if toks.keep.sum() < MIN_TOKENS:
        return Measured(math.nan)
    worst: dict[int, float] = {}
    pairs = _odd_pairs(text, toks)
    for sent, _, _, nll in pairs:
        worst[sent] = max(worst.get(sent, -math.inf), nll)
    if not worst:
        return Measured(math.nan)
    flagged = sorted((p for p in pairs if p[3] >= COLLOCATION_NLL), key=lambda p: -p[3])[:TOP_COLLOCATIONS]
    spans = tuple(sorted(Span(s, e, "collocation_odd") for _, s, e, _ in flagged))
    return Measured(float(safe_div(sum(worst.values()), len(worst))), spans)
