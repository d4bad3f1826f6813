"""Fitting the word n-gram model (:mod:`detector.submodels.ngram`) on every train record.

The main classifier takes the n-gram logit as a feature, so its own training rows need logits from
models that never saw them: out-of-fold logits over document groups (as the calibration does).
"""
from __future__ import annotations

import numpy as np

from detector.submodels import ngram
from training.hidden_fit import best_c

FOLDS = 5


def fit(train_records: list[dict]) -> tuple[object, dict[str, float]]:
    """The n-gram model fitted on all ``train_records`` and each record's out-of-fold logit by id."""
    texts = [r["text"] for r in train_records]
    y = np.array([r["label"] == "machine" for r in train_records], dtype=int)
    groups = np.array([r["group"] for r in train_records])
    oof = out_of_fold(ngram.make_model, texts, y, groups)
    model = ngram.make_model().fit(texts, y)
    return model, {r["id"]: float(z) for r, z in zip(train_records, oof)}


def out_of_fold(make, texts: list[str], y: np.ndarray, groups: np.ndarray) -> np.ndarray:
    """Each text's logit from a model (``make()``, fitted) that never saw its document group."""
    from sklearn.model_selection import GroupKFold

    oof = np.zeros(len(texts))
    for fit_idx, out_idx in GroupKFold(n_splits=FOLDS).split(texts, y, groups):
        model = make().fit([texts[i] for i in fit_idx], y[fit_idx])
        oof[out_idx] = ngram.logits(model, [texts[i] for i in out_idx])
    return oof


def fit_translation(train_records: list[dict], dev_records: list[dict], kinds: tuple[str, ...]):
    """The translation n-gram model (detector.submodels.ngram): C chosen on dev ``kinds`` records, fitted on the
    train ones. Returns (model, C, dev AUROC by C, logit by train id: out-of-fold for the ``kinds``
    records, the fitted model's for the rest), or None when train or dev lacks either label among ``kinds``."""
    from sklearn.metrics import roc_auc_score

    tr = [r for r in train_records if r["kind"] in kinds]
    dv = [r for r in dev_records if r["kind"] in kinds]
    y, y_dev = (np.array([r["label"] == "machine" for r in rs], dtype=int) for rs in (tr, dv))
    if len(np.unique(y)) < 2 or len(np.unique(y_dev)) < 2:
        return None
    texts, dev_texts = [r["text"] for r in tr], [r["text"] for r in dv]
    by_c = {c: float(roc_auc_score(y_dev, ngram.logits(ngram.make_translation_model(c).fit(texts, y), dev_texts)))
            for c in ngram.TRANSLATION_C_GRID}
    c = best_c(by_c)
    model = ngram.make_translation_model(c).fit(texts, y)
    others = [r for r in train_records if r["kind"] not in kinds]
    out = dict(zip([r["id"] for r in others], map(float, ngram.logits(model, [r["text"] for r in others]))))
    oof = out_of_fold(lambda: ngram.make_translation_model(c), texts, y, np.array([r["group"] for r in tr]))
    out.update(zip([r["id"] for r in tr], map(float, oof)))
    return model, c, {str(k): v for k, v in by_c.items()}, out
