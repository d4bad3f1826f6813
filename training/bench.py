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
          lm_share=<0..1> crawl_mix_docs_per_s_per_core=<n>

(one line). The **crawl mix** (:func:`crawl_mix_documents`) is the mix a gate sees: 400 test-split documents
of news length, 80% human and 20% machine; on it each stage is timed on one core, with the share of
documents that reach the LM, LM tokens per document and the cascade's agreement with the full model.
"""
from __future__ import annotations

import argparse
import os
import platform
import resource
import sys
import time

N_DOCS = 200
CRAWL_MIX_DOCS = 400
CRAWL_MIX = {"human": 0.8, "machine": 0.2}  # the mix a gate in front of a crawl sees
NEWS_WORDS = (150, 2000)  # news length: the words of a short news story to a long feature


def bench_documents(n: int = N_DOCS) -> list[str]:
    """A fixed pseudo-random sample of ``n`` test-split documents (every kind, news length)."""
    from training import data
    from training.corpus.rng import unit

    test = data.load_corpus(splits=("test",))
    return [r["text"] for r in sorted(test, key=lambda r: unit("bench", r["id"]))[:n]]


def crawl_mix_documents(n: int = CRAWL_MIX_DOCS) -> list[dict]:
    """A fixed set of ``n`` test-split documents of news length: 80% human and 20% machine, each share split
    over its kinds (native, human translation, scrape-damaged; MT, round trip, spun) in the proportion the
    test split holds them. Records (with ``label`` and ``kind``), in a fixed pseudo-random order."""
    from training import data
    from training.corpus.rng import unit

    test = [r for r in data.load_corpus(splits=("test",)) if NEWS_WORDS[0] <= r["words"] <= NEWS_WORDS[1]]
    test.sort(key=lambda r: unit("crawl-mix", r["id"]))
    out = []
    for label, share in CRAWL_MIX.items():
        pool = [r for r in test if r["label"] == label]
        kinds = sorted({r["kind"] for r in pool})
        want = round(n * share)
        counts = {k: round(want * sum(r["kind"] == k for r in pool) / len(pool)) for k in kinds}
        counts[kinds[0]] += want - sum(counts.values())  # rounding
        for k in kinds:
            picked = [r for r in pool if r["kind"] == k][: counts[k]]
            if len(picked) < counts[k]:
                raise SystemExit(f"the test split has {len(picked)} {k} texts of news length, the mix needs {counts[k]}")
            out += picked
    return sorted(out, key=lambda r: unit("crawl-mix-order", r["id"]))


def crawl_mix(scorer, n: int = CRAWL_MIX_DOCS) -> dict:
    """The cascade on the crawl mix, per stage, against the full model (the LM on every text) and the plain
    forward pass on the same documents. Runs on one core (torch and the classifiers on one thread)."""
    import numpy as np

    from detector import Detector, cascade
    from detector.threads import positive_proba

    docs = crawl_mix_documents(n)
    texts = [r["text"] for r in docs]
    det, full = Detector(scorer=scorer), Detector(scorer=scorer, cascade=False)
    det.score_many(texts[:1])  # warm-up
    t0 = time.perf_counter()
    results = det.score_many(texts)
    casc_s = time.perf_counter() - t0
    # the first stage alone: the text-only features and the first stage's classifier, every document
    first = det.artifact.stages[0] if det.artifact.stages else None
    t0 = time.perf_counter()
    measured = [cascade.measure(det.artifact, t) for t in texts]
    if first is not None:
        positive_proba(first.classifier, np.vstack([cascade.row(m, first.features) for m in measured]))
    first_s = time.perf_counter() - t0
    reached = [r.lm_tokens > 0 for r in results]
    lm_texts = [t for t, hit in zip(texts, reached) if hit]
    t0 = time.perf_counter()
    scorer.score_many(lm_texts)
    lm_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    full_results = full.score_many(texts)
    full_s = time.perf_counter() - t0
    base_s, _ = baseline(scorer, texts)
    agree = float(np.mean([a.verdict == b.verdict for a, b in zip(results, full_results)]))
    flagged_full = [b.flagged for b in full_results]
    return {"docs": len(docs), "kinds": dict(sorted(__import__("collections").Counter(r["kind"] for r in docs).items())),
            "words": float(np.mean([r["words"] for r in docs])),
            "cascade_docs_per_s": len(docs) / casc_s, "first_stage_docs_per_s": len(docs) / first_s,
            "lm_stage_docs_per_s": len(lm_texts) / lm_s if lm_texts else float("nan"),
            "full_model_docs_per_s": len(docs) / full_s, "baseline_docs_per_s": len(docs) / base_s,
            "lm_share": float(np.mean(reached)), "lm_tokens_per_doc": float(np.mean([r.lm_tokens for r in results])),
            "agreement": agree,
            "cleared_of_full_flagged": float(np.mean([not a.flagged for a, f in zip(results, flagged_full) if f]))
            if any(flagged_full) else 0.0,
            "flagged_by_cascade_only": int(sum(a.flagged and not b.flagged for a, b in zip(results, full_results)))}


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
    ap.add_argument("--mix-docs", type=int, default=CRAWL_MIX_DOCS, help="documents in the crawl mix")
    ap.add_argument("--device", default="cpu", help="where our LM stage and cascade run (the baseline: the CPU)")
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
    scorer = LMScorer(threads=cores, device=args.device)
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
    mix = crawl_mix(scorer, args.mix_docs)
    print(f"crawl mix: {mix['docs']} test-split documents of news length ({NEWS_WORDS[0]}-{NEWS_WORDS[1]} words, mean "
          f"{mix['words']:.0f}), 80% human / 20% machine: {mix['kinds']}; 1 core")
    print(f"  first stage (text-only features + its classifier, every document): "
          f"{mix['first_stage_docs_per_s']:.1f} docs/s per core")
    print(f"  LM stage (the {mix['lm_share']:.1%} of documents that reach it): {mix['lm_stage_docs_per_s']:.2f} docs/s "
          f"per core; {mix['lm_tokens_per_doc']:.1f} LM tokens per document over the whole mix")
    print(f"  whole cascade: {mix['cascade_docs_per_s']:.2f} docs/s per core; full model (LM on every text): "
          f"{mix['full_model_docs_per_s']:.2f}; plain forward pass (whole docs): {mix['baseline_docs_per_s']:.2f}")
    print(f"  agreement with the full model: {mix['agreement']:.2%} of verdicts; of the documents the full model "
          f"flags, {mix['cleared_of_full_flagged']:.1%} cleared early; {mix['flagged_by_cascade_only']} flagged "
          "by the cascade only")
    if not args.no_gate:
        one, two, same = gate_speedup(texts[:40])
        print(f"detect gate on 40 of these documents: 1 worker {one:.1f}s, 2 workers {two:.1f}s, speedup "
              f"{one / two:.2f}x, identical output: {same}")
    rss = rss_mb()
    print(f"BENCH lm_ratio={(n / lm_s) / (n / base_s):.2f} cascade_docs_per_s_per_core={n / casc_s:.2f} "
          f"peak_rss_mb={rss:.0f} lm_share={mix['lm_share']:.3f} "
          f"crawl_mix_docs_per_s_per_core={mix['cascade_docs_per_s']:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
