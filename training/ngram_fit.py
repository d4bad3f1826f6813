"""Fitting the word n-gram model (:mod:`detector.ngram`) on every train record.

The main classifier takes the n-gram logit as a feature, so its own training rows need logits from
models that never saw them: out-of-fold logits over document groups (as the calibration does).
"""
from __future__ import annotations

import numpy as np

from detector import ngram

FOLDS = 5


def fit(train_records: list[dict]) -> tuple[object, dict[str, float]]:
    """The n-gram model fitted on all ``train_records`` and each record's out-of-fold logit by id."""
    from sklearn.model_selection import GroupKFold

    texts = [r["text"] for r in train_records]
    y = np.array([r["label"] == "machine" for r in train_records], dtype=int)
    groups = np.array([r["group"] for r in train_records])
    oof = np.zeros(len(texts))
    for fit_idx, out_idx in GroupKFold(n_splits=FOLDS).split(texts, y, groups):
        model = ngram.make_model().fit([texts[i] for i in fit_idx], y[fit_idx])
        oof[out_idx] = ngram.logits(model, [texts[i] for i in out_idx])
    model = ngram.make_model().fit(texts, y)
    return model, {r["id"]: float(z) for r, z in zip(train_records, oof)}
