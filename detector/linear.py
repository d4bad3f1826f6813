"""Logits of a standardised logistic regression, computed row by row.

``Pipeline.decision_function`` multiplies the whole batch with BLAS, whose summation order depends on
the batch's shape (numpy's own row sums too, through SIMD paths and alignment): a text scored alone and
the same text scored in a batch can differ in the last bits, and ``detect score`` promises the same
output either way. Each row's terms are summed with ``math.fsum``, which is correctly rounded.
"""
from __future__ import annotations

import math

import numpy as np


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
