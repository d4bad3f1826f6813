"""How MT against human translation grows with training data: the learning curve of its two sub-models.

For each fraction of the train source documents (kept at random, several seeds), the translation n-gram
model (with the extra WMT records of the kept documents, as ``make train`` gives it) and the translation
probe are refitted at the shipped model's C and scored on every dev mt/human_translation record. A
document's MT and its human translation are kept or dropped together. The log-linear fit of mean dev
AUROC against the fraction extrapolates how many times today's documents would reach a target: an
extrapolation, said as such in the report, not a measurement. Writes ``docs/eval/learning_curve.md``.

    python -m training.experiments.learning_curve [--model DIR] [--fractions 0.25,0.5,0.75,1] [--seeds 3] [--probe-dev-only]
"""
from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from pathlib import Path

import numpy as np

FRACTIONS = (0.25, 0.5, 0.75, 1.0)
TARGET = 0.90  # issue 3's MT against human translation AUROC
NEW_SOURCE = "htmt"  # issue 27's HT-vs-MT corpus: its gain is shown apart


def subsets(groups: list[str], fractions, seeds: int) -> list[tuple[float, int, set[str]]]:
    """(fraction, seed, kept groups): ``round(f * n)`` groups drawn without replacement per seed; the
    whole set once for f = 1."""
    groups = sorted(set(groups))
    out = []
    for f in fractions:
        for seed in range(1 if f >= 1 else seeds):
            rng = np.random.default_rng(seed)
            k = max(1, int(round(f * len(groups))))
            out.append((f, seed, set(rng.choice(groups, k, replace=False).tolist())))
    return out


def curve(groups: list[str], fit_score: Callable[[set[str]], dict], fractions, seeds: int) -> list[dict]:
    """One row per (fraction, seed): the kept documents, ``auroc`` the dev AUROC of ``fit_score(kept)``
    (AUROC by held-out set), ``test`` its test AUROC (None without one) and ``by`` every held-out set's."""
    rows = []
    for f, seed, kept in subsets(groups, fractions, seeds):
        rows.append(row(f, seed, kept, fit_score))
    return rows


def row(fraction: float, seed: int, kept: set[str], fit_score: Callable[[set[str]], dict]) -> dict:
    by_set = {k: float(v) for k, v in fit_score(kept).items()}
    return {"fraction": fraction, "seed": seed, "documents": len(kept), "auroc": by_set["dev"],
            "test": by_set.get("test"), "by": by_set}


def held_sets(split: str, records: list[dict], new_source: str = NEW_SOURCE) -> dict[str, list[int]]:
    """Row indices of one split's held-out sets: all of it, and, when it has records of ``new_source``
    (the HT-vs-MT corpus) and others, each part alone."""
    out = {split: list(range(len(records)))}
    new = [i for i, r in enumerate(records) if r["source"] == new_source]
    if new and len(new) < len(records):
        out[f"{split}, without {new_source}"] = [i for i, r in enumerate(records) if r["source"] != new_source]
        out[f"{split}, {new_source} only"] = new
    return out


def per_doubling(rows: list[dict], key: str = "auroc") -> tuple[float, float]:
    """(intercept at f = 1, gain per doubling): least squares of the mean ``key`` per fraction on log2(f)."""
    fs = sorted({r["fraction"] for r in rows})
    if len(fs) < 2:
        raise ValueError("a learning curve needs at least two fractions")
    means = [np.mean([r[key] for r in rows if r["fraction"] == f]) for f in fs]
    slope, intercept = np.polyfit(np.log2(fs), means, 1)
    return float(intercept), float(slope)


def times_needed(rows: list[dict], target: float, key: str = "auroc") -> float | None:
    """How many times today's documents the log-linear fit needs to reach ``target`` (None if it does not
    rise by at least 0.001 per doubling)."""
    intercept, slope = per_doubling(rows, key)
    if slope < 1e-3:
        return None
    return float(2 ** ((target - intercept) / slope))


