"""Can a cheap first stage clear as well as flag? Distil the full model into the text-only features.

Reads the full model's decisions on the pool (:mod:`training.pool`: every corpus text scored with the LM on
its whole budget), fits a cheap stage on the ``train`` rows (no LM: the text-only features and the n-gram
sub-models, the features of the model's first cascade stage), chooses per operating point a clear bound
``low`` and a flag bound ``high`` on ``dev``, and reports on ``test`` what the cascade would do with them:

- ``low``: the largest value with at most :data:`MAX_CLEARED_OF_FLAGGED` of the dev texts the full model
  flags (at that operating point) at or below it, and every machine kind's dev AUROC within
  :data:`MAX_AUROC_LOSS_DEV` of the full model's;
- ``high``: the smallest value at or above the operating threshold with at most
  :data:`MAX_HUMAN_FLAGGED_EARLY` of the dev human texts at or above it.

Two targets are compared: the full model's decision at the most lenient stored operating point, and that
decision or the label (a text is positive if the full model flags it or it is machine-made).
``python -m training.distill [--out docs/eval/distill.md]`` writes the report (figures from this code).
"""
from __future__ import annotations

import argparse
import math
import sys
from pathlib import Path

import numpy as np

from training import metrics

MAX_CLEARED_OF_FLAGGED = 0.01  # of the texts the full model flags, at most this share cleared early (dev)
MAX_HUMAN_FLAGGED_EARLY = 0.001  # of the human texts, at most this share flagged early (dev)
MAX_AUROC_LOSS_DEV = 0.002  # per machine kind, cascade scores vs the full model's (dev; the bound is 0.005 on test)
GRID = 200


def arrays(rows: list[dict], features: list[str]) -> dict[str, np.ndarray]:
    keep = [r for r in rows if r["p_full"] is not None and r["verdict"] in ("machine", "clean")]
    X = np.array([[math.nan if r["features"].get(f) is None else r["features"][f] for f in features] for r in keep])
    return {"X": X.reshape(len(keep), len(features)), "p": np.array([r["p_full"] for r in keep]),
            "y": np.array([r["label"] == "machine" for r in keep], int), "kind": np.array([r["kind"] for r in keep]),
            "id": np.array([r["id"] for r in keep])}


def fit_stage(d: dict, target: np.ndarray, groups: np.ndarray):
    from training import fit

    return fit.fit_calibrated(d["X"], target, groups, "gbm")


def choose_bounds(q: np.ndarray, d: dict, threshold: float) -> tuple[float, float]:
    flagged, human = d["p"] >= threshold, d["y"] == 0
    grid = np.unique(np.r_[np.quantile(q, np.linspace(0, 1, GRID)), 0.0])
    kinds = [k for k in np.unique(d["kind"][d["y"] == 1])]
    full = {k: metrics.auroc(d["y"][(d["kind"] == k) | human], d["p"][(d["kind"] == k) | human]) for k in kinds}
    low = -1.0
    for v in grid[grid < threshold]:
        cleared = q <= v
        if flagged.any() and cleared[flagged].mean() > MAX_CLEARED_OF_FLAGGED:
            break
        scores = np.where(cleared, q, d["p"])
        if any(metrics.auroc(d["y"][sel], scores[sel]) < full[k] - MAX_AUROC_LOSS_DEV
               for k in kinds for sel in [(d["kind"] == k) | human]):
            break
        low = float(v)
    high = 2.0
    for v in grid[::-1]:
        if v < threshold or np.mean(q[human] >= v) > MAX_HUMAN_FLAGGED_EARLY:
            break
        high = float(v)
    return low, high


