"""Memory stays bounded on huge input: the gate streams a 50 MB JSONL file (mostly 1 MB single-line texts, some 20 kB
ones) in a child process whose peak RSS is measured. The fake token scorer stands
in for the LM (the LM's own memory is fixed by its window and budget; ``make bench`` reports it)."""
import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).parent.parent
PEAK_RSS_LIMIT_MB = 1024
DRIVER = """
import json, resource, sys
sys.path[:0] = [{root!r}, {tests!r}]
from functools import partial
from detector import Detector
from detector.gate import GateOptions, run_gate
from fakes import FakeScorer
report = run_gate(sys.argv[1], sys.argv[2], sys.argv[3], partial(Detector, scorer=FakeScorer()), GateOptions())
# VmHWM is this process image's own peak; ru_maxrss would inherit the parent's peak across fork + exec
hwm = [l for l in open("/proc/self/status") if l.startswith("VmHWM:")]
rss = int(hwm[0].split()[1]) / 1024 if hwm else resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps({{"lines": report.input_lines, "rss_mb": rss}}))
"""


def _write_input(path: Path, target_bytes: int) -> int:
    para = ("The ministry said on Monday that the talks would resume next week in Geneva, and officials "
            "described the mood as constructive despite the deep differences over security guarantees. ")
    big = json.dumps({"id": "big", "text": para * (1_000_000 // len(para))}) + "\n"
    small = json.dumps({"id": "small", "text": para * (20_000 // len(para))}) + "\n"
    lines = written = 0
    with open(path, "w", encoding="utf-8") as f:
        while written < target_bytes:
            chunk = small if lines % 10 == 9 else big
            f.write(chunk)
            written += len(chunk)
            lines += 1
    return lines


@pytest.mark.parametrize("megabytes", [50])
def test_gate_peak_rss_on_a_50_mb_jsonl(tmp_path, megabytes):
    src = tmp_path / "in.jsonl"
    n = _write_input(src, megabytes * 1_000_000)
    assert src.stat().st_size >= megabytes * 1_000_000
    out, rej = tmp_path / "kept.jsonl", tmp_path / "rejected.jsonl"
    code = DRIVER.format(root=str(ROOT), tests=str(ROOT / "tests"))
    res = subprocess.run([sys.executable, "-c", code, str(src), str(out), str(rej)], capture_output=True,
                         text=True, timeout=900)
    assert res.returncode == 0, res.stderr[-2000:]
    result = json.loads(res.stdout.strip().splitlines()[-1])
    with open(out, "rb") as f1, open(rej, "rb") as f2:
        assert sum(1 for _ in f1) + sum(1 for _ in f2) == n == result["lines"]
    assert result["rss_mb"] < PEAK_RSS_LIMIT_MB, f"peak RSS {result['rss_mb']:.0f} MB on {megabytes} MB of JSONL"