def ngram_fit_score(train: list[dict], extra: list[dict], held: dict[str, list[dict]], c: float):
    """Fit the translation n-gram model on the kept documents' records; AUROC on each held-out split."""
    from sklearn.metrics import roc_auc_score

    from detector.submodels import ngram

    def score(kept: set[str]) -> dict:
        rs = [r for r in train + extra if r["group"] in kept]
        if not rs:
            raise ValueError("no train records in the kept documents")
        model = ngram.make_translation_model(c).fit([r["text"] for r in rs], [r["label"] == "machine" for r in rs])
        return {s: float(roc_auc_score([r["label"] == "machine" for r in h], ngram.logits(model, [r["text"] for r in h])))
                for s, h in held.items()}
    return score


def probe_fit_score(H: np.ndarray, y: np.ndarray, groups: np.ndarray, held: dict[str, tuple[np.ndarray, np.ndarray]],
                    c: float):
    """Fit the translation probe on the kept documents' rows; AUROC on each held-out split's (H, y)."""
    from sklearn.metrics import roc_auc_score

    from detector.submodels import probe

    def score(kept: set[str]) -> dict:
        rows = np.isin(groups, list(kept))
        model = probe.make_model(c).fit(H[rows], y[rows])
        return {s: float(roc_auc_score(yh, probe.logits(model, Hh))) for s, (Hh, yh) in held.items()}
    return score


def _by(r: dict) -> dict:
    """A curve row's AUROC by held-out set (rows without ``by`` carry dev and test only)."""
    return r.get("by") or {k: v for k, v in (("dev", r["auroc"]), ("test", r.get("test"))) if v is not None}


def _cell(values: list[float]) -> str:
    return f"{np.mean(values):.4f}" + (f" ({min(values):.4f}-{max(values):.4f})" if len(values) > 1 else "")


