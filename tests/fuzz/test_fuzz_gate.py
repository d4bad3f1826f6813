"""Fuzz the JSON-lines gate (``run_gate`` and ``detect gate``) with awkward files.

Input records are the lines of the file as read: split after every ``\\n``, a last line without one
included, blank and whitespace-only lines included (they are ``invalid_json`` rejects). For every file:
output lines + rejects lines == input records, in order; kept records are the input line byte for byte
plus the ``detector`` field; every reject has the reason its line was generated for; no traceback.
"""
import gzip
import io
import json
import os
import tempfile
from functools import partial
from pathlib import Path
from types import SimpleNamespace

import zstandard
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from detector import Detector
from detector.cli import app
from detector.gate import GateOptions, run_gate
from detector.gate.records import parse, route, error_annotation
from fuzz.checks import FUZZ, VERDICTS, StrictScorer, check_gate, count, input_lines
from fuzz.strategies import (BAD_BYTES, INVALID_JSON, MISSING_TEXT, SCORED, SENTENCES, Line, any_line,
                             jsonl_files)

runner = CliRunner()
THRESHOLDS = [0.0, 0.25, 0.5, 0.75, 0.999, 1.0]


def fake(threshold):
    return partial(Detector, scorer=StrictScorer(), threshold=threshold)


def compress(data: bytes, suffix: str) -> bytes:
    if suffix == ".gz":
        return gzip.compress(data)
    if suffix == ".zst":
        return zstandard.ZstdCompressor().compress(data)
    return data


def decompress(path: Path) -> bytes:
    data = path.read_bytes()
    if path.name.endswith(".gz"):
        return gzip.decompress(data)
    if path.name.endswith(".zst"):
        return zstandard.ZstdDecompressor().stream_reader(io.BytesIO(data), read_across_frames=True).read()
    return data


def gate_files(folder: Path, data: bytes, suffixes, threshold, annotate_only, with_rejects, batch_size):
    src = folder / f"in.jsonl{suffixes[0]}"
    src.write_bytes(compress(data, suffixes[0]))
    out, rej = folder / f"out.jsonl{suffixes[1]}", folder / f"rej.jsonl{suffixes[2]}"
    report = run_gate(str(src), str(out), str(rej) if with_rejects else None, fake(threshold),
                      GateOptions(annotate_only=annotate_only, batch_size=batch_size))
    assert not (folder / "out.jsonl.checkpoint.json").exists() and not list(folder.glob("*.partial"))
    return report, decompress(out), decompress(rej) if with_rejects else None


suffixes = st.tuples(*[st.sampled_from(["", "", "", ".gz", ".zst"])] * 3)


@settings(FUZZ, max_examples=900)
@given(file=jsonl_files(), threshold=st.sampled_from(THRESHOLDS), mode=st.sampled_from(["gate", "gate", "annotate",
       "annotate_no_rejects"]), batch_size=st.integers(1, 6), names=suffixes)
def test_run_gate_accounts_for_every_line(file, threshold, mode, batch_size, names):
    count("test_run_gate_accounts_for_every_line")
    data, lines = file
    with tempfile.TemporaryDirectory() as tmp:
        report, kept, rejected = gate_files(Path(tmp), data, names, threshold, mode != "gate",
                                            mode != "annotate_no_rejects", batch_size)
    check_gate(data, lines, kept, rejected, report, mode != "gate", threshold)


@settings(FUZZ, max_examples=3000)
@given(line=any_line, number=st.integers(2, 10 ** 6), verdict=st.sampled_from(sorted(VERDICTS)),
       annotate_only=st.booleans(), has_rejects=st.booleans())
def test_every_line_parses_to_its_kind_and_routes(line, number, verdict, annotate_only, has_rejects):
    """The per-line rules alone (no scoring): ``parse`` gives the generated kind, ``route`` one line."""
    count("test_every_line_parses_to_its_kind_and_routes")
    record = parse(number, line.raw + b"\n")
    assert record.problem == (None if line.kind == SCORED else line.reason), (record.problem, line)
    assert record.has_id == line.has_id and record.has_reason == line.has_reason
    if record.problem is None:
        annotation = {"p_machine": None if verdict == "not_english" else 0.5, "verdict": verdict, "threshold": 0.5,
                      "reasons": [], "hygiene": [], "model": "m"}
    else:
        annotation = error_annotation(record.problem, 0.5, "m")
    routed = route(record, annotation, annotate_only, has_rejects or not annotate_only)
    assert routed.data.endswith(b"\n") and routed.data.count(b"\n") == 1  # one output line per input line
    assert routed.dest == "output" or has_rejects or not annotate_only
    if routed.data != line.raw + b"\n":
        obj = json.loads(routed.data)  # anything but a line passed through unchanged is one JSON object
        assert routed.dest == "output" or obj["reason"] == routed.reason


@settings(FUZZ, max_examples=300)
@given(file=jsonl_files(max_lines=6), threshold=st.sampled_from(THRESHOLDS), fail_on_flag=st.booleans(),
       gz=st.booleans())