def outcome(q: np.ndarray, d: dict, threshold: float, low: float, high: float) -> dict:
    cleared, flagged_early = q <= low, q >= high
    p = np.where(cleared | flagged_early, q, d["p"])
    full_flag, human = d["p"] >= threshold, d["y"] == 0
    out = {"n": len(q), "cleared": float(cleared.mean()), "flagged_early": float(flagged_early.mean()),
           "lm_share": float(1 - (cleared | flagged_early).mean()),
           "cleared_of_full_flagged": float(cleared[full_flag].mean()) if full_flag.any() else 0.0,
           "human_flagged_early": float(flagged_early[human].mean()),
           "agreement": float(np.mean((p >= threshold) == full_flag))}
    for k in np.unique(d["kind"][d["y"] == 1]):
        sel = (d["kind"] == k) | human
        out[f"auroc_loss_{k}"] = metrics.auroc(d["y"][sel], d["p"][sel]) - metrics.auroc(d["y"][sel], p[sel])
        out[f"tpr_{k}"] = (float(np.mean(p[d["kind"] == k] >= threshold)), float(np.mean(d["p"][d["kind"] == k] >= threshold)))
    for k in metrics.HUMAN_KINDS:
        if (d["kind"] == k).any():
            out[f"fpr_{k}"] = (float(np.mean(p[d["kind"] == k] >= threshold)), float(np.mean(d["p"][d["kind"] == k] >= threshold)))
    return out


def main(argv=None) -> int:
    from detector import artifact
    from training import pool
    from training.data import load_corpus

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path, default=None, help="write the report (Markdown) here as well")
    args = ap.parse_args(argv)
    art = artifact.load()
    features = art.stages[0].features if art.stages else [f for f in art.features if not f.startswith("lm.")]
    rows = pool.rows(pool.POOL)
    groups = {r["id"]: r["group"] for r in load_corpus()}
    split = {s: arrays([r for r in rows if r["split"] == s], features) for s in ("train", "dev", "test")}
    if min(len(v["y"]) for v in split.values()) == 0:
        raise SystemExit(f"the pool lacks a split: {[(s, len(v['y'])) for s, v in split.items()]}; run python -m training.pool")
    lenient = min(v["threshold"] for v in art.meta["thresholds"].values())
    tr = split["train"]
    lines = [f"# Distilling the full model into a cheap first stage", "",
             f"Pool rows (English, at least {art.min_words} words): train {len(tr['y'])}, dev {len(split['dev']['y'])}, "
             f"test {len(split['test']['y'])}. Cheap stage: a calibrated gradient-boosted classifier over the "
             f"{len(features)} text-only features of the model's first stage (no LM). Bounds on dev: at most "
             f"{MAX_CLEARED_OF_FLAGGED:.0%} of the texts the full model flags cleared, at most "
             f"{MAX_HUMAN_FLAGGED_EARLY:.1%} of human texts flagged early, machine-kind AUROC within "
             f"{MAX_AUROC_LOSS_DEV} of the full model. Figures on **test**.", ""]
    targets = {"full model's decision (at the most lenient point)": (tr["p"] >= lenient).astype(int),
               "full model's decision or label": ((tr["p"] >= lenient) | (tr["y"] == 1)).astype(int)}
    for name, target in targets.items():
        model = fit_stage(tr, target, np.array([groups[i] for i in tr["id"]]))
        q = {s: model.predict_proba(split[s]["X"])[:, 1] for s in ("dev", "test")}
        lines += [f"## Target: {name}", "",
                  f"AUROC of the cheap stage on test: against the labels "
                  f"{metrics.auroc(split['test']['y'], q['test']):.3f}, against the full model's decision at 1% FPR "
                  f"{metrics.auroc((split['test']['p'] >= art.threshold(0.01)).astype(int), q['test']):.3f} "
                  f"(the full model against the labels: {metrics.auroc(split['test']['y'], split['test']['p']):.3f}).", "",
                  "| fpr | low | high | cleared | flagged early | reach the LM | of full-flagged cleared | human flagged early | agreement | worst AUROC loss |",
                  "|---|---|---|---|---|---|---|---|---|---|"]
        for key in sorted(art.meta["thresholds"], key=float):
            t = art.threshold(float(key))
            low, high = choose_bounds(q["dev"], split["dev"], t)
            o = outcome(q["test"], split["test"], t, low, high)
            worst = max((v, k[len("auroc_loss_"):]) for k, v in o.items() if k.startswith("auroc_loss_"))
            lines.append(f"| {key} | {low:.4f} | {high:.4f} | {o['cleared']:.1%} | {o['flagged_early']:.1%} | "
                         f"{o['lm_share']:.1%} | {o['cleared_of_full_flagged']:.1%} | {o['human_flagged_early']:.2%} | "
                         f"{o['agreement']:.2%} | {worst[0]:.4f} ({worst[1]}) |")
        lines.append("")
    text = "\n".join(lines)
    print(text)
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(text + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
