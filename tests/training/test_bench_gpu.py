"""``make bench-gpu`` runs here, on the CPU, on a few documents (issue 25): the random-weight LM of the
shipped configuration, the LM stage, the whole gate and the parity check, ending in its BENCH_GPU line."""
import re

import pytest

from training import bench_gpu


@pytest.mark.slow
def test_bench_gpu_dry_run_on_the_cpu(capsys, tmp_path):
    assert bench_gpu.main(["--export", str(tmp_path / "lm")]) == 0
    files = {p.name for p in (tmp_path / "lm").iterdir()}
    assert "config.json" in files and "tokenizer.json" in files and "model.safetensors" not in files
    assert bench_gpu.main(["--device", "cpu", "--docs", "3", "--parity-docs", "2", "--batch-size", "2",
                           "--lm-files", str(tmp_path / "lm")]) == 0
    last = capsys.readouterr().out.strip().splitlines()[-1]
    m = re.fullmatch(r"BENCH_GPU lm_docs_per_s=([\d.]+) gate_docs_per_s=([\d.]+) device=cpu "
                     r"parity_fp32_max_abs=(\S+) parity_bf16_max_abs=(\S+) verdicts_equal=(\d+)/2", last)
    assert m, last
    assert float(m[1]) > 0 and float(m[2]) > 0
    assert float(m[3]) <= 1e-4  # batched fp32 against one text at a time
    assert 0 < float(m[4]) < 5  # bf16 moves the features, within reason
