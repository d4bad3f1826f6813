"""Hostile runs of the gate, generated: file names that collide, compressed inputs cut at any byte, signals
at any point. After each case the accounting check holds: every input line is in exactly one of the
outputs, or the run was refused before it wrote anything, or it stopped with a checkpoint from which
``--resume`` finishes byte-identical to an uninterrupted run."""
import gzip
import json
import os
import signal
import tempfile
from pathlib import Path

import pytest
import zstandard
from hypothesis import given, settings
from hypothesis import strategies as st

from detector.errors import InputError
from detector.gate import GateOptions, run_gate
from fuzz.checks import FUZZ, count, input_lines
from gate.test_runner import SEEDS, fake
from gate.test_safety import detect, finished, one_line, wait_for

LINES = [json.dumps({"id": i, "text": SEEDS[i % len(SEEDS)][: 200 + 37 * i]}).encode() for i in range(20)]
DATA = b"\n".join(LINES) + b"\n"
NAMES = ["a.jsonl", "a.jsonl.partial", "a.jsonl.lock", "a.jsonl.checkpoint.json", "a.jsonl.checkpoint.json.tmp",
         "b.jsonl", "b.jsonl.partial", "b.jsonl.lock", "s.json", "s.json.tmp", "link", "dir/../a.jsonl"]


def snapshot(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in folder.rglob("*") if p.is_file()}


@settings(FUZZ, max_examples=80)
@given(names=st.lists(st.sampled_from(NAMES), min_size=4, max_size=4), with_stats=st.booleans(),
       link_to=st.sampled_from(["in.jsonl", "a.jsonl", "b.jsonl"]))
def test_colliding_paths_are_refused_or_every_line_is_accounted_for(names, with_stats, link_to):
    count("test_colliding_paths_are_refused_or_every_line_is_accounted_for")
    input_name, out_name, rej_name, stats_name = names
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        (folder / "dir").mkdir()
        (folder / "link").symlink_to(folder / link_to)
        for name in {input_name, "in.jsonl"}:
            if not (folder / name).exists() or (folder / name).is_symlink():
                (folder / name).write_bytes(DATA) if not (folder / name).is_symlink() else \
                    (folder / link_to).write_bytes(DATA)
        src = folder / input_name
        before = snapshot(folder)
        stats = folder / stats_name if with_stats else None
        try:
            report = run_gate(str(src), str(folder / out_name), str(folder / rej_name), fake(0.5),
                              GateOptions(batch_size=3), stats=stats)
        except InputError as e:
            assert "must differ" in str(e)
            assert snapshot(folder) == before, "a refused run changed a file"
            return
        assert src.read_bytes() == DATA, "the input changed"
        kept, rejected = (input_lines((folder / n).read_bytes()) for n in (out_name, rej_name))
        assert len(kept) + len(rejected) == len(LINES) == report.input_lines
        if stats is not None:
            assert json.loads(stats.read_text())["input_lines"] == len(LINES)
        left = [out_name + ".checkpoint.json"] + [n + c for n in (out_name, rej_name) for c in (".partial", ".lock")]
        for name in set(left) - {input_name, stats_name if with_stats else ""}:  # a committed run leaves none
            assert not (folder / name).exists(), name


def compressed(kind: str) -> bytes:
    return gzip.compress(DATA) if kind == "gz" else zstandard.ZstdCompressor(write_checksum=True).compress(DATA)


@settings(FUZZ, max_examples=60)
@given(kind=st.sampled_from(["gz", "zst"]), cut=st.floats(0.0, 1.0, exclude_max=True), batch_size=st.integers(1, 7))
def test_a_compressed_input_cut_anywhere_is_an_error_and_resumes_byte_identical(kind, cut, batch_size):
    count("test_a_compressed_input_cut_anywhere_is_an_error_and_resumes_byte_identical")
    whole = compressed(kind)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        src, out, rej = folder / f"in.jsonl.{kind}", str(folder / "out.jsonl"), str(folder / "rej.jsonl")
        src.write_bytes(whole[: max(1, int(len(whole) * cut))])
        options = GateOptions(batch_size=batch_size)
        with pytest.raises(InputError, match="cannot read"):
            run_gate(str(src), out, rej, fake(0.5), options)
        assert not Path(out).exists() and not Path(rej).exists(), "a cut input produced final outputs"
        src.write_bytes(whole)
        report = run_gate(str(src), out, rej, fake(0.5), GateOptions(batch_size=batch_size, resume=True))
        assert report.input_lines == len(LINES)
        run_gate(str(src), str(folder / "o2.jsonl"), str(folder / "r2.jsonl"), fake(0.5), options)
        assert Path(out).read_bytes() == (folder / "o2.jsonl").read_bytes()
        assert Path(rej).read_bytes() == (folder / "r2.jsonl").read_bytes()


@pytest.mark.slow
@settings(FUZZ, max_examples=4)
@given(sig=st.sampled_from([signal.SIGTERM, signal.SIGINT, signal.SIGHUP]), after=st.integers(1, 14),
       workers=st.sampled_from([1, 2]))
def test_a_signal_at_any_point_exits_128_plus_n_and_resumes_byte_identical(sig, after, workers):
    count("test_a_signal_at_any_point_exits_128_plus_n_and_resumes_byte_identical")
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        src, out, rej = folder / "in.jsonl", folder / "out.jsonl", folder / "rej.jsonl"
        src.write_bytes(DATA)
        args = ["gate", "-i", src, "-o", out, "--rejects", rej, "--batch-size", 1, "--workers", workers]
        proc = detect(*args, env="slow:0.2", start_new_session=True)
        wait_for(Path(f"{out}.checkpoint.json"), after, proc)
        os.killpg(proc.pid, sig) if sig == signal.SIGINT else proc.send_signal(sig)
        code, _, err = finished(proc)
        assert code == 128 + sig and "--resume" in one_line(err), (code, err)
        assert finished(detect(*args, "--resume"))[0] == 0
        ref_out, ref_rej = folder / "ref.out.jsonl", folder / "ref.rej.jsonl"
        assert finished(detect("gate", "-i", src, "-o", ref_out, "--rejects", ref_rej, "--batch-size", 1))[0] == 0
        assert (out.read_bytes(), rej.read_bytes()) == (ref_out.read_bytes(), ref_rej.read_bytes())
