"""Calibrate and check :func:`detector.compare.compare` on the corpus and the seed articles.

Positives: every ``roundtrip`` and ``spun`` record of the split whose ``original_id`` names a record in
the same split, compared with that original (the target: >= 95% of round trips ``derived``).
Negatives: random pairs of records from different groups (target: none ``derived``), and the harder
pairs of different groups from the same source (same outlet and topic mix). Seeds: 000 vs 001 is
``derived``, the other-outlet pairs are ``independent``.

    python -m training.compare_eval                  # test split, lexical similarity (the default)
    python -m training.compare_eval --embeddings     # with MiniLM sentence similarity
    python -m training.compare_eval --split dev --pairs 1000 --json reports/compare_eval.json
"""
from __future__ import annotations

import argparse
import json
import random
import time
from pathlib import Path

import numpy as np

from detector.compare import compare
from training.data import load_corpus

SEEDS = Path("tests/cases/seeds.jsonl")
SEED_PAIRS = {("seed-000", "seed-001"): "derived", ("seed-001", "seed-000"): "derived",
              ("seed-002", "seed-001"): "independent", ("seed-003", "seed-001"): "independent",
              ("seed-000", "seed-002"): "independent", ("seed-003", "seed-002"): "independent",
              ("seed-000", "seed-003"): "independent"}


def positives(records: list[dict]) -> dict[str, list[tuple[str, str]]]:
    by_id = {r["id"]: r for r in records}
    out: dict[str, list[tuple[str, str]]] = {"roundtrip": [], "spun": []}
    for r in records:
        orig = by_id.get(r.get("original_id") or "")
        if r["kind"] in out and orig is not None:
            out[r["kind"]].append((r["text"], orig["text"]))
    return out


def negatives(records: list[dict], n: int, rng: random.Random, same_source: bool) -> list[tuple[str, str]]:
    pairs: list[tuple[str, str]] = []
    by_source: dict[str, list[dict]] = {}
    for r in records:
        by_source.setdefault(r["source"], []).append(r)
    while len(pairs) < n:
        a = rng.choice(records)
        b = rng.choice(by_source[a["source"]] if same_source else records)
        if a["group"] != b["group"]:
            pairs.append((a["text"], b["text"]))
    return pairs


def run(pairs: list[tuple[str, str]], embeddings: bool) -> list:
    return [compare(s, o, embeddings=embeddings) for s, o in pairs]


def summary(name: str, results: list) -> dict:
    verdicts = [c.verdict for c in results]
    share = np.array([c.share_aligned for c in results])
    cov = np.array([c.coverage for c in results])
    pct = lambda a, q: float(np.percentile(a, q)) if len(a) else float("nan")  # noqa: E731
    return {"set": name, "n": len(results), **{v: verdicts.count(v) for v in ("derived", "independent", "unrelated")},
            **{f"share_{k}": pct(share, q) for k, q in (("min", 0), ("p5", 5), ("p95", 95), ("max", 100))},
            **{f"coverage_{k}": pct(cov, q) for k, q in (("min", 0), ("p5", 5), ("p95", 95), ("max", 100))}}


def seeds(embeddings: bool) -> list[dict]:
    texts = {json.loads(line)["id"]: json.loads(line)["text"] for line in SEEDS.open(encoding="utf-8")}
    out = []
    for (s, o), want in SEED_PAIRS.items():
        c = compare(texts[s], texts[o], embeddings=embeddings)
        out.append({"suspect": s, "original": o, "want": want, "got": c.verdict,
                    "share": round(c.share_aligned, 3), "coverage": round(c.coverage, 3)})
    return out


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--split", default="test")
    ap.add_argument("--pairs", type=int, default=600, help="random different-group pairs (and as many same-source)")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--embeddings", action="store_true", help="add MiniLM sentence similarity")
    ap.add_argument("--json", type=Path, help="also write the figures here")
    args = ap.parse_args(argv)
    emb = args.embeddings
    records = load_corpus(splits=(args.split,))
    rng = random.Random(args.seed)
    t0 = time.perf_counter()
    sets = {**positives(records), "random_pairs": negatives(records, args.pairs, rng, False),
            "same_source_pairs": negatives(records, args.pairs, rng, True)}
    rows = [summary(name, run(pairs, emb)) for name, pairs in sets.items()]
    seed_rows = seeds(emb)
    print(f"split={args.split} similarity={'lexical+minilm' if emb else 'lexical'} "
          f"seconds={time.perf_counter() - t0:.0f}")
    keys = [f"{m}_{k}" for m in ("share", "coverage") for k in ("min", "p5", "p95", "max")]
    print(f"{'set':<18}{'n':>5}{'derived':>8}{'indep':>6}{'unrel':>6}" + "".join(f"{k:>12}" for k in keys))
    for r in rows:
        print(f"{r['set']:<18}{r['n']:>5}{r['derived']:>8}{r['independent']:>6}{r['unrelated']:>6}"
              + "".join(f"{r[k]:>12.3f}" for k in keys))
    for r in seed_rows:
        mark = "ok" if r["want"] == r["got"] else "WRONG"
        print(f"{r['suspect']} vs {r['original']}: {r['got']:<12} (want {r['want']}, {mark}) "
              f"share={r['share']} coverage={r['coverage']}")
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps({"split": args.split, "embeddings": emb, "sets": rows,
                                         "seeds": seed_rows}, indent=2))


if __name__ == "__main__":
    main()
