"""Test doubles: a fast, deterministic stand-in for :class:`detector.lm.LMScorer` (no torch)."""
from __future__ import annotations

import hashlib
import itertools
import math
import re

import numpy as np

from detector.api import Detector as _Detector  # the class itself, even where a test patches detector.api
from detector.lm import DEFAULT_MAX_TOKENS, SMOLLM2, TokenScores, empty_scores

# Line breaks are tokens of their own; otherwise leading spaces attach to the next word or symbol, as in BPE.
_TOKEN = re.compile(r"\n+|[^\S\n]*(?:\w+|[^\w\s])")
_SENTENCE_END = ".!?\n"
NLL_LOW, NLL_HIGH = 0.5, 8.0  # hash-derived base surprisal range, nats
DIGIT_BUMP = 3.0  # numbers are hard to predict
NAME_BUMP = 3.0  # so are capitalised words in mid-sentence
VOCAB = 49152  # rank ceiling (SmolLM2's vocabulary size)
HIDDEN_DIM = 8  # width of the fake mean hidden states


def _unit(token: str, salt: bytes) -> float:
    """A stable number in [0, 1) from the token text."""
    digest = hashlib.blake2b(token.encode("utf-8", "surrogatepass"), digest_size=8, salt=salt).digest()
    return int.from_bytes(digest, "big") / 2 ** 64


def _mid_sentence_capital(text: str, start: int, token: str) -> bool:
    word = token.lstrip()
    before = text[:start].rstrip()
    return bool(word) and word[0].isupper() and bool(before) and before[-1] not in _SENTENCE_END


class FakeScorer:
    """Same interface as ``LMScorer``: nll from a hash of the token, rank and entropy derived from it."""

    name = "fake-hash-scorer"
    spec = SMOLLM2  # what LMScorer.spec says; training records its hidden layers
    sha256 = hashlib.sha256(b"detector tests FakeScorer v1").hexdigest()

    def __init__(self, max_tokens: int = DEFAULT_MAX_TOKENS):
        self.max_tokens = max_tokens
        self.loads = 0
        self.calls: list[tuple[int, int]] = []  # (texts, budget) per score_many call

    def load(self) -> None:
        self.loads += 1

    def score(self, text: str) -> TokenScores:
        return self.score_many([text])[0]

    def score_many(self, texts: list[str], max_tokens: int | None = None) -> list[TokenScores]:
        self.calls.append((len(texts), max_tokens or self.max_tokens))
        return [self._score(t, max_tokens or self.max_tokens) for t in texts]

    def _score(self, text: str, budget: int) -> TokenScores:
        matches = list(itertools.islice(_TOKEN.finditer(text), budget or None))
        if not matches:
            return empty_scores()
        nll, rank, entropy = [], [], []
        for m in matches:
            tok = m.group()
            value = NLL_LOW + (NLL_HIGH - NLL_LOW) * _unit(tok, b"nll")
            value += DIGIT_BUMP * any(c.isdigit() for c in tok)
            value += NAME_BUMP * _mid_sentence_capital(text, m.start(), tok)
            nll.append(value)
            rank.append(min(VOCAB, max(1, int(math.exp(value - 1.0)))))
            entropy.append(0.5 + 0.6 * value * _unit(tok, b"ent") + 0.4 * value)
        n = len(matches)
        # "hidden states": per-token hash vectors, averaged (layer 0) and surprisal-weighted (layer 1)
        vecs = np.array([[_unit(m.group(), bytes([k])) for k in range(HIDDEN_DIM)] for m in matches])
        hidden = np.stack([vecs.mean(0), (vecs * np.asarray(nll)[:, None]).mean(0) / NLL_HIGH]).astype(np.float32)
        return TokenScores(np.asarray([m.span() for m in matches], np.int32).reshape(-1, 2),
                           np.asarray(nll, np.float32), np.asarray(rank, np.int32), np.asarray(entropy, np.float32),
                           np.full(n, np.nan, np.float32), np.full(n, -1, np.int16), hidden)


class EnvScorer(FakeScorer):
    """The fake scorer, slowed or made to kill its own process as ``DETECTOR_TEST_SCORER`` says, for tests that
    run ``detect`` in a subprocess (workers inherit the variable): ``slow:<seconds per batch>``, or
    ``kill:<marker file>:<batch>``: SIGKILL on that batch of this process unless the marker exists (it is
    created first), so the process dies once and a resumed run goes through."""

    def __init__(self):
        super().__init__()
        self.batches = 0

    def score_many(self, texts, max_tokens=None):
        import os
        import signal
        import time
        from pathlib import Path

        self.batches += 1
        mode, *args = os.environ.get("DETECTOR_TEST_SCORER", "").split(":")
        if mode == "slow":
            time.sleep(float(args[0]))
        elif mode == "kill" and self.batches == int(args[1]) and not Path(args[0]).exists():
            Path(args[0]).touch()
            os.kill(os.getpid(), signal.SIGKILL)
        return super().score_many(texts, max_tokens)


def env_detector(model=None, **kwargs):
    """``Detector`` with :class:`EnvScorer`: module-level, so a worker process can unpickle it."""
    kwargs.pop("scorer", None)
    return _Detector(model, scorer=EnvScorer(), **kwargs)
