"""``detect gate`` shows progress on stderr when it is a terminal (share read and ETA when the input's size is
known, records/s, kept and rejected), never in a pipe or a file, and not with ``--quiet``."""
import json
import os
import subprocess
import sys

import pytest

from detector.gate import GateOptions, run_gate
from gate.test_runner import SEEDS, fake
from gate.test_safety import FAKE_DETECT


def write(path, n=40):
    path.write_text("".join(json.dumps({"id": i, "text": SEEDS[i % len(SEEDS)]}) + "\n" for i in range(n)))


def run_on_a_terminal(*args) -> tuple[int, str]:
    """Run ``detect`` with stderr on a pseudo-terminal; its return code and what the terminal showed."""
    main, other = os.openpty()
    proc = subprocess.Popen([sys.executable, str(FAKE_DETECT), *map(str, args)], stdout=subprocess.DEVNULL,
                            stderr=other, env={**os.environ, "COLUMNS": "160"})
    os.close(other)
    shown = b""
    while True:
        try:
            chunk = os.read(main, 65536)
        except OSError:  # the terminal closed: the process ended
            break
        if not chunk:
            break
        shown += chunk
    os.close(main)
    return proc.wait(timeout=300), shown.decode("utf-8", "replace")


@pytest.mark.parametrize("quiet", [False, True])
def test_progress_on_a_terminal_unless_quiet(tmp_path, quiet):
    src = tmp_path / "in.jsonl"
    write(src)
    code, shown = run_on_a_terminal("gate", "-i", src, "-o", tmp_path / "o.jsonl", "--rejects",
                                    tmp_path / "r.jsonl", "--batch-size", 4, *(["--quiet"] if quiet else []))
    assert code == 0, shown
    assert "gate: 40 lines:" in shown  # the summary, always
    if quiet:
        assert "records/s," not in shown.split("gate: 40 lines:")[0]
    else:
        assert "100%" in shown and "40 lines, " in shown and "records/s" in shown and "kept" in shown


def test_no_progress_in_a_pipe(tmp_path):
    src = tmp_path / "in.jsonl"
    write(src)
    proc = subprocess.run([sys.executable, str(FAKE_DETECT), "gate", "-i", src, "-o", tmp_path / "o.jsonl",
                           "--rejects", tmp_path / "r.jsonl"], capture_output=True, timeout=300)
    assert proc.returncode == 0 and proc.stderr.decode().count("\n") == 1  # the summary line only


def test_the_report_knows_how_far_into_the_input_it_is(tmp_path):
    src = tmp_path / "in.jsonl"
    write(src, 30)
    seen = []
    run_gate(str(src), str(tmp_path / "o.jsonl"), str(tmp_path / "r.jsonl"), fake(0.5), GateOptions(batch_size=10),
             progress=lambda r: seen.append((r.input_lines, r.input_fraction, r.eta_seconds)))
    assert [n for n, _, _ in seen] == [10, 20, 30]
    fractions = [f for _, f, _ in seen]
    assert fractions[-1] == 1.0 and all(0 < f <= 1 for f in fractions) and fractions == sorted(fractions)
    assert seen[-1][2] is None  # nothing left
