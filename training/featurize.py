"""Feature matrices for records: LM token scores from the cache, handcrafted features computed here.

Feature rows are cached too (``.cache/features``), keyed by text, LM file hash, token budget and the
feature-name list, so rerunning ``make train`` or ``make eval`` is fast.
"""
from __future__ import annotations

import hashlib
import json
import math
import sys
from pathlib import Path

import numpy as np

from detector import features as F
from training.cache import ScoreCache

FEATURE_CACHE = Path(".cache/features")


def _row_key(text: str, salt: str) -> str:
    return hashlib.sha256((salt + text).encode("utf-8", "surrogatepass")).hexdigest()


def feature_rows(texts: list[str], scorer, names: list[str], label: str = "records") -> np.ndarray:
    """An (n, len(names)) matrix; nan where a feature is undefined."""
    scorer.load()
    cache = ScoreCache(scorer.sha256, scorer.max_tokens)
    salt = f"{scorer.sha256}:{scorer.max_tokens}:{hashlib.sha256(json.dumps(names).encode()).hexdigest()}:"
    FEATURE_CACHE.mkdir(parents=True, exist_ok=True)
    rows = np.full((len(texts), len(names)), math.nan)
    show = _progress(label, len(texts))
    for i, text in enumerate(texts):
        path = FEATURE_CACHE / f"{_row_key(text, salt)}.npy"
        if path.exists():
            rows[i] = np.load(path)
        else:
            tokens = cache.get(text)
            if tokens is None:
                tokens = scorer.score(text)
                cache.put(text, tokens)
            measured = F.compute(text, tokens, only=names)
            rows[i] = [measured[n].value for n in names]
            np.save(path, rows[i])
        show(i + 1)
    return rows


def _progress(label: str, total: int):
    def show(done: int) -> None:
        if done == total or done % 100 == 0:
            print(f"\r  features for {label}: {done}/{total}", end="\n" if done == total else "",
                  file=sys.stderr, flush=True)

    return show
