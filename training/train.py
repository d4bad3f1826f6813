"""``make train``: fit the calibrated classifier on the corpus (or a user's JSONL, alone or added to it) and
write a model dir.

Fits the sub-models (:mod:`detector.submodels`), the calibrated classifier and the cascade's early-exit
stages on ``train``, chooses thresholds on ``dev``, reports held-out metrics on ``test`` and stores them in
``meta.json``. The held-out figures are computed with the product's own final combination
(:func:`detector.cascade.final_combination`) and evidence floor.
"""
from __future__ import annotations

import argparse
import hashlib
import sys
import time
from pathlib import Path

import numpy as np

import detector
from detector import features as F
from detector import artifact as M
from detector.lm import SPECS, LMScorer
from detector.cascade import final_combination
from detector.submodels import BY_NAME, ngram, probe, spin
from training import bands, cascade_fit, data, evidence_rule, fit, hidden_fit, metrics, ngram_fit, reason_bounds, scorecard
from training.corpus.rng import unit
from training.featurize import hidden_vectors, model_rows

MAX_TOKENS = 256  # session 12: every test and dev AUROC above 128 tokens (README, "256 tokens"); 2x the LM work
MIN_WORDS = 30  # below this the verdict is too_short
HANDCRAFTED = ("punct", "names", "lexical", "evidence", "hygiene")
# Early-exit budgets, those under the full budget used (docs/eval/budget_curve.md: 64 tokens already carry
# most of the LM's signal); a stage is kept only if it saves LM tokens on dev (training.cascade_fit)
CASCADE_BUDGETS = (0, 64, 128)
FEATURE = {name: sub.feature for name, sub in BY_NAME.items()}  # sub-model name -> the feature it fills


def select(records: list[dict], max_train: int | None) -> list[dict]:
    """All dev/test records, and train records in a fixed pseudo-random order up to ``max_train``."""
    train = sorted((r for r in records if r["split"] == "train"), key=lambda r: unit("order", r["id"]))
    if max_train is not None:
        train = train[:max_train]
    return train + [r for r in records if r["split"] != "train"]


def arrays(records: list[dict], split: str):
    rs = [r for r in records if r["split"] == split]
    y = np.array([r["label"] == "machine" for r in rs], dtype=int)
    kinds = np.array([r["kind"] for r in rs])
    groups = np.array([r["group"] for r in rs])
    holdout = np.array([(r.get("detail") or {}).get("holdout") or "" for r in rs])
    return rs, y, kinds, groups, holdout


