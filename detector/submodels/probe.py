"""The hidden-state probes: linear classifiers over the LM's mean hidden states.

**Hidden-state probe** (``hidden_probe``, feature ``lm.hidden_logit.v1``): machine against human over every kind.

The scorer already runs the LM over the first tokens of a text; besides surprisal it keeps the mean of
two layers' hidden states (``TokenScores.hidden``: a middle layer and the last). What a translation
system does to register and word order (translationese) shows there more directly than in any single
statistic. A standardised, L2-regularised logistic regression turns the vector into one logit, fitted
with the classifier (``make train``) on out-of-fold rows and stored in the model directory
(``hidden_probe.skops``, sha256-checked). Its logit is the feature ``lm.hidden_logit.v1``; it has no spans
(when it drives a verdict, the LM family's reason is given).

**Translation probe** (``translation_probe``, feature ``lm.mt_logit.v1``): the same linear model fitted on MT
against human translation only (:data:`TRANSLATION_KINDS`). Round trips and spins dominate what the general
probe learns; fitted on the WMT records alone, the same mean hidden states rank MT above human translation
better (dev 0.740 against 0.663 at the same C; docs/eval/history.md). A model trained without WMT records has none.

Logits are computed row by row (:func:`logits`): ``Pipeline.decision_function`` multiplies the whole batch
with BLAS, whose summation order depends on the batch's shape, so a text scored alone and the same text
scored in a batch could differ in the last bits; each row's terms are summed with ``math.fsum`` instead.
"""
from __future__ import annotations

import math

import numpy as np

from ..spans import Measured

C = 0.01  # inverse L2 strength, chosen on dev (training/hidden_fit.py)
TRANSLATION_KINDS = ("mt", "human_translation")  # the translation probe's rows: MT (1) against human (0)


def make_model(c: float = C):
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    return make_pipeline(StandardScaler(), LogisticRegression(C=c, max_iter=5000, class_weight="balanced"))


def vector(scores) -> np.ndarray | None:
    """The probe's input for one text: its flattened mean hidden states, or None (no LM or a prefix)."""
    hidden = getattr(scores, "hidden", None)
    return None if hidden is None else np.asarray(hidden, np.float64).ravel()


def logits(model, X: np.ndarray) -> np.ndarray:
    """``model`` (StandardScaler then LogisticRegression, binary) applied to the rows of ``X``.

    >>> from sklearn.linear_model import LogisticRegression
    >>> from sklearn.pipeline import make_pipeline
    >>> from sklearn.preprocessing import StandardScaler
    >>> rng = np.random.default_rng(0)
    >>> X = rng.normal(size=(50, 7)); y = (X[:, 0] + X[:, 3] > 0).astype(int)
    >>> m = make_pipeline(StandardScaler(), LogisticRegression()).fit(X, y)
    >>> bool(np.allclose(logits(m, X), m.decision_function(X)))
    True
    >>> bool(all(logits(m, X[i:i + 1])[0] == logits(m, X)[i] for i in range(50)))
    True
    """
    X = np.asarray(X, np.float64)
    if not len(X):
        return np.zeros(0)
    scaler, lr = model[0], model[-1]
    terms = (X - scaler.mean_) / scaler.scale_ * lr.coef_[0]  # elementwise: exact per element
    # math.fsum is correctly rounded, so the sum cannot depend on SIMD paths, alignment or batch shape
    return np.array([math.fsum(row) for row in terms]) + float(lr.intercept_[0])


def measure(model, scores) -> Measured:
    v = vector(scores)
    if v is None or v.shape[0] != model.n_features_in_:
        return Measured(math.nan)
    return Measured(float(logits(model, v[None, :])[0]))
