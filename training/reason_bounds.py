"""The human bounds of the reasons' evidence (``meta.json`` ``reason_bounds``, read by :mod:`detector.reasons`).

A reason is listed for a text only when one of its features is above the ``QUANTILE`` of that feature over
the **human texts of the dev split**, scored with the full LM budget. ``make train`` stores them from its
dev feature matrix (:func:`from_matrix`). For an existing model, ``python -m training.reason_bounds
[--model DIR]`` computes them from the full model's features in ``data/pool/full_model.jsonl.gz``
(:mod:`training.pool`: every corpus text, the whole LM budget, no early exit) and writes them into the
model's ``meta.json``; the pool's rows must come from that model.
"""
from __future__ import annotations

import argparse
import json
import math
from pathlib import Path

import numpy as np

QUANTILE = 0.99


def bounds(columns: dict[str, list[float]], quantile: float = QUANTILE, source: str = "") -> dict:
    """``reason_bounds`` from each evidence feature's values on human dev texts (NaN values left out)."""
    from detector.reasons import evidence_features

    out, n = {}, 0
    for name in evidence_features():
        values = np.array([v for v in columns.get(name, []) if v is not None and not math.isnan(v)], dtype=float)
        if len(values):
            out[name] = round(float(np.quantile(values, quantile)), 6)
            n = max(n, len(values))
    return {"quantile": quantile, "split": "dev", "label": "human", "n": n, "source": source, "features": out}


def from_matrix(X: np.ndarray, names: list[str], human: np.ndarray, extra: dict[str, np.ndarray] | None = None,
                quantile: float = QUANTILE) -> dict:
    """From the dev feature matrix ``X`` (columns ``names``) and its human mask; ``extra`` adds columns
    that are not model features (the spin route's probability)."""
    cols = {n: X[human, i].tolist() for i, n in enumerate(names)}
    for n, values in (extra or {}).items():
        cols[n] = np.asarray(values)[human].tolist()
    return bounds(cols, quantile, "make train: dev feature matrix")


def from_pool(rows: list[dict], model_id: str, quantile: float = QUANTILE) -> dict:
    rows = [r for r in rows if r["split"] == "dev" and r["label"] == "human" and r.get("model") == model_id]
    if not rows:
        raise SystemExit(f"no dev human rows of model {model_id} in the pool; rerun python -m training.pool")
    cols: dict[str, list[float]] = {}
    for r in rows:
        for k, v in r["features"].items():
            cols.setdefault(k, []).append(math.nan if v is None else v)
    return bounds(cols, quantile, "data/pool/full_model.jsonl.gz (training.pool)")


def main(argv=None) -> int:
    from detector import artifact

    from . import pool

    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--model", type=Path, default=artifact.default_model_dir())
    ap.add_argument("--quantile", type=float, default=QUANTILE)
    args = ap.parse_args(argv)
    meta_path = args.model / artifact.META_FILE
    meta = json.loads(meta_path.read_text(encoding="utf-8"))
    model_id = "sha256:" + meta["classifier"]["sha256"][:16]
    meta["reason_bounds"] = from_pool(pool.rows(), model_id, args.quantile)
    meta_path.write_text(json.dumps(meta, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    b = meta["reason_bounds"]
    print(f"{meta_path}: reason_bounds from {b['n']} dev human texts at q={b['quantile']}:")
    for k, v in b["features"].items():
        print(f"  {k}\t{v}")
    artifact.load(args.model)  # still loads
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