def run(records: list[dict], out_dir: Path, scorer, classifier: str, log,
        ngram_train: list[dict] | None = None, max_tokens: int | None = None,
        translation_extra: list[dict] | None = None, cascade: bool = True,
        features: list[str] | None = None) -> dict:
    """Fit and save a model. ``records`` are the LM-scored ones; the n-gram model, which needs no LM,
    learns from ``ngram_train`` (default: the train records among ``records``), and the translation n-gram
    model from those plus ``translation_extra`` (train-only mt/human_translation records, such as
    :func:`training.corpus.build.translation_extra`). The model reads the first ``max_tokens`` tokens
    (default and at most: the scorer's budget, which keys the LM cache). ``cascade=False`` fits no early-exit
    stages (the held-out experiments, which measure the full model only). ``features``: the registered
    features the classifier reads (default: all of them, :func:`detector.features.feature_names`)."""
    budget = min(max_tokens or scorer.max_tokens, scorer.max_tokens)
    ngram_train = ngram_train or [r for r in records if r["split"] == "train"]
    log(f"  word n-gram model on {len(ngram_train)} train records")
    ngram_model, oof = ngram_fit.fit(ngram_train)
    Z = {s: np.array([oof[r["id"]] for r in records if r["split"] == s]) if s == "train" else
         ngram.logits(ngram_model, [r["text"] for r in records if r["split"] == s]) for s in data.SPLITS}
    mt_words, Zm = fit_mt_ngram(records, ngram_train + list(translation_extra or []), log)
    tr, dv, te = (arrays(records, s) for s in data.SPLITS)
    hidden_model, Hz, H = fit_hidden(records, scorer, tr, dv, budget, log)
    mt_model, Mz = fit_mt_probe(H, tr, dv, log)
    extra = {s: {FEATURE["word_ngram"]: Z[s], FEATURE["hidden_probe"]: Hz[s],
                 **({FEATURE["translation_probe"]: Mz[s]} if mt_model else {}),
                 **({FEATURE["translation_ngram"]: Zm[s]} if mt_words else {})} for s in data.SPLITS}
    names = (list(features or F.feature_names()) + [FEATURE["word_ngram"]] + ([FEATURE["translation_ngram"]] if mt_words else [])
             + [FEATURE["hidden_probe"]] + ([FEATURE["translation_probe"]] if mt_model else []))
    X = {}
    for split in data.SPLITS:
        rs = [r for r in records if r["split"] == split]
        X[split] = model_rows([r["text"] for r in rs], scorer, names, split, budget, extra[split])
    rule = fit_rule(ngram_train)
    ev = {s: X[s][:, names.index(evidence_rule.FEATURE)] for s in data.SPLITS}
    log(f"  evidence rule: {rule}")
    spin_model = fit_spin(X["train"], names, tr, log)
    route_meta = {"inputs": list(spin.INPUTS), "combine": "noisy-or", "applies": "full LM budget"}
    shell = M.Artifact(None, {"features": names, "submodels": {"spin_route": route_meta}},
                       submodels={} if spin_model is None else {"spin_route": spin_model})
    route = lambda p, X: final_combination(shell, p, X)[0]  # noqa: E731  (the product's final combination)
    clf = fit.fit_calibrated(X["train"], tr[1], tr[3], classifier)
    p_dev = evidence_rule.apply(rule, route(clf.predict_proba(X["dev"])[:, 1], X["dev"]), ev["dev"])
    table = fit.thresholds(p_dev, dv[1], dv[2])
    p_test = evidence_rule.apply(rule, route(clf.predict_proba(X["test"])[:, 1], X["test"]), ev["test"])
    test_metrics = metrics.kind_metrics(p_test, te[1], te[2], te[4], table["0.01"]["threshold"])
    dev_metrics = metrics.kind_metrics(p_dev, dv[1], dv[2], dv[4], table["0.01"]["threshold"])
    log(f"  classifier: dev AUROC {_fmt(dev_metrics['auroc_all'])} (mt vs human_translation "
        f"{_fmt(dev_metrics['auroc_mt_vs_human_translation'])}); test AUROC {_fmt(test_metrics['auroc_all'])}")
    stages, cascade_report = fit_cascade(records, scorer, names, clf, X, extra, tr, dv, table, classifier, log,
                                         rule, ev["dev"], budget, route) if cascade else ([], {})
    meta = {
        "package_version": detector.__version__, "sklearn_version": _sklearn_version(), "classifier": {"kind": classifier},
        "lm": {"name": scorer.name, "sha256": scorer.sha256, "max_tokens": budget,
               "hidden_layers": list(scorer.spec.hidden_layers)},
        "features": names, "min_words": MIN_WORDS, "thresholds": table,
        "feature_medians": {n: _median(X["train"][:, i]) for i, n in enumerate(names)},
        "training_data": _data_hashes(records), "metrics": {"test": test_metrics, "dev": dev_metrics},
        "created": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "cascade": cascade_report,
        "evidence_rule": rule,
        "reason_bounds": reason_bounds.from_matrix(X["dev"], names, dv[1] == 0, _spin_column(shell, X["dev"])),
    }
    kinds = list(probe.TRANSLATION_KINDS)
    subs = {"word_ngram": (ngram_model, {}),
            "hidden_probe": (hidden_model[0], {"fit": {"c": hidden_model[1], "dev_auroc_by_c": hidden_model[2],
                                                       "layers": list(scorer.spec.hidden_layers)}})}
    if mt_words:
        subs["translation_ngram"] = (mt_words[0], {"fit": {"c": mt_words[1], "dev_auroc_by_c": mt_words[2], "kinds": kinds,
                                                           "extra_train_records": len(translation_extra or [])}})
    if mt_model:
        subs["translation_probe"] = (mt_model[0], {"fit": {"c": mt_model[1], "dev_auroc_by_c": mt_model[2], "kinds": kinds}})
    if spin_model is not None:
        subs["spin_route"] = (spin_model, route_meta)
    M.save(clf, meta, out_dir, stages, subs)
    return meta


