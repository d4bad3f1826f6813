"""``make corpus-report``: counts per kind x label x split, and a layout-only confound check.

The confound check trains a deliberately naive classifier on layout features only (quote style, line
lengths, line count, non-ASCII ratio) on ``train`` and reports its AUROC on ``test``. Near 0.5 means
typography and layout do not give the label away.
"""
from __future__ import annotations

import sys

import numpy as np

from training.data import load_corpus

from .manifest import count_table

LAYOUT_FEATURES = ("curly_quotes", "straight_quotes", "lines", "mean_line_chars", "max_line_chars",
                   "blank_lines", "non_ascii", "chars")


def layout_features(text: str) -> list[float]:
    lines = [ln for ln in text.split("\n") if ln.strip()]
    lengths = [len(ln) for ln in lines] or [0]
    n = max(len(text), 1)
    return [
        1000 * sum(text.count(c) for c in "“”‘’") / n,
        1000 * sum(text.count(c) for c in "\"'") / n,
        len(lines),
        float(np.mean(lengths)),
        float(max(lengths)),
        text.count("\n\n"),
        sum(1 for c in text if ord(c) > 127) / n,
        len(text),
    ]


def layout_auroc(records: list[dict]) -> float:
    from sklearn.ensemble import HistGradientBoostingClassifier
    from sklearn.metrics import roc_auc_score

    train = [r for r in records if r["split"] == "train"]
    test = [r for r in records if r["split"] == "test"]
    X = np.array([layout_features(r["text"]) for r in train])
    y = np.array([r["label"] == "machine" for r in train])
    clf = HistGradientBoostingClassifier(max_iter=200, random_state=0).fit(X, y)
    Xt = np.array([layout_features(r["text"]) for r in test])
    yt = np.array([r["label"] == "machine" for r in test])
    return float(roc_auc_score(yt, clf.predict_proba(Xt)[:, 1]))


def main() -> int:
    records = load_corpus()
    print("\n".join(count_table(records)))
    print(f"\nLayout-only classifier ({', '.join(LAYOUT_FEATURES)}): test AUROC {layout_auroc(records):.3f}"
          " (0.5 = layout says nothing about the label; acceptance: <= 0.60)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
