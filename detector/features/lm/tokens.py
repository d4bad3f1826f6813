"""The token view every LM feature starts from: which of the LM's tokens count, and where they sit.

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

The view of one scoring is derived once per text and thread (:func:`scored_tokens`).
"""
from __future__ import annotations

import threading
import weakref
from dataclasses import dataclass, replace

import numpy as np

from ...lm import TokenScores
from ...text import sentences
from .. import hygiene

MIN_TOKENS = 8  # kept tokens below which every LM feature is undefined
MIN_SENTENCE_TOKENS = 3  # kept tokens a sentence needs to enter sentence-level statistics
DAMAGE_SHADOW_TOKENS = 1  # tokens after a damaged one that are also dropped (damaged context)


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
