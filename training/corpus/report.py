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


def is_machine(r: dict) -> bool:
    return r["label"] == "machine"


def layout_auroc(records: list[dict], target=is_machine) -> float:
    """Test AUROC of a layout-only classifier fitted on train to predict ``target`` (default: the label)."""
    from sklearn.ensemble import HistGradientBoostingClassifier
    from sklearn.metrics import roc_auc_score

    train = [r for r in records if r["split"] == "train"]
    test = [r for r in records if r["split"] == "test"]
    X = np.array([layout_features(r["text"]) for r in train])
    y = np.array([target(r) for r in train])
    clf = HistGradientBoostingClassifier(max_iter=200, random_state=0).fit(X, y)
    Xt = np.array([layout_features(r["text"]) for r in test])
    yt = np.array([target(r) for r in test])
    return float(roc_auc_score(yt, clf.predict_proba(Xt)[:, 1]))


def layout_checks(records: list[dict]) -> dict[str, float]:
    """The layout-only AUROCs the corpus must keep near 0.5 (acceptance: <= 0.60): the label over the whole
    corpus and within each translation source, and, among translations, which source a text comes from
    (HT-vs-MT's one-line documents against WMT's segments)."""
    translations = [r for r in records if r["kind"] in ("mt", "human_translation")]
    out = {"label, whole corpus": layout_auroc(records)}
    for source in ("wmt", "htmt"):
        out[f"label, {source} only"] = layout_auroc([r for r in records if r["source"] == source])
    out["source (htmt vs wmt), translations"] = layout_auroc(translations, lambda r: r["source"] == "htmt")
    return out


def main() -> int:
    records = load_corpus()
    print("\n".join(count_table(records)))
    print(f"\nLayout-only classifiers ({', '.join(LAYOUT_FEATURES)}), test AUROC (0.5 = layout says nothing; "
          "acceptance: <= 0.60):")
    for what, value in layout_checks(records).items():
        print(f"  {what}: {value:.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
