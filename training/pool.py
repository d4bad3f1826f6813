"""The full model's decisions on a pool of texts, for distilling the cascade's cheap first stage.

Distillation needs what the full model (every feature, the whole LM budget) says of each text; the LM is
the slow part (about a CPU-second per text here), so the decisions are written once, incrementally and
resumably, to ``data/pool/full_model.jsonl.gz``: one line per text with its corpus ``id``, ``split``,
the model id, ``p_full`` (the full model's p_machine), ``verdict`` at the default operating point and
every feature value. The texts themselves stay in ``data/corpus`` (join on ``id``).

``python -m training.pool [--limit N] [--threads 1] [--shard k/n]`` scores the corpus in the order
test, dev, train (a fixed shuffle within each), skipping ids already in the file; ``--out`` writes
elsewhere (shards written to separate files are concatenated: gzip members join).
"""
from __future__ import annotations

import argparse
import gzip
import json
import math
import sys
import time
from pathlib import Path

POOL = Path("data/pool/full_model.jsonl.gz")
ORDER = {"test": 0, "dev": 1, "train": 2}


def rows(path: Path = POOL) -> list[dict]:
    """Every complete row of the pool file, also while a run is still appending to it (a last line cut
    short, or a gzip member not yet closed, is left out)."""
    if not Path(path).exists():
        return []
    out = []
    with gzip.open(path, "rt", encoding="utf-8") as f:
        try:
            for line in f:
                if line.endswith("\n"):
                    out.append(json.loads(line))
        except EOFError:
            pass
    return out


def done_ids(path: Path) -> set[str]:
    return {r["id"] for r in rows(path)}


def load(path: Path = POOL) -> dict[str, dict]:
    """The pool's rows by corpus id."""
    return {r["id"]: r for r in rows(path)}


def row(record: dict, score, model_id: str) -> dict:
    return {"id": record["id"], "split": record["split"], "label": record["label"], "kind": record.get("kind"),
            "model": model_id, "p_full": None if math.isnan(score.p_machine) else round(score.p_machine, 6),
            "verdict": score.verdict, "lm_tokens": score.lm_tokens,
            "features": {k: (None if v != v else round(float(v), 6)) for k, v in score.features.items()}}


def main(argv=None) -> int:
    from detector import Detector
    from training.corpus.rng import unit
    from training.data import load_corpus

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path, default=POOL)
    ap.add_argument("--limit", type=int, default=None, help="score at most N more texts")
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--shard", default="0/1", help="k/n: every n-th text starting at k")
    ap.add_argument("--batch", type=int, default=8)
    args = ap.parse_args(argv)
    k, n = (int(x) for x in args.shard.split("/"))
    records = sorted(load_corpus(), key=lambda r: (ORDER[r["split"]], unit("pool", r["id"])))[k::n]
    seen = done_ids(args.out)
    todo = [r for r in records if r["id"] not in seen][: args.limit]
    detector = Detector(cascade=False, threads=args.threads)
    model_id = "sha256:" + detector.artifact.meta["classifier"]["sha256"][:16]
    args.out.parent.mkdir(parents=True, exist_ok=True)
    t0 = time.time()
    with gzip.open(args.out, "at", encoding="utf-8") as f:
        for i in range(0, len(todo), args.batch):
            batch = todo[i:i + args.batch]
            for record, score in zip(batch, detector.score_many([r["text"] for r in batch], with_features=True)):
                f.write(json.dumps(row(record, score, model_id), sort_keys=True) + "\n")
            f.flush()
            done = i + len(batch)
            print(f"pool: {done}/{len(todo)} in {time.time() - t0:.0f} s ({done / (time.time() - t0):.2f} texts/s)",
                  file=sys.stderr, flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
