"""The hidden-state probe: a linear classifier over the LM's mean hidden states.

The scorer already runs the LM over the first tokens of a text; besides surprisal it keeps the mean of
two layers' hidden states (``TokenScores.hidden``: a middle layer and the last). What a translation
system does to register and word order (translationese) shows there more directly than in any single
statistic. A standardised, L2-regularised logistic regression turns the vector into one logit, fitted
with the classifier (``make train``) on out-of-fold rows and stored in the model directory
(``hidden.joblib``, sha256-checked). Its logit is the feature ``lm.hidden_logit.v1``; it has no spans
(when it drives a verdict, the LM family's reason is given).
"""
from __future__ import annotations

import math

import numpy as np

from .measure import Measured

FEATURE = "lm.hidden_logit.v1"
FILE = "hidden.joblib"
C = 0.01  # inverse L2 strength, chosen on dev (training/hidden_fit.py)


def make_model(c: float = C):
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    return make_pipeline(StandardScaler(), LogisticRegression(C=c, max_iter=5000, class_weight="balanced"))


def vector(scores) -> np.ndarray | None:
    """The probe's input for one text: its flattened mean hidden states, or None (no LM or a prefix)."""
    hidden = getattr(scores, "hidden", None)
    return None if hidden is None else np.asarray(hidden, np.float64).ravel()


def logits(model, vectors: np.ndarray) -> np.ndarray:
    """The probe's logit per row (row by row: the same alone as inside any batch)."""
    from . import linear

    return linear.logits(model, vectors)


def measure(model, scores) -> Measured:
    v = vector(scores)
    if v is None or v.shape[0] != model.n_features_in_:
        return Measured(math.nan)
    return Measured(float(logits(model, v[None, :])[0]))