def fit_hidden(records, scorer, tr, dv, budget, log):
    """The hidden-state probe: C chosen on dev, fitted on train; out-of-fold logits for train rows.
    Returns ((model, C, dev AUROC by C), logits by split, hidden vectors by split). The probe reads the full
    budget's hidden states."""
    if budget != scorer.max_tokens:
        raise ValueError("the hidden-state probe needs the scorer's own budget (its mean covers every token)")
    H = {s: hidden_vectors([r["text"] for r in records if r["split"] == s], scorer) for s in data.SPLITS}
    if any(H[s].dtype == object or H[s].ndim != 2 for s in data.SPLITS):
        raise ValueError(f"the LM scorer {scorer.name} gives no hidden states for some texts")
    c, by_c = hidden_fit.choose_c(H["train"], tr[1], H["dev"], dv[1])
    model, oof = hidden_fit.fit(H["train"], tr[1], tr[3], c)
    log(f"  hidden-state probe: C={c} (dev AUROC by C: " + ", ".join(f"{k}: {v:.4f}" for k, v in by_c.items()) + ")")
    Hz = {s: oof if s == "train" else probe.logits(model, H[s]) for s in data.SPLITS}
    return (model, c, {str(k): v for k, v in by_c.items()}), Hz, H


def fit_mt_ngram(records, ngram_train, log):
    """The translation n-gram model (detector.submodels.ngram) and its logits by split (train: out-of-fold for the
    mt/human_translation rows); (None, None) when train or dev lacks either kind."""
    mt_words = ngram_fit.fit_translation(ngram_train, [r for r in records if r["split"] == "dev"], probe.TRANSLATION_KINDS)
    if mt_words is None:
        log("  translation n-gram model: none (train or dev lacks mt or human_translation records)")
        return None, None
    log(f"  translation n-gram model: C={mt_words[1]} (dev AUROC by C: "
        + ", ".join(f"{k}: {v:.4f}" for k, v in mt_words[2].items()) + ")")
    Zm = {s: np.array([mt_words[3][r["id"]] for r in records if r["split"] == s]) if s == "train" else
          ngram.logits(mt_words[0], [r["text"] for r in records if r["split"] == s]) for s in data.SPLITS}
    return mt_words, Zm


def fit_mt_probe(H: dict, tr, dv, log):
    """The translation probe (detector.submodels.probe): C chosen on dev MT against human translation, fitted on
    train's; out-of-fold logits for those train rows, the fitted probe's for every other row. Returns
    ((model, C, dev AUROC by C), logits by split), or (None, None) when train or dev lacks either kind."""
    rows = {"train": np.isin(tr[2], probe.TRANSLATION_KINDS), "dev": np.isin(dv[2], probe.TRANSLATION_KINDS)}
    y = {"train": tr[1][rows["train"]], "dev": dv[1][rows["dev"]]}
    if any(len(np.unique(v)) < 2 for v in y.values()):
        log("  translation probe: none (train or dev lacks mt or human_translation records)")
        return None, None
    c, by_c = hidden_fit.choose_c(H["train"][rows["train"]], y["train"], H["dev"][rows["dev"]], y["dev"])
    model, oof = hidden_fit.fit(H["train"][rows["train"]], y["train"], tr[3][rows["train"]], c)
    Mz = {s: probe.logits(model, H[s]) for s in data.SPLITS}
    Mz["train"][rows["train"]] = oof
    log(f"  translation probe: C={c} on {int(rows['train'].sum())} train mt/human_translation records (dev AUROC "
        "by C: " + ", ".join(f"{k}: {v:.4f}" for k, v in by_c.items()) + ")")
    return (model, c, {str(k): v for k, v in by_c.items()}), Mz


def fit_rule(train_records: list[dict]) -> dict | None:
    """The evidence rule from every train record (its feature needs no LM)."""
    values = np.array([F.compute(r["text"], only=[evidence_rule.FEATURE])[evidence_rule.FEATURE].value
                       for r in train_records])
    return evidence_rule.fit(values, np.array([r["label"] == "machine" for r in train_records], dtype=int))


def fit_spin(X_train: np.ndarray, names: list[str], tr, log):
    """The spin route (detector.submodels.spin) on train: spun texts against human ones; None without spun texts."""
    rows = (tr[2] == "spun") | (tr[1] == 0)
    if not (tr[2] == "spun").any() or not (tr[1] == 0).any():
        log("  spin route: none (no spun train texts)")
        return None
    cols = [names.index(f) for f in spin.INPUTS]
    model = spin.fit(X_train[rows][:, cols], (tr[2] == "spun")[rows])
    log(f"  spin route: fitted on {int((tr[2] == 'spun').sum())} spun and {int((tr[1] == 0).sum())} human train texts")
    return model


