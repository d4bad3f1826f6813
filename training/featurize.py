"""Feature matrices for records: LM token scores from the cache, handcrafted features computed here.

Feature rows are cached too (``.cache/features``), keyed by text, LM file hash, token budget, the
feature-name list, the score format version and the shipped lexicons, so rerunning ``make train`` or
``make eval`` is fast and a changed lexicon is never read from stale rows.
"""
from __future__ import annotations

import hashlib
import json
import math
import sys
from functools import lru_cache
from pathlib import Path

import numpy as np

from detector import features as F
from detector.cascade import MAX_FEATURE_CHARS
from detector.lm import SCORES_VERSION
from training.cache import ScoreCache

FEATURE_CACHE = Path(".cache/features")


@lru_cache(maxsize=1)
def _code_salt() -> str:
    """What feature rows depend on besides text, LM and budget: the score format and the shipped lexicons."""
    res = Path(F.__file__).parent.parent / "resources"
    digest = hashlib.sha256()
    for path in sorted([*res.glob("*.gz"), *res.glob("*.tsv")]):
        digest.update(path.name.encode() + path.read_bytes())
    return f"v{SCORES_VERSION}:{digest.hexdigest()[:16]}:"


def _row_key(text: str, salt: str) -> str:
    return hashlib.sha256((salt + text).encode("utf-8", "surrogatepass")).hexdigest()


def feature_rows(texts: list[str], scorer, names: list[str], label: str = "records",
                 tokens: int | None = None) -> np.ndarray:
    """An (n, len(names)) matrix; nan where a feature is undefined.

    ``tokens`` reads LM features from only the first ``tokens`` scored tokens (a cascade stage's budget).
    A causal LM scores a prefix exactly as it scores it inside a longer text, so the stored full-budget
    scores are cut rather than recomputed.

    Rows are computed and cached for every registered feature at once, whatever ``names`` asks for (the
    columns are then picked): models and experiments reading different subsets share one cache."""
    full = F.feature_names()
    if list(names) != full and set(names) <= set(full):
        rows = feature_rows(texts, scorer, full, label, tokens)
        return rows[:, [full.index(n) for n in names]] if len(rows) else np.full((0, len(names)), math.nan)
    scorer.load()
    cache = ScoreCache.for_scorer(scorer)
    budget = scorer.max_tokens if tokens is None else min(tokens, scorer.max_tokens)
    salt = f"{scorer.sha256}:{budget}:{hashlib.sha256(json.dumps(names).encode()).hexdigest()}:{_code_salt()}"
    FEATURE_CACHE.mkdir(parents=True, exist_ok=True)
    rows = np.full((len(texts), len(names)), math.nan)
    show = _progress(label, len(texts))
    for i, text in enumerate(texts):
        path = FEATURE_CACHE / f"{_row_key(text, salt)}.npy"
        if path.exists():
            rows[i] = np.load(path)
        else:
            scores = cache.get(text)
            if scores is None:
                scores = scorer.score(text)
                cache.put(text, scores)
            measured = F.compute(text[:MAX_FEATURE_CHARS], scores.prefix(budget), only=names)
            rows[i] = [measured[n].value for n in names]
            np.save(path, rows[i])
        show(i + 1)
    return rows


def model_rows(texts: list[str], scorer, names: list[str], label: str = "records", tokens: int | None = None,
               extra: dict[str, np.ndarray] | None = None) -> np.ndarray:
    """Rows for a model's feature list: registered features via :func:`feature_rows` (cached) and the
    fitted sub-models' outputs (the n-gram and hidden-state logits: ``extra[name]``, one per text)."""
    registered = [n for n in names if n in F.registry()]
    part = feature_rows(texts, scorer, registered, label, tokens)
    if len(registered) == len(names):
        return part
    out = np.empty((len(texts), len(names)))
    out[:, [names.index(n) for n in registered]] = part
    for n in names:
        if n not in registered:
            if extra is None or n not in extra:
                raise ValueError(f"{n} is not a registered feature; pass its values in extra")
            out[:, names.index(n)] = extra[n]
    return out


def hidden_vectors(texts: list[str], scorer) -> np.ndarray:
    """Each text's mean LM hidden states (:attr:`TokenScores.hidden`, flattened), from the LM cache."""
    from detector.submodels import probe

    scorer.load()
    cache = ScoreCache.for_scorer(scorer)
    return np.array([probe.vector(s) for s in cache.score_many(scorer, texts)])


def token_counts(texts: list[str], scorer) -> np.ndarray:
    """Tokens each text has within the scorer's budget (from the LM cache; scored when missing)."""
    scorer.load()
    cache = ScoreCache.for_scorer(scorer)
    return np.array([len(cache.score_many(scorer, [t])[0]) for t in texts])


def _progress(label: str, total: int):
    def show(done: int) -> None:
        if done == total or done % 100 == 0:
            print(f"\r  features for {label}: {done}/{total}", end="\n" if done == total else "",
                  file=sys.stderr, flush=True)

    return show
