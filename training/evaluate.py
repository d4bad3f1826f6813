"""``make eval``: a markdown report and ROC curves for a model on the dev and test splits.

Figures per machine kind against the human kinds, WMT mt against human translation, the never-seen
system and language, FPR per human kind at each stored threshold, and the ablation table.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

from detector import model as M
from detector.lm import LMScorer
from training import data, metrics
from training.featurize import feature_rows
from training.train import arrays, select


def split_scores(artifact, records, scorer, split):
    rs, y, kinds, _, holdout = arrays(records, split)
    X = feature_rows([r["text"] for r in rs], scorer, artifact.features, label=split)
    return artifact.predict_proba(X), y, kinds, holdout


def table(rows: list[tuple[str, object]]) -> list[str]:
    out = ["| metric | value |", "|---|---|"]
    for k, v in rows:
        out.append(f"| {k} | {v:.4f} |" if isinstance(v, float) else f"| {k} | {v} |")
    return out


def roc_png(curves: dict, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from sklearn.metrics import roc_curve

    fig, ax = plt.subplots(figsize=(6, 5))
    for label, (y, p) in curves.items():
        if len(np.unique(y)) == 2:
            fpr, tpr, _ = roc_curve(y, p)
            ax.plot(fpr, tpr, label=label)
    ax.set_xscale("log")
    ax.set_xlim(1e-3, 1)
    ax.set_xlabel("false-positive rate (log)")
    ax.set_ylabel("true-positive rate")
    ax.set_title("Test split ROC per machine kind vs human kinds")
    ax.legend(loc="lower right", fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def report(artifact, records, scorer, out: Path) -> str:
    lines = [f"# Evaluation of {artifact.path}", "", f"LM: {artifact.meta['lm']['name']} "
             f"(first {artifact.meta['lm']['max_tokens']} tokens); classifier: {artifact.meta.get('classifier')}; "
             "thresholds chosen on dev so that every human kind's FPR <= target.", ""]
    curves = {}
    for split in ("dev", "test"):
        p, y, kinds, holdout = split_scores(artifact, records, scorer, split)
        for fpr_key, entry in sorted(artifact.meta["thresholds"].items(), key=lambda kv: float(kv[0])):
            res = metrics.kind_metrics(p, y, kinds, holdout, entry["threshold"])
            lines += [f"## {split} split, threshold {entry['threshold']:.4f} (target FPR {fpr_key})", ""]
            lines += table(sorted(res.items())) + [""]
        if split == "test":
            for kind in sorted(set(kinds[y == 1])):
                sel = (kinds == kind) | (y == 0)
                curves[kind] = (y[sel], p[sel])
    lines += ["## Ablation (test AUROC, from training)", "", "| model | AUROC all | AUROC mt vs human_translation |",
              "|---|---|---|"]
    for name, v in artifact.meta.get("ablation", {}).items():
        lines.append(f"| {name} | {v['auroc_all']:.4f} | {v['auroc_mt_vs_human_translation']:.4f} |")
    out.mkdir(parents=True, exist_ok=True)
    roc_png(curves, out / "roc.png")
    lines += ["", "![ROC](roc.png)", ""]
    text = "\n".join(lines)
    (out / "eval.md").write_text(text, encoding="utf-8")
    return text


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description="Evaluate a model on dev and test.")
    ap.add_argument("--model", type=Path, default=None)
    ap.add_argument("--out", type=Path, default=Path("reports"))
    args = ap.parse_args(argv)
    try:
        artifact = M.load(args.model)
    except Exception as e:  # noqa: BLE001 - one line for the user, whatever went wrong
        print(f"error: {e}", file=sys.stderr)
        return 2
    records = select(data.load_corpus(), max_train=0)
    print(report(artifact, records, LMScorer(max_tokens=artifact.meta["lm"]["max_tokens"]), args.out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