def fit_cascade(records, scorer, names, clf, X, extra, tr, dv, table, classifier, log, rule, ev_dev, budget,
                route=lambda p, X: p):
    """Early-exit stages at :data:`CASCADE_BUDGETS` LM tokens (0: the text-only features). The hidden-state
    probes read the full budget only, so earlier stages go without them."""
    budgets = [n for n in CASCADE_BUDGETS if n < budget]
    full_only = (FEATURE["hidden_probe"], FEATURE["translation_probe"])
    feature_sets = {n: [f for f in names if (n or not f.startswith("lm.")) and f not in full_only] for n in budgets}
    XS = {n: {s: model_rows([r["text"] for r in records if r["split"] == s], scorer, feature_sets[n],
                            f"{s}@{n} tokens", tokens=n, extra=extra[s]) for s in ("train", "dev")}
          for n in budgets}
    floor = evidence_rule.apply(rule, np.zeros(len(ev_dev)), ev_dev)
    p_dev = np.maximum(route(clf.predict_proba(X["dev"])[:, 1], X["dev"]), floor)
    scraped = np.array([bool((r.get("detail") or {}).get("scraped")) for r in dv[0]])
    return cascade_fit.fit_stages(budgets, XS, feature_sets, tr[1], tr[3], dv[1], dv[2], p_dev, table,
                              budget, classifier, log, floor, guards=[scraped])


def _spin_column(shell, X: np.ndarray) -> dict:
    """The spin route's probability per row (a reason's evidence, not a classifier feature)."""
    from detector.submodels import SPIN, spin

    model = shell.submodels.get(SPIN.name)
    if model is None:
        return {}
    cols = [shell.features.index(f) for f in spin.inputs(shell.meta["submodels"][SPIN.name])]
    return {SPIN.feature: spin.probability(model, X[:, cols])}


def _fmt(x) -> str:
    return "n/a" if x is None else f"{x:.4f}"


def _median(col: np.ndarray) -> float | None:
    col = col[~np.isnan(col)]
    return float(np.median(col)) if len(col) else None


def _sklearn_version() -> str:
    import sklearn

    return sklearn.__version__


def _data_hashes(records: list[dict]) -> dict:
    out = {}
    for split in data.SPLITS:
        h = hashlib.sha256()
        for r in sorted((r for r in records if r["split"] == split), key=lambda r: r["id"]):
            h.update(hashlib.sha256(r["text"].encode("utf-8", "surrogatepass")).digest())
        out[split] = {"records": sum(r["split"] == split for r in records), "sha256": h.hexdigest()}
    return out


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description="Train a detector model.")
    ap.add_argument("--data", type=Path, default=None, help="JSONL with text and label (default: data/corpus)")
    ap.add_argument("--mode", choices=data.MODES, default="replace",
                    help="replace: train on --data alone (the default); add: on the bundled corpus and --data")
    ap.add_argument("--out", type=Path, default=None, help="new model directory (default: models/<timestamp>)")
    ap.add_argument("--max-train", type=int, default=None,
                    help="train records used (default: all; LM scoring takes about 0.3 s per record)")
    ap.add_argument("--classifier", choices=("logreg", "gbm"), default="gbm",
                    help="gbm: dev AUROC 0.9400 vs 0.9362 for logreg on the corpus (README, 'Current quality')")
    ap.add_argument("--max-tokens", type=int, default=MAX_TOKENS,
                    help="LM token budget per text (see docs/eval/budget_curve.md)")
    ap.add_argument("--lm", choices=sorted(SPECS), default=LMScorer().spec.name,
                    help="the LM to score with (docs/eval/lm_compare.md; the model records it and loads it again)")
    args = ap.parse_args(argv)
    log = lambda m: print(m, file=sys.stderr, flush=True)  # noqa: E731
    try:
        records, user = data.load_training(args.data, args.mode)
    except (OSError, detector.DetectorError) as e:
        log(f"error: {e}")
        return 2
    if args.mode == "add":
        data.log_added(records, user, log)
    ngram_train = [r for r in records if r["split"] == "train"]
    extra = [] if args.mode == "replace" and args.data else data.bundled_translation_extra(records, log)
    records = select(records, args.max_train)
    missing = [s for s in data.SPLITS if not any(r["split"] == s for r in records)]
    if missing:
        log(f"error: no records in split(s) {missing}; every split needs both labels")
        return 2
    out = args.out or Path("models") / time.strftime("%Y%m%d-%H%M%S")
    log(f"training on {sum(r['split'] == 'train' for r in records)} train records -> {out}")
    scorer = LMScorer(max_tokens=args.max_tokens, spec=SPECS[args.lm])
    meta = run(records, out, scorer, args.classifier, log, ngram_train, args.max_tokens, extra)
    meta["length_bands"] = bands.write(out, records, scorer, log)
    print(f"model: {out}\n{scorecard.scorecard(meta, scorecard.shipped_meta())}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
