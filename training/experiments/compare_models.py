"""Two models on the same test records, through the product's path (``Detector`` with its cascade and
length bands, the score cache): AUROC per machine kind and FPR per human kind on every record, on the
records that predate the HT-vs-MT de-en corpus, and on that corpus alone; verdicts of the human texts.

    python -m training.experiments.compare_models models/<new> detector/resources/model --out report.md

Issue 27 used it to decide whether a retrained model may be shipped (no loss on round trips and spins).
"""
from __future__ import annotations

import argparse
import collections
import sys
from pathlib import Path

import numpy as np

SUBSETS = ("all", "before HT-vs-MT", "HT-vs-MT de-en")
NEW_SOURCE = "htmt"


def subset_masks(sources: np.ndarray) -> dict[str, np.ndarray]:
    return {"all": np.ones(len(sources), bool), "before HT-vs-MT": sources != NEW_SOURCE,
            "HT-vs-MT de-en": sources == NEW_SOURCE}


def figures(p: np.ndarray, verdicts: np.ndarray, y, kinds, holdout, sources, threshold: float) -> dict:
    """Per subset: ``kind_metrics`` (FPR at the model's global 1% threshold) and the verdict counts of
    its human texts (the product's decision, length bands included)."""
    from training.metrics import kind_metrics

    out = {}
    for name, sel in subset_masks(sources).items():
        m = kind_metrics(p[sel], y[sel], kinds[sel], holdout[sel], threshold)
        m["human verdicts"] = dict(sorted(collections.Counter(verdicts[sel & (y == 0)].tolist()).items()))
        out[name] = m
    return out


def model_figures(model_dir: str, records: list[dict], split: str = "test") -> dict:
    from detector.artifact import load
    from training.evaluate import detector_for, split_scores
    from training.train import arrays

    s = split_scores(detector_for(model_dir, cascade=True), records, split)
    rs, y, kinds, _, holdout = arrays(records, split)
    sources = np.array([r["source"] for r in rs])
    threshold = load(model_dir).meta["thresholds"]["0.01"]["threshold"]
    return figures(s.scores, s.verdicts, y, kinds, holdout, sources, threshold)


def render(names: list[str], figs: list[dict], split: str) -> list[str]:
    lines = [f"# Models compared on the {split} split (training.experiments.compare_models)", "",
             "Product path: `Detector` with its cascade and length bands. AUROC over `p_machine`; `fpr_*` at "
             "the model's global 1% threshold; human verdicts are the product's decisions.", ""]
    for sub in SUBSETS:
        lines += [f"## {sub}", "", "| figure | " + " | ".join(names) + " |", "|---|" + "---|" * len(names)]
        for key in figs[0][sub]:
            cells = []
            for f in figs:
                v = f[sub].get(key)
                cells.append("n/a" if v is None else f"{v:.4f}" if isinstance(v, float) else str(v))
            lines.append(f"| {key} | " + " | ".join(cells) + " |")
        lines.append("")
    return lines


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("models", nargs="+")
    ap.add_argument("--split", default="test")
    ap.add_argument("--out", type=Path)
    a = ap.parse_args(argv)
    from training.data import load_corpus

    records = [r for r in load_corpus() if r["split"] == a.split]
    text = "\n".join(render(a.models, [model_figures(m, records, a.split) for m in a.models], a.split))
    if a.out:
        a.out.write_text(text)
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
