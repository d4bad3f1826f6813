"""Held-out metrics: AUROC per machine kind against the human kinds, FPR per human kind, never-seen."""
from __future__ import annotations

import numpy as np

HUMAN_KINDS = ("native", "human_translation", "scrape_damaged")


def auroc(y: np.ndarray, p: np.ndarray) -> float | None:
    from sklearn.metrics import roc_auc_score

    return float(roc_auc_score(y, p)) if len(np.unique(y)) == 2 else None


def kind_metrics(p: np.ndarray, y: np.ndarray, kinds: np.ndarray, holdout: np.ndarray, threshold: float) -> dict:
    """The figures the acceptance list names, on one split."""
    human = y == 0
    out = {"auroc_all": auroc(y, p), "n": int(len(y))}
    for kind in sorted(set(kinds[y == 1])):
        sel = (kinds == kind) | human
        out[f"auroc_{kind}_vs_human"] = auroc(y[sel], p[sel])
        out[f"tpr_{kind}"] = float(np.mean(p[kinds == kind] >= threshold))
    sel = (kinds == "mt") | (kinds == "human_translation")
    out["auroc_mt_vs_human_translation"] = auroc(y[sel], p[sel])
    for held in ("system", "language"):
        m = (holdout == held) & (kinds == "mt")
        ref = (kinds == "human_translation") & ((holdout == held) if held == "language" else True)
        out[f"auroc_never_seen_{held}"] = auroc(np.r_[np.ones(m.sum()), np.zeros(ref.sum())], np.r_[p[m], p[ref]])
        out[f"n_never_seen_{held}"] = int(m.sum())
    for kind in HUMAN_KINDS:
        if (kinds == kind).any():
            out[f"fpr_{kind}"] = float(np.mean(p[kinds == kind] >= threshold))
    return out
