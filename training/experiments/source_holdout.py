"""Sources never seen in training: leave one news source out of train and dev, measure it on test.

For each source (``abc``, ``bbc``, ``wsj``, and the native English WMT documents, ``wmt``), every train and
dev record of that source's native documents is dropped (the natives and what the corpus derived from
them: round trips, spins, scrape damage share the native's group). A model is fitted on the rest with
``make train``'s code, thresholds on the rest of dev, and scored on the whole test split. Per held-out
source, beside the shipped model (which saw every source): FPR of its test natives and scrape-damaged
texts at the 1% threshold, and AUROC of its round trips and spins against every test human text.
WMT machine and human translations stay in (they are not native English documents). Writes
``docs/eval/source_holdout.md``; about 4 minutes per source with the LM cache filled.

    python -m training.experiments.source_holdout
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

from detector import artifact as M
from training import data, metrics, train
from detector.api import Detector
from training.evaluate import detector_for, split_scores, write_report

SOURCES = ("abc", "bbc", "wsj", "wmt")


def held_groups(records: list[dict], source: str) -> set[str]:
    """Groups of ``source``'s native English documents."""
    return {r["group"] for r in records if r["kind"] == "native" and r["source"] == source}


def without(records: list[dict], groups: set[str]) -> list[dict]:
    """``records`` minus every train and dev record of ``groups`` (test records all stay)."""
    return [r for r in records if r["split"] == "test" or r["group"] not in groups]


def figures(p: np.ndarray, rs: list[dict], groups: set[str], threshold: float) -> list[str]:
    """FPR of the held-out source's natives and scrape-damaged texts; AUROC of its round trips and spins."""
    y = np.array([r["label"] == "machine" for r in rs], int)
    kinds = np.array([r["kind"] for r in rs])
    mine = np.array([r["group"] in groups for r in rs])
    out = []
    for kind in ("native", "scrape_damaged"):
        sel = mine & (kinds == kind)
        out.append(f"{np.mean(p[sel] >= threshold):.3f} ({int(sel.sum())})" if sel.any() else "-")
    for kind in ("roundtrip", "spun"):
        sel = (mine & (kinds == kind)) | (y == 0)
        a = metrics.auroc(y[sel], p[sel]) if (mine & (kinds == kind)).any() else None
        out.append("-" if a is None else f"{a:.4f}")
    return out


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sources", default=",".join(SOURCES))
    ap.add_argument("--models", type=Path, default=Path("models/holdout"))
    ap.add_argument("--out", type=Path, default=Path("docs/eval/source_holdout.md"))
    args = ap.parse_args(argv)
    log = lambda m: print(m, file=sys.stderr, flush=True)  # noqa: E731
    records = data.load_corpus()
    det = detector_for()
    shipped, scorer = det.artifact, det.scorer
    test = [r for r in records if r["split"] == "test"]
    p_shipped = split_scores(det, records, "test").scores
    thr = shipped.threshold(0.01)
    extra = data.bundled_translation_extra(records, log)  # as make train (never a held-out native's group)
    lines = ["# News sources never seen in training", "",
             "Each source's native documents (and the round trips, spins and scrape damage made from them) are "
             "dropped from train and dev; the model is refitted on the rest (`python -m training.experiments.source_holdout`). "
             "Test split; FPR at each model's own 1% threshold (in brackets: texts); AUROC against every test "
             "human text.", "",
             "| held-out source | model | FPR native | FPR scrape_damaged | AUROC roundtrip | AUROC spun |",
             "|---|---|---|---|---|---|"]
    for source in args.sources.split(","):
        groups = held_groups(records, source)
        kept = without(records, groups)
        out = args.models / source
        log(f"{source}: {len(records) - len(kept)} train/dev records held out -> {out}")
        train.run(kept, out, scorer, "gbm", log, [r for r in kept if r["split"] == "train"],
                  translation_extra=extra)
        art = M.load(out)
        p = split_scores(Detector(out, scorer=scorer), records, "test").scores
        lines.append(f"| {source} | without {source} | " + " | ".join(figures(p, test, groups, art.threshold(0.01))) + " |")
        lines.append(f"| {source} | shipped (all sources) | " + " | ".join(figures(p_shipped, test, groups, thr)) + " |")
        log("\n".join(lines[-2:]))
    write_report(args.out, lines)
    return 0


if __name__ == "__main__":
    sys.exit(main())
