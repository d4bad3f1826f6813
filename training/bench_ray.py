"""Ray scaling: the same crawl-mix JSON lines through :func:`detector.integrations.ray.gate_jsonl` with one
actor, then with two, on a local Ray cluster, with the real LM.

``python -m training.bench_ray [--docs 60] [--actors 2]`` prints, per pool size, the wall time, documents
per second, and the record accounting (every input line must come out once, kept or rejected), then
``BENCH_RAY docs=<n> actors1_docs_per_s=<n> actorsN_docs_per_s=<n> speedup=<n> lost=<n> cores=<n>``.
Each actor takes 0.9 of a CPU (one OpenMP thread; the rest is left for Ray's read tasks), so N actors need N cores; the time includes
each actor loading the model (a few seconds), as a real run's does. The documents are the crawl mix of
``make bench`` (:func:`training.bench.crawl_mix_documents`: test-split news-length documents, 80% human).
"""
from __future__ import annotations

import argparse
import json
import os
import tempfile
import time
from pathlib import Path


def run_pool(src: Path, out: Path, actors: int) -> tuple[float, dict, int]:
    from detector.integrations.ray import gate_jsonl

    started = time.perf_counter()
    # a little under one CPU per actor: the pool must leave room for Ray's read tasks, or N actors on N cores
    # wait forever for a CPU to read with
    counts = gate_jsonl(str(src), out / "kept", out / "rejected", actors=actors, cpus_per_actor=0.9, batch_size=4)
    seconds = time.perf_counter() - started
    lines = sum(len(p.read_text(encoding="utf-8").splitlines()) for p in out.rglob("*.jsonl"))
    return seconds, counts, lines


def main(argv=None) -> int:
    import ray

    from training.bench import crawl_mix_documents

    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--docs", type=int, default=60)
    ap.add_argument("--actors", type=int, default=2)
    args = ap.parse_args(argv)
    cores = os.cpu_count() or 1
    docs = crawl_mix_documents()[: args.docs]
    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / "crawl.jsonl"
        src.write_text("".join(json.dumps({"id": i, "text": d["text"]}) + "\n" for i, d in enumerate(docs)),
                       encoding="utf-8")
        ray.init(num_cpus=max(cores, args.actors), include_dashboard=False, log_to_driver=False)
        rates, lost = {}, 0
        for actors in (1, args.actors):
            seconds, counts, lines = run_pool(src, Path(tmp) / f"out{actors}", actors)
            rates[actors] = len(docs) / seconds
            lost += len(docs) - lines
            print(f"actors={actors}: {seconds:.1f} s, {rates[actors]:.2f} docs/s, {counts['kept']} kept, "
                  f"{counts['rejected']} rejected, {lines} of {len(docs)} lines out")
        ray.shutdown()
    print(f"BENCH_RAY docs={len(docs)} actors1_docs_per_s={rates[1]:.3f} actors{args.actors}_docs_per_s="
          f"{rates[args.actors]:.3f} speedup={rates[args.actors] / rates[1]:.2f} lost={lost} cores={cores}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
