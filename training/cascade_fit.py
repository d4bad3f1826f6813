"""Fitting the cascade's early-exit stages on ``train`` and choosing their exit bands on ``dev`` (the cascade
itself runs in :mod:`detector.cascade`).

Stage ``k`` is a calibrated classifier over the handcrafted features plus the LM features of the first
``tokens`` tokens (0: no LM at all). A text leaves at the first stage whose probability is at or below
``low`` (clean) or at or above ``high`` (machine); the rest go on to the full model. Bands are chosen
greedily, cheapest stage first, to save the most LM tokens on dev while

- dev AUROC of the cascade's scores stays within :data:`MAX_AUROC_LOSS` of the full model's (split
  evenly over the stages), overall and for each machine kind against the human texts, and
- ``low`` is below every stored operating threshold and ``high`` above every one, so an early exit gets
  the same verdict at every ``--fpr``;
- a stage without the LM exits texts as machine only (:data:`TEXT_ONLY_CLEAN_EXITS`).
"""
from __future__ import annotations

import numpy as np

from detector.artifact import Stage
from training import fit, metrics

MAX_AUROC_LOSS = 0.002  # on dev; the acceptance bound is 0.005 on test
MAX_CLEAN_EXIT_SHARE = 0.02  # of any machine kind on dev: a text-only stage must not wave much through
TEXT_ONLY_CLEAN_EXITS = False  # a stage without the LM may exit texts as machine only: text-only features
#                               cannot see thesaurus swaps, and scrape damage made spun texts look clean
#                               (2 of 114 test spins left as clean, costing spun AUROC 0.018)
GRID = 60  # candidate band edges per side (quantiles of the stage's dev probabilities)


def choose_band(q: np.ndarray, current: np.ndarray, open_: np.ndarray, y: np.ndarray, floors: list,
                low_max: float, high_min: float, kinds: list[np.ndarray] = ()) -> tuple[float, float]:
    """The band ``(low, high)`` letting the most open texts exit while, for every ``(subset, floor)`` in
    ``floors``, the AUROC on that subset stays >= floor, and at most :data:`MAX_CLEAN_EXIT_SHARE` of each
    machine kind (a boolean mask in ``kinds``) exits as clean."""
    if not open_.any():  # earlier stages decided everything: nothing left to exit here
        return -1.0, 2.0
    grid = np.unique(np.quantile(q[open_], np.linspace(0, 1, GRID)))
    lows = [-1.0] + [v for v in grid if v < low_max]
    highs = [2.0] + [v for v in grid if v > high_min]
    best, best_exits = (-1.0, 2.0), 0
    lows = [v for v in lows if all(np.mean(q[k] <= v) <= MAX_CLEAN_EXIT_SHARE for k in kinds)]
    for low in lows:
        for high in highs:
            leave = open_ & ((q <= low) | (q >= high))
            n = int(leave.sum())
            if n <= best_exits:
                continue
            scores = np.where(leave, q, current)
            if all(metrics.auroc(y[sel], scores[sel]) >= floor for sel, floor in floors):
                best, best_exits = (float(low), float(high)), n
    return best


def fit_stages(budgets: list[int], X: dict[int, dict[str, np.ndarray]], feature_sets: dict[int, list[str]],
               y_train: np.ndarray, groups: np.ndarray, y_dev: np.ndarray, kinds_dev: np.ndarray,
               p_dev_full: np.ndarray, thresholds: dict, full_tokens: int, classifier: str = "logreg",
               log=print, floor: np.ndarray | None = None,
               guards: list[np.ndarray] = ()) -> tuple[list[Stage], dict]:
    """Fit one stage per budget (ascending) and choose its band; returns the stages and a dev report.

    A stage is kept only if it saves LM tokens on dev: every text reaching it pays its budget again
    when it goes on (the LM reads the longer prefix from the start). ``floor`` is the evidence rule's
    p_machine floor per dev text, applied to every stage as to the full model. ``guards`` are further
    masks of dev machine texts held to :data:`MAX_CLEAN_EXIT_SHARE` like each machine kind (for example
    the scrape-damaged ones: damage is hygiene, and must not wave a machine text through unread)."""
    floor = np.zeros(len(y_dev)) if floor is None else floor
    subsets = [np.ones(len(y_dev), bool)] + [(kinds_dev == k) | (y_dev == 0) for k in np.unique(kinds_dev[y_dev == 1])]
    full = [metrics.auroc(y_dev[sel], p_dev_full[sel]) for sel in subsets]
    loss_per_stage = MAX_AUROC_LOSS / max(1, len(budgets))
    t = [v["threshold"] for v in thresholds.values()]
    current, open_ = p_dev_full.copy(), np.ones(len(y_dev), bool)
    stages, report, spent = [], [], 0.0
    for tokens in budgets:
        clf = fit.fit_calibrated(X[tokens]["train"], y_train, groups, classifier)
        q = np.maximum(clf.predict_proba(X[tokens]["dev"])[:, 1], floor)
        spent += loss_per_stage
        floors = [(sel, f - spent) for sel, f in zip(subsets, full)]
        machine_kinds = [(kinds_dev == k) & (y_dev == 1) for k in np.unique(kinds_dev[y_dev == 1])]
        machine_kinds += [g & (y_dev == 1) for g in guards if (g & (y_dev == 1)).any()]
        low_max = min(t) if tokens or TEXT_ONLY_CLEAN_EXITS else -1.0
        low, high = choose_band(q, current, open_, y_dev, floors, low_max, max(t), machine_kinds)
        leave = open_ & ((q <= low) | (q >= high))
        saved = leave.sum() * full_tokens - open_.sum() * tokens
        if saved <= 0:
            log(f"  cascade stage {tokens} tokens: dropped (exits {leave.mean():.1%} of dev, saves no LM tokens)")
            spent -= loss_per_stage
            continue
        current, open_ = np.where(leave, q, current), open_ & ~leave
        stages.append(Stage(tokens, feature_sets[tokens], low, high, clf))
        report.append({"tokens": tokens, "low": low, "high": high, "dev_exit_share": float(leave.mean()),
                       "dev_auroc_after": metrics.auroc(y_dev, current)})
        log(f"  cascade stage {tokens} tokens: band ({low:.3f}, {high:.3f}), {leave.mean():.1%} of dev exits; "
            f"dev AUROC {metrics.auroc(y_dev, current):.4f}")
    return stages, {"dev_report": report, "dev_auroc_full": full[0],
                    "max_auroc_loss_dev": MAX_AUROC_LOSS}
