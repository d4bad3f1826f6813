"""Fitting the hidden-state probe (:mod:`detector.submodels.probe`) on the LM-scored train records.

As with the n-gram model, the main classifier's training rows need probe logits from models that never
saw them: out-of-fold logits over document groups. The regularisation strength is chosen on dev.
"""
from __future__ import annotations

import numpy as np

from detector.submodels import probe as hidden

FOLDS = 5
C_GRID = (0.001, 0.003, 0.01, 0.03, 0.1)


def choose_c(H_train: np.ndarray, y_train: np.ndarray, H_dev: np.ndarray, y_dev: np.ndarray) -> tuple[float, dict]:
    """The C with the best dev AUROC (ties: the stronger regularisation), and every C's dev AUROC."""
    from sklearn.metrics import roc_auc_score

    scores = {c: float(roc_auc_score(y_dev, hidden.logits(hidden.make_model(c).fit(H_train, y_train), H_dev)))
              for c in C_GRID}
    return best_c(scores), scores


def best_c(dev_auroc_by_c: dict) -> float:
    """The C with the best dev AUROC to 4 places; ties go to the stronger regularisation (smaller C)."""
    return max(dev_auroc_by_c, key=lambda c: (round(dev_auroc_by_c[c], 4), -c))


def fit(H: np.ndarray, y: np.ndarray, groups: np.ndarray, c: float) -> tuple[object, np.ndarray]:
    """The probe fitted on all rows, and each row's out-of-fold logit."""
    from sklearn.model_selection import GroupKFold

    oof = np.zeros(len(H))
    for fit_idx, out_idx in GroupKFold(n_splits=FOLDS).split(H, y, groups):
        oof[out_idx] = hidden.logits(hidden.make_model(c).fit(H[fit_idx], y[fit_idx]), H[out_idx])
    return hidden.make_model(c).fit(H, y), oof
