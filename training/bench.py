"""``make bench``: speed and memory on a fixed set of 200 test documents.

Three ways to read the same documents, each timed on its own:

- **baseline**: a plain transformers fp32 forward pass over each whole document, batch 1;
- **LM stage**: our token scorer (first ``max_tokens`` tokens, the budget the model was trained with);
- **cascade**: the full ``Detector`` (language check, handcrafted features, early exits, LM where needed).

The baseline and the LM stage run with every core; the cascade runs with one torch thread, so its docs/s
is per core (``detect gate --workers N`` runs one such process per core). Peak RSS is the process's
maximum resident set size. Timed figures belong here, never in unit tests. The last line is
machine-readable::

    BENCH lm_ratio=<LM stage docs/s / baseline docs/s> cascade_docs_per_s_per_core=<n> peak_rss_mb=<n>
"""
from __future__ import annotations

import argparse
import os
import platform
import resource
import sys
import time

N_DOCS = 200


def bench_documents(n: int = N_DOCS) -> list[str]:
    """A fixed pseudo-random sample of ``n`` test-split documents (every kind, news length)."""
    from training import data
    from training.corpus.rng import unit

    test = data.load_corpus(splits=("test",))
    return [r["text"] for r in sorted(test, key=lambda r: unit("bench", r["id"]))[:n]]


def baseline(scorer, texts: list[str]) -> tuple[float, int]:
    """Seconds and tokens for a plain forward pass over each whole document (batch 1)."""
    import torch

    model, tok = scorer._model, scorer._tokenizer
    n, t0 = 0, time.perf_counter()
    with torch.inference_mode():
        for text in texts:
            ids = [0] + tok(text, add_special_tokens=False)["input_ids"][:8191]
            model(input_ids=torch.tensor([ids]))
            n += len(ids)
    return time.perf_counter() - t0, n


def gate_speedup(texts: list[str]) -> tuple[float, float, bool]:
    """Seconds for ``detect gate`` with 1 and 2 workers on the same JSONL, and whether outputs match."""
    import json
    import tempfile
    from functools import partial
    from pathlib import Path

    from detector import Detector
    from detector.gate import GateOptions, run_gate

    tmp = Path(tempfile.mkdtemp(prefix="detector-bench-"))
    src = tmp / "in.jsonl"
    src.write_text("".join(json.dumps({"id": i, "text": t}) + "\n" for i, t in enumerate(texts)))
    seconds, outputs = [], []
    for workers in (1, 2):
        out, rej = tmp / f"kept{workers}.jsonl", tmp / f"rejected{workers}.jsonl"
        t0 = time.perf_counter()
        run_gate(str(src), str(out), str(rej), partial(Detector, threads=1 if workers > 1 else None),
                 GateOptions(workers=workers, batch_size=4))
        seconds.append(time.perf_counter() - t0)
        outputs.append(out.read_bytes() + rej.read_bytes())
    return seconds[0], seconds[1], outputs[0] == outputs[1]


def baseline_in_child(n_docs: int, threads: int) -> dict:
    """Run :func:`baseline` in its own process so that its memory (whole-document logits: up to
    8k x 49k floats) does not count against our pipeline's peak RSS."""
    import json
    import subprocess

    out = subprocess.run([sys.executable, "-m", "training.bench", "--baseline-only", "--docs", str(n_docs),
                          "--threads", str(threads)], capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def rss_mb() -> float:
    """This process's peak resident set (VmHWM; ru_maxrss would include a parent's peak after fork + exec)."""
    try:
        with open("/proc/self/status") as f:
            return next(int(line.split()[1]) for line in f if line.startswith("VmHWM:")) / 1024
    except (OSError, StopIteration):
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description="Benchmark the LM stage and the cascade against a plain forward pass.")
    ap.add_argument("--docs", type=int, default=N_DOCS)
    ap.add_argument("--no-gate", action="store_true", help="skip the gate worker comparison")
    ap.add_argument("--baseline-only", action="store_true", help=argparse.SUPPRESS)
    ap.add_argument("--threads", type=int, default=os.cpu_count() or 1, help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    import torch

    from detector import Detector
    from detector.lm import LMScorer

    texts = bench_documents(args.docs)
    n = len(texts)
    cores = args.threads
    if args.baseline_only:
        scorer = LMScorer(threads=cores)
        scorer.load()
        baseline(scorer, texts[:1])  # warm-up
        base_s, base_tokens = baseline(scorer, texts)
        import json

        print(json.dumps({"seconds": base_s, "tokens": base_tokens, "rss_mb": rss_mb()}))
        return 0
    base = baseline_in_child(n, cores)
    base_s, base_tokens = base["seconds"], base["tokens"]
    t0 = time.perf_counter()
    scorer = LMScorer(threads=cores)
    scorer.load()
    load_s = time.perf_counter() - t0
    budget = scorer.max_tokens = Detector(scorer=scorer).max_tokens  # the shipped model's budget
    scorer.score_many(texts[:1])  # warm-up
    t0 = time.perf_counter()
    scored = scorer.score_many(texts)
    lm_s = time.perf_counter() - t0
    lm_tokens = sum(len(s) for s in scored)

    torch.set_num_threads(1)  # the same loaded model, now on one core
    det = Detector(scorer=scorer)
    det.score_many(texts[:1])  # warm-up
    t0 = time.perf_counter()
    results = det.score_many(texts)
    casc_s = time.perf_counter() - t0
    casc_tokens = sum(r.lm_tokens for r in results)
    skipped = sum(r.lm_tokens == 0 for r in results)
    rss = rss_mb()
    words = sum(r.words for r in results) / n

    print(f"machine: {platform.machine()}, {cores} cores ({platform.processor() or 'cpu'}), torch {torch.__version__}, "
          f"python {platform.python_version()}")
    print(f"documents: {n} test-split documents (mean {words:.0f} words); LM {scorer.name}, fp32; "
          f"model load {load_s:.2f}s (dequantised weights cached)")
    print(f"baseline, plain forward pass, whole docs, batch 1, {cores} threads (own process): "
          f"{base_tokens / base_s:.0f} tokens/s, "
          f"{n / base_s:.2f} docs/s")
    print(f"our LM stage (first {budget} tokens), {cores} threads: {lm_tokens / lm_s:.0f} tokens/s, "
          f"{n / lm_s:.2f} docs/s, {(n / lm_s) / (n / base_s):.2f}x baseline")
    print(f"our cascade (Detector, 1 thread = 1 core): {n / casc_s:.2f} docs/s per core, "
          f"{(n / casc_s) / (n / base_s):.2f}x baseline; LM tokens {casc_tokens / n:.1f}/doc; "
          f"{skipped}/{n} documents decided without the LM")
    print(f"peak RSS {rss:.0f} MB (this process: LM stage + cascade; the baseline's own process peaked at "
          f"{base['rss_mb']:.0f} MB)")
    if not args.no_gate:
        one, two, same = gate_speedup(texts[:40])
        print(f"detect gate on 40 of these documents: 1 worker {one:.1f}s, 2 workers {two:.1f}s, speedup "
              f"{one / two:.2f}x, identical output: {same}")
    print(f"BENCH lm_ratio={(n / lm_s) / (n / base_s):.2f} cascade_docs_per_s_per_core={n / casc_s:.2f} "
          f"peak_rss_mb={rss:.0f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