def test_cli_gate_from_stdin(tmp_path_factory, fake_cli, file, threshold, fail_on_flag, gz):
    count("test_cli_gate_from_stdin")
    data, lines = file
    folder = tmp_path_factory.mktemp("gate")
    out, rej, stats = folder / "out.jsonl", folder / ("rej.jsonl.gz" if gz else "rej.jsonl"), folder / "stats.json"
    res = runner.invoke(app, ["gate", "-i", "-", "-o", str(out), "--rejects", str(rej), "--stats", str(stats),
                              "--threshold", str(threshold)] + (["--fail-on-flag"] if fail_on_flag else []),
                        input=gzip.compress(data) if gz else data)  # compressed stdin is recognised
    assert "Traceback" not in res.output + res.stderr
    assert res.exception is None or isinstance(res.exception, SystemExit), repr(res.exception)
    err = res.stderr.strip().splitlines()
    assert len(err) == 1 and err[0].startswith(f"gate: {len(lines):,} lines"), res.stderr
    report = json.loads(stats.read_text(encoding="utf-8"))
    assert res.exit_code == (1 if fail_on_flag and report["verdicts"].get("machine") else 0), res.stderr
    report = SimpleNamespace(**{**report, "model": {"id": report["model"]["id"]}})
    check_gate(data, lines, out.read_bytes(), decompress(rej), report, False, threshold)


# --- big and deep lines, not generated -------------------------------------------------------------------

TEN_MB = 10 * 1024 * 1024
PROSE = " ".join(SENTENCES)


def _record(**fields) -> bytes:
    return json.dumps(fields, ensure_ascii=False).encode("utf-8")


BIG_LINES = [
    Line(_record(id="ten_mb", text=(PROSE * (TEN_MB // len(PROSE) + 1))[:TEN_MB]), SCORED, True, "ten_mb"),
    Line(_record(id="huge_object", text=PROSE[:2000], **{f"k{i}": [i, str(i)] for i in range(100_000)}),
         SCORED, True, "huge_object"),
    Line(b"[" * 1_000_000 + b"]" * 1_000_000, INVALID_JSON),
    Line(b'{"a": ' * 200_000 + b"1" + b"}" * 200_000, INVALID_JSON),
    Line(b'{"id": 7, "text": "' + b"\x00" * 1000 + b'"}', INVALID_JSON),
    Line(_record(id=8, text="\u0000" * 1000), SCORED, True, 8),  # escaped NUL characters are text
    Line(b"\x00" * TEN_MB, INVALID_JSON),
    Line(b'{"id": 9, "text": "' + b"\xff" * 1000 + b'"}', BAD_BYTES),
    Line(_record(id=10, text=1e308, n=[1.5e-300, -0.0, 10 ** 300]), MISSING_TEXT, True, 10),
    Line(_record(id=[[[[[[[[[[11]]]]]]]]]], text=PROSE[:600]), SCORED, True, [[[[[[[[[[11]]]]]]]]]]),
]


def test_big_and_deep_lines(tmp_path):
    data = b"\n".join(line.raw for line in BIG_LINES) + b"\r\n"
    for threshold, mode in [(0.0, "gate"), (1.0, "annotate")]:
        report, kept, rejected = gate_files(tmp_path, data, ("", "", ".gz"), threshold, mode == "annotate", True, 3)
        check_gate(data, BIG_LINES, kept, rejected, report, mode == "annotate", threshold)


def test_deep_nesting_near_the_recursion_limit_is_accounted_for(tmp_path):
    """How deep Python's parser goes depends on the stack; whatever it decides, every line is accounted for."""
    lines = []
    for depth in range(900, 1100, 7):
        nest = "[" * depth + "]" * depth
        lines.append(f'{{"id": {nest}, "text": "{PROSE[:300]}"}}'.encode())
        lines.append(f'{{"id": {nest}, "reason": 1, "text": "{PROSE[:300]}"}}'.encode())
        lines.append(f'{{"id": {nest}}}'.encode())
    src, out, rej = tmp_path / "in.jsonl", tmp_path / "out.jsonl", tmp_path / "rej.jsonl"
    src.write_bytes(b"\n".join(lines))
    report = run_gate(str(src), str(out), str(rej), fake(0.0), GateOptions(batch_size=5))
    kept, rejected = input_lines(out.read_bytes()), input_lines(rej.read_bytes())
    assert len(kept) + len(rejected) == len(lines) == report.input_lines
    for line in kept + rejected:
        json.loads(line)


def test_huge_integers_are_accounted_for(tmp_path):
    """Python refuses to parse integers over 4,300 digits: such a record is rejected as invalid_json."""
    lines = [b'{"id": 1, "text": "Talks ended.", "n": ' + b"9" * 5000 + b"}", b'{"id": ' + b"9" * 5000 + b"}"]
    src, out, rej = tmp_path / "in.jsonl", tmp_path / "out.jsonl", tmp_path / "rej.jsonl"
    src.write_bytes(b"\n".join(lines))
    report = run_gate(str(src), str(out), str(rej), fake(0.5))
    rejected = [json.loads(x) for x in input_lines(rej.read_bytes())]
    assert report.input_lines == 2 and [r["reason"] for r in rejected] == ["invalid_json", "invalid_json"]
    assert [r["original"].encode() for r in rejected] == lines


def test_file_names_that_are_not_utf8(tmp_path, fake_cli):
    """The checkpoint and stats files hold the paths; a name that is not UTF-8 must not break them."""
    src = tmp_path / os.fsdecode(b"in\xe9.jsonl")
    src.write_bytes(b"\n".join(line.raw for line in BIG_LINES[4:]))
    out, rej, stats = (tmp_path / os.fsdecode(name) for name in (b"out\xe9.jsonl", b"rej\xff.jsonl", b"st\xe9.json"))
    res = runner.invoke(app, ["gate", "-i", str(src), "-o", str(out), "--rejects", str(rej), "--stats", str(stats)])
    assert res.exit_code == 0 and "Traceback" not in res.output, res.output
    assert json.loads(stats.read_bytes())["input"] == str(src)
    assert len(input_lines(out.read_bytes()) + input_lines(rej.read_bytes())) == len(BIG_LINES[4:])
