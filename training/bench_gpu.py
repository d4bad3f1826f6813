"""``make bench-gpu`` (``python -m training.bench_gpu``): the LM stage and the whole gate on a GPU.

The real weights (a 98 MB GGUF) cannot travel to an accelerator machine whose transfers are capped, and
speed does not depend on the weights' values: this builds a model of the LM's exact configuration with
random weights (seed 0) and the real tokenizer, then on the crawl mix of ``make bench``
(:func:`training.bench.crawl_mix_documents`) times

- the **LM stage**: :class:`~detector.lm.LMScorer` on ``--device`` (bf16 weights on CUDA, length-bucketed
  batches by padded tokens), every document at the model's token budget;
- the **whole gate**: ``detect gate``'s runner (:func:`detector.gate.run_gate`) over the same documents as
  JSON lines, one process, with a ``Detector`` on that scorer (language check, handcrafted features,
  cascade, LM, classifier, writing);

and checks **parity** on the first ``--parity-docs`` documents: every feature of the full model computed
with the same random-weight LM on the CPU (one text per forward pass, fp32) against the device in fp32 and
in bf16, batched (on the CPU, where the default is one text per pass, in batches of 8) (maximum absolute difference over the LM features, and verdicts equal). The verdicts of a
random-weight LM mean nothing; their agreement does. The last line is machine-readable::

    BENCH_GPU lm_docs_per_s=<n> gate_docs_per_s=<n> device=<name> parity_fp32_max_abs=<x> parity_bf16_max_abs=<x> verdicts_equal=<k>/<n>

``--export DIR`` writes the LM's configuration and tokenizer files (about 3.5 MB, no weights) to DIR and
exits; ``--lm-files DIR`` reads them there (default: exported from the local LM cache into a temporary
folder). On a machine without the LM package: export here, carry DIR, pass ``--lm-files DIR``.
"""
from __future__ import annotations

import argparse
import copy
import json
import sys
import tempfile
import time
from pathlib import Path


def export(folder: Path) -> Path:
    """The LM's configuration and tokenizer (no weights) written to ``folder``."""
    from detector.lm import load_model

    model, tok, _ = load_model(None)
    folder.mkdir(parents=True, exist_ok=True)
    model.config.save_pretrained(folder)
    tok.save_pretrained(folder)
    (folder / "model.safetensors").unlink(missing_ok=True)
    return folder


def random_model(folder: Path):
    """(model, tokenizer): the configuration in ``folder`` with random fp32 weights (seed 0)."""
    import torch
    from transformers import AutoConfig, AutoModelForCausalLM, AutoTokenizer

    torch.manual_seed(0)
    config = AutoConfig.from_pretrained(folder, local_files_only=True)
    model = AutoModelForCausalLM.from_config(config, dtype=torch.float32).eval()
    return model, AutoTokenizer.from_pretrained(folder, local_files_only=True)


def _lm_features(score) -> dict[str, float]:
    return {k: v for k, v in score.features.items() if k.startswith("lm.") and v == v}


def parity(reference, other) -> tuple[float, int]:
    """The largest absolute difference of any LM feature between two runs, and how many verdicts agree."""
    worst = 0.0
    for a, b in zip(reference, other):
        fa, fb = _lm_features(a), _lm_features(b)
        worst = max([worst] + [abs(fa[k] - fb[k]) for k in fa if k in fb])
    return worst, sum(a.verdict == b.verdict for a, b in zip(reference, other))


def gate_speed(texts: list[str], scorer, batch_size: int) -> float:
    """Documents per second through ``detect gate``'s runner, one process."""
    from detector import Detector
    from detector.gate import GateOptions, run_gate

    detector = Detector(scorer=scorer)
    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / "in.jsonl"
        src.write_text("".join(json.dumps({"id": i, "text": t}) + "\n" for i, t in enumerate(texts)), encoding="utf-8")
        t0 = time.perf_counter()
        run_gate(str(src), str(Path(tmp) / "kept.jsonl"), str(Path(tmp) / "rejected.jsonl"), lambda: detector,
                 GateOptions(batch_size=batch_size))
        return len(texts) / (time.perf_counter() - t0)


def main(argv=None) -> int:
    from detector import Detector
    from detector.lm import LMScorer, device as devices
    from training.bench import crawl_mix_documents

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--device", default="auto", help="auto, cpu, cuda or cuda:N")
    ap.add_argument("--docs", type=int, default=400, help="documents of the crawl mix to time")
    ap.add_argument("--parity-docs", type=int, default=32)
    ap.add_argument("--batch-size", type=int, default=512, help="gate input lines per batch")
    ap.add_argument("--lm-files", type=Path, default=None, help="the LM's configuration and tokenizer (--export)")
    ap.add_argument("--export", type=Path, default=None, help="write the LM's configuration and tokenizer here, exit")
    args = ap.parse_args(argv)
    if args.export:
        print(f"exported to {export(args.export)}")
        return 0
    with tempfile.TemporaryDirectory() as tmp:
        model, tok = random_model(args.lm_files or export(Path(tmp) / "lm"))
    device = devices.resolve(args.device)
    name = devices.describe(device)
    texts = [r["text"] for r in crawl_mix_documents()][: args.docs]
    budget = Detector(scorer=object()).max_tokens

    def scorer(on: str, dtype: str | None = None, **kw) -> LMScorer:
        return LMScorer.with_model(copy.deepcopy(model), tok, max_tokens=budget, device=on, dtype=dtype, **kw)

    fast = scorer(device)
    print(f"device: {name}; weights {next(fast._model.parameters()).dtype}; {len(texts)} crawl-mix documents; "
          f"batches of up to {fast.batch_size} rows" + (f" and {fast.tokens_per_batch} padded tokens"
                                                         if fast.tokens_per_batch < 1 << 40 else ""), flush=True)
    fast.score_many(texts[:8])  # warm-up (kernels, allocator)
    t0 = time.perf_counter()
    fast.score_many(texts)
    lm_speed = len(texts) / (time.perf_counter() - t0)
    print(f"LM stage: {lm_speed:.1f} docs/s", flush=True)
    gate = gate_speed(texts, fast, args.batch_size)
    print(f"whole gate (one process): {gate:.1f} docs/s", flush=True)

    sample = texts[: args.parity_docs]
    reference = Detector(scorer=scorer("cpu", "float32", batch_size=1), cascade=False).score_many(sample, True)
    out = {}
    for dtype in ("float32", "bfloat16"):
        batched = {"batch_size": 8, "tokens_per_batch": 4096} if device == "cpu" else {}  # the CPU default is 1
        got = Detector(scorer=scorer(device, dtype, **batched), cascade=False).score_many(sample, True)
        out[dtype] = parity(reference, got)
        print(f"parity {dtype} on {device} vs fp32 one text at a time on the CPU: LM features within "
              f"{out[dtype][0]:.2e}, verdicts equal {out[dtype][1]}/{len(sample)}", flush=True)
    print(f"BENCH_GPU lm_docs_per_s={lm_speed:.1f} gate_docs_per_s={gate:.1f} device={name.replace(' ', '_')} "
          f"parity_fp32_max_abs={out['float32'][0]:.2e} parity_bf16_max_abs={out['bfloat16'][0]:.2e} "
          f"verdicts_equal={out['bfloat16'][1]}/{len(sample)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
