"""The gate under hostile conditions: paths that coincide, two gates on one file, a worker that dies,
signals, closed standard streams, records that read two ways. Every case here lost or clobbered records,
hung, or ended in a traceback before these checks existed."""
import gzip
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from detector.errors import InputError, OutputError
from detector.gate import GateOptions, run_gate
from detector.gate.records import parse, route
from gate.test_runner import SEEDS, fake, out_lines, write_input

FAKE_DETECT = Path(__file__).with_name("fake_detect.py")
LINES = [json.dumps({"id": i, "text": SEEDS[i % len(SEEDS)]}).encode() for i in range(24)] + [b"not json"]


def detect(*args, env=None, **kw):
    """``detect`` (with the fake scorer) as a process."""
    return subprocess.Popen([sys.executable, str(FAKE_DETECT), *map(str, args)], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, env={**os.environ, "DETECTOR_TEST_SCORER": env or ""}, **kw)


def finished(proc, timeout=120):
    out, err = proc.communicate(timeout=timeout)
    return proc.returncode, out.decode(), err.decode()


def one_line(err: str) -> str:
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and "Traceback" not in err, err
    return lines[0]


def reference(tmp_path, src):
    """The outputs of an uninterrupted run."""
    out, rej = tmp_path / "ref.out.jsonl", tmp_path / "ref.rej.jsonl"
    assert finished(detect("gate", "-i", src, "-o", out, "--rejects", rej, "--batch-size", 2))[0] == 0
    return out.read_bytes(), rej.read_bytes()


def wait_for(path: Path, lines: int, proc, seconds=120):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline and proc.poll() is None:
        if path.exists() and json.loads(path.read_text() or "{}").get("lines", 0) >= lines:
            return
        time.sleep(0.05)
    raise AssertionError(f"{path} never reached {lines} lines")


@pytest.mark.parametrize("case", ["stats=output", "stats=input", "rejects=checkpoint", "input=output.partial",
                                  "output=rejects.partial", "stats=output.lock", "symlink", "hardlink"])
def test_paths_that_coincide_are_refused_before_anything_is_written(tmp_path, case):
    """Each of these exited 0 before: the stats replaced the kept records or the input, the rejects were
    deleted at the end, the input was emptied before it was read, the rejects were lost."""
    src = write_input(tmp_path / "in.jsonl", LINES[:3])
    out, rej, stats = tmp_path / "out.jsonl", tmp_path / "rej.jsonl", None
    if case == "stats=output":
        stats = out
    elif case == "stats=input":
        stats = src
    elif case == "rejects=checkpoint":
        rej = tmp_path / "out.jsonl.checkpoint.json"
    elif case == "input=output.partial":
        src = write_input(tmp_path / "out.jsonl.partial", LINES[:3])
    elif case == "output=rejects.partial":
        out = tmp_path / "rej.jsonl.partial"
    elif case == "stats=output.lock":
        stats = tmp_path / "out.jsonl.lock"
    elif case == "symlink":
        (tmp_path / "link.jsonl").symlink_to(src)
        out = tmp_path / "link.jsonl"
    else:
        os.link(src, tmp_path / "hard.jsonl")
        rej = tmp_path / "hard.jsonl"
    before = {p.name: p.read_bytes() for p in tmp_path.iterdir()}
    with pytest.raises(InputError, match="must differ"):
        run_gate(str(src), str(out), str(rej), fake(0.5), GateOptions(batch_size=1), stats=stats)
    assert {p.name: p.read_bytes() for p in tmp_path.iterdir()} == before


def test_a_second_gate_on_the_same_output_fails_at_once_naming_the_first(tmp_path):
    """Two gates writing one rejects file interleaved and tore its lines."""
    src = write_input(tmp_path / "in.jsonl", LINES)
    rej = tmp_path / "rej.jsonl"
    first = detect("gate", "-i", src, "-o", tmp_path / "a.jsonl", "--rejects", rej, "--batch-size", 2,
                   env="slow:0.3")
    wait_for(tmp_path / "a.jsonl.checkpoint.json", 2, first)
    started = time.monotonic()
    with pytest.raises(OutputError, match=rf"rej.jsonl is being written by another gate \(pid {first.pid} "):
        run_gate(str(src), str(tmp_path / "b.jsonl"), str(rej), fake(0.5), GateOptions(batch_size=2))
    assert time.monotonic() - started < 10
    assert not (tmp_path / "b.jsonl").exists() and not (tmp_path / "b.jsonl.partial").exists()
    code, _, err = finished(first)
    assert code == 0, err
    assert len(out_lines(tmp_path / "a.jsonl")) + len(out_lines(rej)) == len(LINES)
    assert not list(tmp_path.glob("*.lock"))


def test_a_dead_worker_ends_the_run_and_resume_completes_it(tmp_path):
    """``kill -9`` of one worker hung ``detect gate --workers 2`` for ever."""
    src = write_input(tmp_path / "in.jsonl", LINES)
    out, rej = tmp_path / "out.jsonl", tmp_path / "rej.jsonl"
    args = ["gate", "-i", src, "-o", out, "--rejects", rej, "--batch-size", 2, "--workers", 2]
    code, _, err = finished(detect(*args, env=f"kill:{tmp_path / 'killed'}:3"))
    assert code == 2 and "worker process died" in one_line(err) and (tmp_path / "killed").exists()
    assert not out.exists() and Path(f"{out}.partial").exists()
    code, _, err = finished(detect(*args, "--resume"))
    assert code == 0, err
    assert (out.read_bytes(), rej.read_bytes()) == reference(tmp_path, src)


