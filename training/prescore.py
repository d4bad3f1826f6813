"""Fill the LM score cache for the corpus (test, dev, then train, with the dev and test excerpts after their
records), so training, ``training.bands`` and ``make eval`` reuse it."""
from __future__ import annotations

import argparse
import sys
import time

from detector.lm import LMScorer
from training.cache import ScoreCache
from training.corpus.rng import unit
from training.data import load_corpus
from training.train import MAX_TOKENS


def main(argv=None) -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--limit-train", type=int, default=None)
    ap.add_argument("--threads", type=int, default=None, help="torch threads (1 is best when cores are shared)")
    ap.add_argument("--shard", default="0/1", help="k/n: score every n-th record starting at k")
    ap.add_argument("--order", default="test,dev,train",
                    help="splits in the order they are scored (each split's excerpts follow its records)")
    ap.add_argument("--max-tokens", type=int, default=MAX_TOKENS, help="LM token budget (default: make train's)")
    ap.add_argument("--kinds", default=None,
                    help="comma-separated record kinds to score (e.g. mt,human_translation), their excerpts left out")
    args = ap.parse_args(argv)
    k, n = (int(x) for x in args.shard.split("/"))
    scorer = LMScorer(max_tokens=args.max_tokens, threads=args.threads)
    scorer.load()
    cache = ScoreCache.for_scorer(scorer)
    from training.corpus.excerpts import excerpts

    order = {split: i for i, split in enumerate(args.order.split(","))}
    records = [r for r in load_corpus() if r["split"] in order]
    if args.kinds:
        kinds = set(args.kinds.split(","))
        records = [r for r in records if r["kind"] in kinds]
    else:
        records += excerpts(records)
    records.sort(key=lambda r: (order[r["split"]], r["id"].endswith("#excerpt"), unit("order", r["id"])))
    if args.limit_train is not None:
        train = [r for r in records if r["split"] == "train"][: args.limit_train]
        records = [r for r in records if r["split"] != "train"] + train
    records = records[k::n]
    t0, done = time.time(), 0
    for i, r in enumerate(records):
        if cache.get(r["text"]) is None:
            cache.put(r["text"], scorer.score(r["text"]))
            done += 1
        if i % 50 == 0:
            print(f"{i}/{len(records)} scored {done} in {time.time() - t0:.0f}s", file=sys.stderr, flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
