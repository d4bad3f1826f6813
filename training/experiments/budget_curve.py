"""Accuracy against LM token budget: the measurement the cascade's budgets are chosen from.

For each budget N the combined model (LM features of the first N tokens + handcrafted features) is
fitted on train and scored on dev and test; N = 0 is the handcrafted-only model. LM scores come from the
full-budget cache cut to N tokens (a causal LM scores a prefix exactly as inside the longer text).
Writes ``docs/eval/budget_curve.md``.

    python -m training.experiments.budget_curve
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from detector import features as F
from detector.lm import LMScorer
from training import data, fit, metrics
from training.evaluate import write_report
from training.featurize import feature_rows
from training.train import arrays, select

BUDGETS = (0, 16, 32, 64, 96, 128, 160)
COLUMNS = ("auroc_all", "auroc_roundtrip_vs_human", "auroc_spun_vs_human", "auroc_mt_vs_human_translation",
           "auroc_never_seen_system", "auroc_never_seen_language")


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--max-train", type=int, default=1600)
    ap.add_argument("--out", type=Path, default=Path("docs/eval/budget_curve.md"))
    ap.add_argument("--budgets", default=",".join(map(str, BUDGETS)),
                    help="comma-separated token budgets; the largest keys the LM score cache")
    args = ap.parse_args(argv)
    budgets = sorted({int(b) for b in args.budgets.split(",")})
    records = select(data.load_corpus(), args.max_train)
    scorer = LMScorer(max_tokens=max(budgets))  # cached scores at the largest budget, cut for the others
    splits = {s: arrays(records, s) for s in data.SPLITS}
    lines = ["# AUROC against LM token budget", "",
             f"Combined model refitted per budget on {len(splits['train'][0])} train records; thresholds on dev. "
             "Budget 0 is the handcrafted features alone.", "",
             "| tokens | split | " + " | ".join(c.replace("auroc_", "") for c in COLUMNS) + " |",
             "|---|---|" + "---|" * len(COLUMNS)]
    for n in budgets:
        names = F.feature_names() if n else [f for f in F.feature_names() if not f.startswith("lm.")]
        X = {s: feature_rows([r["text"] for r in splits[s][0]], scorer, names, f"{s}@{n}", tokens=n) for s in splits}
        clf = fit.fit_calibrated(X["train"], splits["train"][1], splits["train"][3])
        for s in ("dev", "test"):
            _, y, kinds, _, holdout = splits[s]
            p = clf.predict_proba(X[s])[:, 1]
            m = metrics.kind_metrics(p, y, kinds, holdout, 0.5)
            lines.append(f"| {n} | {s} | " + " | ".join(f"{m[c]:.4f}" if m.get(c) is not None else "n/a"
                                                         for c in COLUMNS) + " |")
        print(lines[-2] + "\n" + lines[-1], file=sys.stderr, flush=True)
    write_report(args.out, lines)
    return 0


if __name__ == "__main__":
    sys.exit(main())