@pytest.mark.parametrize("sig, workers", [(signal.SIGTERM, 1), (signal.SIGINT, 1), (signal.SIGINT, 2)])
def test_a_signal_keeps_the_checkpoint_says_how_to_resume_and_exits_128_plus_n(tmp_path, sig, workers):
    """SIGTERM ended the gate with 143 and no message; SIGINT said nothing of what was done."""
    src = write_input(tmp_path / "in.jsonl", LINES)
    out, rej = tmp_path / "out.jsonl", tmp_path / "rej.jsonl"
    args = ["gate", "-i", src, "-o", out, "--rejects", rej, "--batch-size", 2, "--workers", workers]
    # a second per batch of two: the signal lands with most of the 25 lines still to do, even on a loaded machine
    proc = detect(*args, env="slow:1", start_new_session=True)
    wait_for(Path(f"{out}.checkpoint.json"), 2, proc)
    os.killpg(proc.pid, sig) if sig == signal.SIGINT else proc.send_signal(sig)  # Ctrl-C reaches the group
    code, _, err = finished(proc)
    line = one_line(err)
    assert code == 128 + sig and f"interrupted by {sig.name}" in line and "--resume" in line, (code, err)
    done = json.loads(Path(f"{out}.checkpoint.json").read_text())["lines"]
    assert f"the first {done:,} lines are done" in line
    code, _, err = finished(detect(*args, "--resume"))
    assert code == 0, err
    assert (out.read_bytes(), rej.read_bytes()) == reference(tmp_path, src)


@pytest.mark.parametrize("redirect", ["<&-", ">&-"])
def test_closed_stdin_or_stdout_is_one_line_and_exit_2(tmp_path, redirect):
    src = write_input(tmp_path / "in.jsonl", LINES[:2])
    io_args = f"-i - -o {tmp_path / 'o.jsonl'}" if redirect == "<&-" else f"-i {src} -o -"
    cmd = f"'{sys.executable}' '{FAKE_DETECT}' gate {io_args} --rejects '{tmp_path / 'r.jsonl'}' {redirect}"
    res = subprocess.run(["bash", "-c", cmd], capture_output=True, timeout=120)
    assert res.returncode == 2 and "is closed" in one_line(res.stderr.decode())


def test_truncated_input_keeps_the_checkpoint_and_resume_completes_it(tmp_path):
    """A compressed input cut short is an error naming the lines done; fixed, --resume finishes the run."""
    data = b"\n".join(LINES) + b"\n"
    src = tmp_path / "in.jsonl.gz"
    src.write_bytes(gzip.compress(data)[: len(gzip.compress(data)) * 3 // 4])
    out, rej = str(tmp_path / "out.jsonl"), str(tmp_path / "rej.jsonl")
    with pytest.raises(InputError, match=r"cannot read .* the first \d+ lines are done .* --resume"):
        run_gate(str(src), out, rej, fake(0.5), GateOptions(batch_size=2))
    src.write_bytes(gzip.compress(data))
    report = run_gate(str(src), out, rej, fake(0.5), GateOptions(batch_size=2, resume=True))
    assert report.resumed_at_line > 0 and report.input_lines == len(LINES)
    whole = run_gate(str(src), str(tmp_path / "o2.jsonl"), str(tmp_path / "r2.jsonl"), fake(0.5),
                     GateOptions(batch_size=2))
    assert whole.input_lines == len(LINES)
    assert Path(out).read_bytes() == (tmp_path / "o2.jsonl").read_bytes()
    assert Path(rej).read_bytes() == (tmp_path / "r2.jsonl").read_bytes()


def strict(line: bytes):
    """JSON as strict readers take it: no NaN or Infinity."""
    return json.loads(line, parse_constant=lambda name: pytest.fail(f"{name} is not JSON: {line!r}"))


@pytest.mark.parametrize("raw, reason", [
    (b'{"text": "Clean words here.", "text": "Other words there."}', "duplicate_key"),
    (b'{"id": 1, "id": 2, "text": "Talks ended."}', "duplicate_key"),
    (b'{"id": 3, "text": "Talks ended.", "score": NaN}', "invalid_json"),
    (b'{"id": Infinity, "text": "Talks ended."}', "invalid_json"),
])
def test_a_record_that_reads_two_ways_is_rejected(raw, reason):
    """Python reads these (the last duplicate wins; NaN and Infinity are accepted); other readers do not,
    or take the first value: a record must not be scored on a text another reader would not see."""
    record = parse(2, raw + b"\n")
    assert record.problem == reason
    routed = route(record, None, annotate_only=False, has_rejects=True)
    assert routed.dest == "rejects" and strict(routed.data)["reason"] == reason
    assert strict(routed.data)["original"].encode() == raw


def test_an_id_too_large_for_a_float_stays_json(tmp_path):
    """An id of 1e999 was written back as bare Infinity, which is not JSON."""
    src = write_input(tmp_path / "in.jsonl", [b'{"id": 1e999, "text": ""}', b'{"id": -1E+999}'])
    out, rej = tmp_path / "out.jsonl", tmp_path / "rej.jsonl"
    run_gate(str(src), str(out), str(rej), fake(0.5))
    rejected = [strict(line) for line in out_lines(rej)]
    assert [r["id"] for r in rejected] == ["1e999", "-1E+999"]
