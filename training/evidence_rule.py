"""The evidence rule: texts with at least ``k`` different kinds of artifact get p_machine >= p_k.

``k`` is the smallest count at which no human train text reaches it while at least
:data:`MIN_SUPPORT` train texts do; ``p_k`` is the Laplace estimate (machine + 1) / (n + 2) over those
train texts, so a small support gives a modest floor. The cascade applies it (:func:`detector.cascade.evidence_floor`);
dev and test figures are reported by ``make eval``.
"""
from __future__ import annotations

import numpy as np

FEATURE = "evidence.kinds_hit.v1"
MIN_SUPPORT = 50
MAX_K = 6


def fit(values: np.ndarray, y: np.ndarray) -> dict | None:
    """The rule from train values of :data:`FEATURE` and labels (None when no count qualifies)."""
    values = np.nan_to_num(values, nan=0.0)
    for k in range(1, MAX_K + 1):
        hit = values >= k
        if hit.sum() >= MIN_SUPPORT and not (hit & (y == 0)).any():
            machine = int((hit & (y == 1)).sum())
            return {"feature": FEATURE, "at_least": k, "p_machine": float((machine + 1) / (hit.sum() + 2)),
                    "train_support": int(hit.sum()), "train_human": 0}
    return None


def apply(rule: dict | None, p: np.ndarray, values: np.ndarray) -> np.ndarray:
    """``p`` raised to the rule's floor where it applies: the product's own floor
    (:func:`detector.cascade.evidence_floor`), row by row."""
    from detector.cascade import evidence_floor

    return np.maximum(p, [evidence_floor(rule, float(v)) for v in values]) if len(p) else p
