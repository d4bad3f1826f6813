"""Issue 27's choices, measured on dev before the test split is touched: the HT-vs-MT records in train
and MT systems held out.

Each variant is a model fitted by :func:`training.train.run` (``make train``'s own fitting, no early
exits) on the train split, with C values and thresholds chosen on dev as always, and its dev texts then
scored by :class:`detector.Detector` (full LM budget, the path of ``detect score``). ``train.run`` also
reports a held-out split: here it is handed copies of the dev records as its "test" split, so the whole
study needs LM scores for train and dev only; no figure here is a test figure.

Variants: every registered feature (``base``); without the HT-vs-MT records in train (``old``: the model
of before, refitted); and (``holdouts``, which needs ``base``) for DeepL and Google, every train and dev
record of the system removed (:mod:`training.experiments.holdouts`' rule) and its dev MT ranked against
the dev human translations. ``python -m training.experiments.dev_study [--out FILE]``.
"""
from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

import numpy as np

from training import data, metrics

HTMT = "htmt"  # the HT-vs-MT corpus's source


def dev_as_test(records: list[dict]) -> list[dict]:
    """Train and dev records, and a copy of each dev record as the "test" split ``train.run`` reports on."""
    kept = [r for r in records if r["split"] in ("train", "dev")]
    return kept + [dict(r, split="test", id=f"{r['id']}#dev") for r in kept if r["split"] == "dev"]


def slices(rows: list[dict], p: np.ndarray) -> dict[str, float | None]:
    """Dev AUROC: all texts; MT against human translations (all, WMT, HT-vs-MT and its two systems);
    round trips and spins against every human text."""
    y = np.array([r["label"] == "machine" for r in rows], dtype=int)
    kind = np.array([r["kind"] for r in rows])
    src = np.array([r["source"] for r in rows])
    system = np.array([str((r.get("detail") or {}).get("system", "")) for r in rows])
    ht = kind == "human_translation"
    out = {"all": metrics.auroc(y, p)}
    for name, mt, ref in (("mt vs human translation", kind == "mt", ht),
                          ("  WMT", (kind == "mt") & (src == "wmt"), ht & (src == "wmt")),
                          ("  HT-vs-MT de-en", (kind == "mt") & (src == HTMT), ht & (src == HTMT)),
                          ("  DeepL", system == "DeepL-2021", ht & (src == HTMT)),
                          ("  Google", system == "Google-2021", ht & (src == HTMT))):
        sel = (mt & (kind == "mt")) | ref
        out[name] = metrics.auroc(y[sel], p[sel])
    for k in ("roundtrip", "spun"):
        sel = (kind == k) | (y == 0)
        out[f"{k} vs human"] = metrics.auroc(y[sel], p[sel])
    return out


def product_p(model_dir: Path, rows: list[dict], scorer) -> np.ndarray:
    from detector import Detector

    det = Detector(model_dir, scorer=scorer, cascade=False)
    return np.nan_to_num([s.p_machine for s in det.score_many([r["text"] for r in rows])], nan=0.0)


def main(argv=None) -> int:
    from detector import features as F
    from detector.lm import LMScorer
    from training import train
    from training.cache import CachedScorer
    from training.experiments import holdouts

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path, default=None, help="also write the tables to this markdown file")
    ap.add_argument("--variants", default="base,old,holdouts")
    args = ap.parse_args(argv)
    wanted = set(args.variants.split(","))
    if "holdouts" in wanted:
        wanted.add("base")  # the all-data reference of the held-out rows
    log = lambda m: print(m, file=sys.stderr, flush=True)  # noqa: E731
    records = dev_as_test(data.load_corpus(splits=("train", "dev")))
    extra = data.bundled_translation_extra(records, log)
    dev = [r for r in records if r["split"] == "dev"]
    scorer = LMScorer(max_tokens=train.MAX_TOKENS)
    cached = CachedScorer(scorer)
    base = F.feature_names()
    variants = {"base": ("every registered feature", records, base),
                "old": ("no HT-vs-MT train records",
                        [r for r in records if r["split"] != "train" or r["source"] != HTMT], base)}
    table, tmp = {}, Path(tempfile.mkdtemp(prefix="dev_study-"))
    for key, (label, recs, names) in variants.items():
        if key not in wanted:
            continue
        log(f"variant {label}")
        train.run(recs, tmp / key, scorer, "gbm", log, translation_extra=extra, cascade=False, features=names)
        table[label] = slices(dev, product_p(tmp / key, dev, cached))
    lines = ["# Issue 27 on dev (training.experiments.dev_study)", "",
             "Models fitted on train by `train.run` (no early exits), scored on the dev split by `Detector`; AUROC.", "",
             "| dev AUROC | " + " | ".join(table) + " |", "|---|" + "---|" * len(table)]
    for k in next(iter(table.values()), {}):
        lines.append(f"| {k} | " + " | ".join("-" if v[k] is None else f"{v[k]:.4f}" for v in table.values()) + " |")
    if "holdouts" in wanted:
        rows = holdouts.run(records, extra, ["DeepL-2021", "Google-2021"], log,
                            tmp / "base", features=base)
        lines += ["", "Held out (dev: the system's train and dev records removed; its dev MT against dev human "
                  "translations; *all data*: the first model above).", ""]
        lines += holdouts.section(rows)[4:]
    print("\n".join(lines))
    if args.out:
        args.out.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
