"""``make bench``: speed of the LM stage and of end-to-end scoring on the bundled examples.

The baseline is a plain transformers forward pass (fp32, batch 1) over each whole document; our LM
stage scores the first ``max_tokens`` tokens (the budget the model was trained with), so the ratio
shows what the budget buys. Timed figures belong here, never in unit tests.
"""
from __future__ import annotations

import resource
import sys
import time
from pathlib import Path

EXAMPLES = sorted(Path("data/examples").glob("*.txt"))


def baseline(scorer, texts: list[str]) -> tuple[float, int]:
    """Seconds and tokens for a plain forward pass over each whole document."""
    import torch

    model, tok = scorer._model, scorer._tokenizer
    n, t0 = 0, time.perf_counter()
    with torch.inference_mode():
        for text in texts:
            ids = [0] + tok(text, add_special_tokens=False)["input_ids"][:8191]
            model(input_ids=torch.tensor([ids]))
            n += len(ids)
    return time.perf_counter() - t0, n


def gate_speedup(texts: list[str], copies: int = 20) -> tuple[float, float, bool]:
    """Seconds for ``detect gate`` with 1 and 2 workers on the same JSONL, and whether outputs match."""
    import json
    import os
    import tempfile
    from functools import partial

    from detector import Detector
    from detector.gate import GateOptions, run_gate

    tmp = Path(tempfile.mkdtemp(prefix="detector-bench-"))
    src = tmp / "in.jsonl"
    src.write_text("".join(json.dumps({"id": i, "text": t}) + "\n" for i, t in enumerate(texts * copies)))
    seconds, outputs = [], []
    for workers in (1, 2):
        threads = max(1, (os.cpu_count() or 1) // workers) if workers > 1 else None
        out, rej = tmp / f"kept{workers}.jsonl", tmp / f"rejected{workers}.jsonl"
        t0 = time.perf_counter()
        run_gate(str(src), str(out), str(rej), partial(Detector, threads=threads), GateOptions(workers=workers,
                                                                                              batch_size=4))
        seconds.append(time.perf_counter() - t0)
        outputs.append(out.read_bytes() + rej.read_bytes())
    return seconds[0], seconds[1], outputs[0] == outputs[1]


def main() -> int:
    from detector import Detector

    texts = [p.read_text(encoding="utf-8") for p in EXAMPLES]
    t0 = time.perf_counter()
    det = Detector()
    det.scorer.load()
    load_s = time.perf_counter() - t0
    det.score_many(texts[:1])  # warm-up
    base_s, base_tokens = baseline(det.scorer, texts)
    t0 = time.perf_counter()
    scored = det.scorer.score_many(texts)
    lm_s = time.perf_counter() - t0
    lm_tokens = sum(len(s) for s in scored)
    t0 = time.perf_counter()
    det.score_many(texts)
    e2e_s = time.perf_counter() - t0
    n = len(texts)
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"documents: {n} bundled examples; LM budget {det.scorer.max_tokens} tokens/doc; model load {load_s:.2f}s")
    print(f"baseline forward pass (whole docs, batch 1): {base_tokens / base_s:.0f} tokens/s, {n / base_s:.2f} docs/s")
    print(f"our LM stage:                               {lm_tokens / lm_s:.0f} tokens/s, {n / lm_s:.2f} docs/s")
    print(f"end to end (LM + features + classifier):    {n / e2e_s:.2f} docs/s")
    print(f"peak RSS {rss:.0f} MB")
    one, two, same = gate_speedup(texts)
    print(f"gate, {n * 20} records: 1 worker {one:.1f}s, 2 workers {two:.1f}s, speedup {one / two:.2f}x, "
          f"identical output: {same}")
    print(f"BENCH lm_ratio={(n / lm_s) / (n / base_s):.2f} e2e_docs_per_s={n / e2e_s:.2f} peak_rss_mb={rss:.0f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