def report(curves: dict[str, list[dict]], n_docs: int, n_dev: int, model: str,
           without: dict[str, dict] | None = None) -> list[str]:
    """The report: one table per sub-model (a column per held-out set it was scored on, a row per fraction,
    and ``without``'s row: the sub-model fitted on the train documents outside the new corpus), then the
    log-linear fit of each column."""
    fs = sorted({r["fraction"] for rows in curves.values() for r in rows})
    lines = ["# Learning curve: MT against human translation", "",
             f"`python -m training.experiments.learning_curve` with the C values of `{model}`. Each sub-model is refitted "
             f"on a random fraction of the {n_docs} train source documents (a document's MT and human "
             "translations stay together; the translation n-gram model also gets the extra WMT records of the "
             f"kept documents) and scored on all {n_dev} dev mt/human_translation records"
             + (" and on the test ones" if any(r.get("test") is not None for rows in curves.values() for r in rows)
                else "") + ". AUROC, mean over seeds (range in brackets)."]
    if without:
        lines += ["", f"The last row of each table fits the sub-model on the train documents outside the `{NEW_SOURCE}` "
                  "corpus (issue 27's HT-vs-MT de-en): the row above it minus that row is what the new corpus adds."]
    fits = []
    for name, rows in curves.items():
        keys = [k for k in _by(rows[0]) if all(_by(r).get(k) is not None for r in rows)]
        lines += ["", f"**{name}**", "", "| fraction of train documents | documents | " + " | ".join(keys) + " |",
                  "|---|---|" + "---|" * len(keys)]
        for f in fs:
            docs = next(r["documents"] for r in rows if r["fraction"] == f)
            lines.append(f"| {f:g} | {docs} | " + " | ".join(_cell([_by(r)[k] for r in rows if r["fraction"] == f])
                                                               for k in keys) + " |")
        if without and name in without:
            w = without[name]
            lines.append(f"| without {NEW_SOURCE} | {w['documents']} | "
                         + " | ".join(f"{w['by'][k]:.4f}" if k in w["by"] else "n/a" for k in keys) + " |")
        for k in keys:
            rows_k = [dict(r, _k=_by(r)[k]) for r in rows]
            fits.append((name, k, per_doubling(rows_k, "_k"), times_needed(rows_k, TARGET, "_k")))
    lines += ["", "Log-linear fit of the means on log2(fraction), and where it would reach the target "
              f"{TARGET} (an extrapolation beyond the data, not a measurement):", ""]
    for name, split, (intercept, slope), need in fits:
        lines.append(f"- {name}, {split}: {slope:+.4f} AUROC per doubling of the documents (fit at 1x: {intercept:.4f}); "
                     + ("no rise to extrapolate." if need is None else f"{TARGET} at about {need:.1f}x today's documents."
                        if need <= 100 else f"{TARGET} only beyond 100x today's documents."))
    lines += ["", "These are the sub-models alone; the shipped classifier combines both with the LM and handcrafted "
              "features. The choices (C, layers) were made on dev; test is reported, not chosen on."]
    return lines


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--model", type=Path, default=None, help="model dir whose C values to use (default: shipped)")
    ap.add_argument("--fractions", default=",".join(map(str, FRACTIONS)))
    ap.add_argument("--seeds", type=int, default=3)
    ap.add_argument("--out", type=Path, default=Path("docs/eval/learning_curve.md"))
    ap.add_argument("--probe-dev-only", action="store_true",
                    help="the probe on dev only (needs no LM scores of the test split; the n-gram model needs none)")
    args = ap.parse_args(argv)
    from detector import artifact as M
    from detector.submodels import probe
    from detector.lm import LMScorer
    from training import data
    from training.evaluate import shown_path, write_report
    from training.featurize import hidden_vectors
    from training.data import bundled_translation_extra

    model_dir = args.model or M.default_model_dir()
    try:
        meta = json.loads((Path(model_dir) / "meta.json").read_text())
        fractions = sorted(float(f) for f in args.fractions.split(","))
    except (OSError, ValueError) as e:
        print(f"learning_curve: {e}", file=sys.stderr)
        return 2
    subs = meta.get("submodels") or {}
    if not (subs.get("translation_ngram") and subs.get("translation_probe")):
        print(f"{model_dir}: the model has no translation n-gram model or probe", file=sys.stderr)
        return 2
    if len(fractions) < 2 or not all(0 < f <= 1 for f in fractions):
        print("learning_curve: --fractions needs two or more values in (0, 1]", file=sys.stderr)
        return 2
    corpus = data.load_corpus()
    train = [r for r in corpus if r["split"] == "train" and r["kind"] in probe.TRANSLATION_KINDS]
    dev = [r for r in corpus if r["split"] == "dev" and r["kind"] in probe.TRANSLATION_KINDS]
    test = [r for r in corpus if r["split"] == "test" and r["kind"] in probe.TRANSLATION_KINDS]
    extra = bundled_translation_extra(corpus, lambda m: print(m, file=sys.stderr))
    scorer = LMScorer.for_model(meta["lm"])
    H, H_dev = (hidden_vectors([r["text"] for r in rs], scorer) for rs in (train, dev))
    y, y_dev = (np.array([r["label"] == "machine" for r in rs]) for rs in (train, dev))
    held_text, held_h = {}, {}
    for split, rs, Hs, ys in (("dev", dev, H_dev, y_dev), ("test", test, None, None)):
        if split == "test" and not args.probe_dev_only:
            Hs, ys = hidden_vectors([r["text"] for r in rs], scorer), np.array([r["label"] == "machine" for r in rs])
        for name, idx in held_sets(split, rs).items():
            held_text[name] = [rs[i] for i in idx]
            if Hs is not None:
                held_h[name] = (Hs[idx], ys[idx])
    groups = [r["group"] for r in train]
    fits = {"translation n-gram model": ngram_fit_score(train, extra, held_text, subs["translation_ngram"]["fit"]["c"]),
            "translation probe": probe_fit_score(H, y, np.array(groups), held_h, subs["translation_probe"]["fit"]["c"])}
    old_groups = {r["group"] for r in train if r["source"] != NEW_SOURCE}
    curves, without = {}, {}
    for name, fit_score in fits.items():
        curves[name] = curve(groups, fit_score, fractions, args.seeds)
        if 0 < len(old_groups) < len(set(groups)):
            without[name] = row(1.0, 0, old_groups, fit_score)
        for r in curves[name] + ([without[name]] if name in without else []):
            print(f"{name}: {r['documents']} documents (fraction {r['fraction']:g} seed {r['seed']}): "
                  + ", ".join(f"{k} {v:.4f}" for k, v in r["by"].items()), file=sys.stderr)
    write_report(args.out, report(curves, len(set(groups)), len(dev), shown_path(Path(model_dir)), without))
    return 0


if __name__ == "__main__":
    sys.exit(main())
