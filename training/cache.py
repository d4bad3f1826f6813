"""On-disk cache of LM token scores, keyed by content hash, LM file hash and token budget."""
from __future__ import annotations

import hashlib
import os
import tempfile
from functools import lru_cache
from pathlib import Path

import numpy as np

from detector.lm import HIDDEN_LAYERS, SCORES_VERSION, TokenScores

DEFAULT_DIR = Path(".cache/lm")


@lru_cache(maxsize=1)
def probe_digest() -> str:
    """Digest of the thesaurus the LM's synonym probes read (``detector/resources/synonyms.tsv.gz``): the
    stored alternative scores depend on it, so a rebuilt lexicon keys fresh scores without a manual bump."""
    from importlib import resources

    raw = resources.files("detector").joinpath("resources", "synonyms.tsv.gz").read_bytes()
    return hashlib.sha256(raw).hexdigest()[:16]


class ScoreCache:
    def __init__(self, lm_sha256: str, max_tokens: int, root: Path = DEFAULT_DIR,
                 hidden_layers: tuple[int, ...] = HIDDEN_LAYERS, weights: str = "float32"):
        self.root = Path(root)
        self.salt = f"{lm_sha256}:{max_tokens}:v{SCORES_VERSION}:{probe_digest()}:h{'-'.join(map(str, hidden_layers))}:"
        if weights != "float32":  # scores from bf16/fp16 weights (a GPU) are kept apart from the fp32 ones
            self.salt += f"w{weights}:"

    @classmethod
    def for_scorer(cls, scorer, root: Path = DEFAULT_DIR) -> "ScoreCache":
        """The cache for this scorer's LM file, token budget, hidden-state layers and weights' precision."""
        return cls(scorer.sha256, scorer.max_tokens, root, scorer.spec.hidden_layers,
                   getattr(scorer, "weights", "float32"))

    def _path(self, text: str) -> Path:
        key = hashlib.sha256((self.salt + text).encode("utf-8", "surrogatepass")).hexdigest()
        return self.root / key[:2] / f"{key}.npz"

    def get(self, text: str) -> TokenScores | None:
        path = self._path(text)
        try:
            with np.load(path) as arrays:
                return TokenScores.from_arrays(arrays)
        except (OSError, ValueError, KeyError):
            return None

    def put(self, text: str, scores: TokenScores) -> None:
        path = self._path(text)
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
        with os.fdopen(fd, "wb") as f:
            np.savez_compressed(f, **scores.to_arrays())
        os.replace(tmp, path)

    def score_many(self, scorer, texts: list[str], progress=None) -> list[TokenScores]:
        """Scores for every text, computing (and storing) only the missing ones."""
        out: list[TokenScores | None] = [self.get(t) for t in texts]
        for i, t in enumerate(texts):
            if out[i] is None:
                out[i] = scorer.score(t)
                self.put(t, out[i])
            if progress:
                progress(i + 1, len(texts))
        return out  # type: ignore[return-value]


class CachedScorer:
    """An LM scorer whose full-budget scores come from (and go to) the on-disk :class:`ScoreCache`.

    ``make eval``, ``make bench`` and the experiments hand it to :class:`detector.api.Detector` in place of
    the scorer: the cascade then runs exactly as for a user, and texts scored once are never scored
    again. The cached scores are the scorer's own :meth:`~detector.lm.LMScorer.score` output, the same as
    inside any batch (the LM tests check batch invariance). Other budgets go to the scorer itself."""

    def __init__(self, scorer, root: Path = DEFAULT_DIR):
        self.scorer = scorer
        self.root = Path(root)
        self._cache: ScoreCache | None = None

    def __getattr__(self, name):  # max_tokens, name, spec, sha256, load ...: the scorer's own
        return getattr(self.scorer, name)

    def score(self, text: str) -> TokenScores:
        return self.score_many([text])[0]

    def score_many(self, texts: list[str], max_tokens: int | None = None) -> list[TokenScores]:
        if max_tokens not in (None, self.scorer.max_tokens):
            return self.scorer.score_many(texts, max_tokens=max_tokens)
        if self._cache is None:
            self.scorer.load()
            self._cache = ScoreCache.for_scorer(self.scorer, self.root)
        return self._cache.score_many(self.scorer, list(texts))
