"""Do the token-sequence features (:mod:`detector.features.lm.sequence`) add anything? An ablation on dev.

The registered features (handcrafted and LM, full budget; the sub-models' logits left out, which would
need their own out-of-fold fits) feed ``make train``'s calibrated classifier, fitted on train with and
without the ``lm.seq.*`` features; dev AUROC per machine kind (MT against human translations) says whether
they earn their place. ``python -m training.experiments.sequence_features`` prints the table.
"""
from __future__ import annotations

import sys

import numpy as np

from detector import features as F
from training import data, fit, metrics
from training.featurize import feature_rows

SEQUENCE = "lm.seq."


def dev_aurocs(p: np.ndarray, y: np.ndarray, kinds: np.ndarray) -> dict[str, float | None]:
    out = {"all": metrics.auroc(y, p)}
    for kind in sorted(set(kinds[y == 1])):
        ref = (kinds == "human_translation") if kind == "mt" else (y == 0)
        sel = (kinds == kind) | ref
        out[f"{kind} vs {'human_translation' if kind == 'mt' else 'human'}"] = metrics.auroc(y[sel], p[sel])
    return out


def main() -> int:
    from detector.lm import LMScorer
    from training.train import MAX_TOKENS

    records = data.load_corpus(splits=("train", "dev"))
    scorer = LMScorer(max_tokens=MAX_TOKENS)
    names = F.feature_names()
    split = {s: [r for r in records if r["split"] == s] for s in ("train", "dev")}
    X = {s: feature_rows([r["text"] for r in rs], scorer, names, s) for s, rs in split.items()}
    y = {s: np.array([r["label"] == "machine" for r in rs], dtype=int) for s, rs in split.items()}
    groups = np.array([r["group"] for r in split["train"]])
    kinds = np.array([r["kind"] for r in split["dev"]])
    rows = {}
    for label, keep in (("with lm.seq", names), ("without lm.seq", [n for n in names if not n.startswith(SEQUENCE)])):
        cols = [names.index(n) for n in keep]
        clf = fit.fit_calibrated(X["train"][:, cols], y["train"], groups, "gbm")
        rows[label] = dev_aurocs(clf.predict_proba(X["dev"][:, cols])[:, 1], y["dev"], kinds)
    keys = list(rows["with lm.seq"])
    print("| dev AUROC | " + " | ".join(rows) + " | difference |\n|---|---|---|---|")
    for k in keys:
        a, b = rows["with lm.seq"][k], rows["without lm.seq"][k]
        print(f"| {k} | {a:.4f} | {b:.4f} | {a - b:+.4f} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
