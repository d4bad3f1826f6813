"""The JSON-lines gate (library): every line accounted for, kept records byte-identical, resumable.

The fake token scorer stands in for the LM; verdicts are steered with the threshold, never assumed.
"""
import base64
import gzip
import io
import json
import subprocess
import sys
import time
from functools import partial

import pytest
import zstandard
from casedata import cases

from detector import Detector
from detector.errors import InputError, OutputError
from detector.gate import GateOptions, run_gate
from detector.gate.jsonl import splice
from detector.gate.records import parse
from fakes import FakeScorer

SEEDS = [c["text"] for c in cases("seeds")]
REASONS = {"machine_translated", "too_short", "decode_error", "invalid_json", "field_conflict", "missing_text",
           "empty_text"}
ANNOTATION_KEYS = {"p_machine", "verdict", "threshold", "reasons", "hygiene", "model"}


def fake(threshold):
    return partial(Detector, scorer=FakeScorer(), threshold=threshold)


class CrashingScorer(FakeScorer):
    """Raises on its ``crash_on``-th batch: an interruption after some batches were checkpointed."""

    def __init__(self, crash_on):
        super().__init__()
        self.crash_on, self.batches = crash_on, 0

    def score_many(self, texts, max_tokens=None):
        self.batches += 1
        if self.batches == self.crash_on:
            raise RuntimeError("simulated crash")
        return super().score_many(texts, max_tokens)


def escaped(text):
    """``text`` as the inside of a JSON string, as bytes."""
    return json.dumps(text)[1:-1].encode()


def mixed_lines():
    """One raw line (bytes, no line break) per awkward case."""
    texts = SEEDS + [t[: len(t) // 2] for t in SEEDS]
    lines = [json.dumps({"id": f"seed{i}", "text": t}).encode() for i, t in enumerate(texts)]
    emoji = "Reporters 😀 in Genève said the talks were “frank” — and long. " * 8
    lines += [
        b'{"id": "bad", "text": "unterminated',
        b'[{"id": "array", "text": "an array is not a record"}]',
        b'{"id": "empty", "text": "   "}',
        b'{"id": "missing", "title": "no text here"}',
        b'{"id": "number", "text": 42}',
        b'{"id": "null", "text": null}',
        b'{"id": "short", "text": "Talks ended."}',
        json.dumps({"id": "huge", "text": SEEDS[1], "html": "<p>x</p>" * 131072}).encode(),  # a 1 MB line
        b'{"id": "latin1", "text": "caf\xe9 au lait"}',
        b"",
        b"   \t",
        json.dumps({"id": "emoji", "text": emoji}, ensure_ascii=False).encode(),
        b'{  "z" :1 ,"text" : "Caf\\u00e9 \\ud83d\\ude00 ' + escaped(SEEDS[2][:800])
        + b'",\t"meta":{"b":[1,2.50,1E3,-0.0],"a":{"c":null}} ,"id":"nested"  }  \r',
        b'{"id": "taken", "text": "x", "detector": {"p_machine": 0}}',
        b'{"id": "surrogate", "text": "lone \\ud800 surrogate"}',
        b"[" * 100000 + b"]" * 100000,
        json.dumps({"text": SEEDS[0], "id": "last"}).encode(),
    ]
    return lines


def write_input(path, lines, trailing=b""):
    data = b"\n".join(lines) + trailing
    opener = gzip.open if str(path).endswith(".gz") else open
    with opener(path, "wb") as f:
        f.write(data)
    return path


def read_bytes(path):
    data = open(path, "rb").read()
    if str(path).endswith(".gz"):
        return gzip.decompress(data)
    if str(path).endswith(".zst"):
        return zstandard.ZstdDecompressor().stream_reader(io.BytesIO(data), read_across_frames=True).read()
    return data


def out_lines(path):
    return read_bytes(path).splitlines(keepends=True)


@pytest.fixture(scope="module")
def middle_threshold():
    """A threshold with some long texts on either side of it, whatever the shipped model says."""
    det = Detector(scorer=FakeScorer())
    p = sorted(s.p_machine for s in det.score_many(SEEDS + [t[: len(t) // 2] for t in SEEDS]))
    return (p[len(p) // 2 - 1] + p[len(p) // 2]) / 2


def gate(tmp_path, lines, threshold, name="run", **kw):
    src = kw.pop("src", None) or write_input(tmp_path / "in.jsonl", lines)
    out, rej = tmp_path / f"{name}.out.jsonl", tmp_path / f"{name}.rej.jsonl"
    report = run_gate(str(src), str(out), str(rej), fake(threshold), GateOptions(**kw))
    return report, out, rej


def check_splice(original, line, added):
    """``line`` is ``original`` with exactly the ``added`` fields inserted before the closing brace."""
    body = original.rstrip(b" \t\r\n")
    assert line.startswith(body[:-1]) and line.endswith(b"}\n")
    obj, orig = json.loads(line), json.loads(original)
    assert list(obj)[-len(added):] == added
    assert {k: v for k, v in obj.items() if k not in added} == orig
    assert line == splice(original, [(k, obj[k]) for k in added], empty=not orig)


def test_every_line_accounted_for_and_kept_records_byte_identical(tmp_path, middle_threshold):
    lines = mixed_lines()
    report, out, rej = gate(tmp_path, lines, middle_threshold, batch_size=3)
    kept, rejected = out_lines(out), out_lines(rej)
    assert len(kept) + len(rejected) == len(lines) == report.input_lines
    assert (report.kept, report.rejected) == (len(kept), len(rejected))
    verdicts = report.verdicts
    assert verdicts["machine"] > 0 and verdicts["clean"] > 0 and verdicts["too_short"] == 1
    reason_of = {}
    k = r = 0  # walk the input in order: each line is the next kept line or the next rejected one
    for number, raw in enumerate(lines, 1):
        if k < len(kept) and kept[k].startswith(raw.rstrip(b" \t\r\n")[:-1] or b"\0"):
            check_splice(raw, kept[k], ["detector"])
            assert json.loads(kept[k])["detector"]["verdict"] == "clean"
            k += 1
            continue
        reject = json.loads(rejected[r])
        assert reject["reason"] in REASONS
        reason_of[number] = reject["reason"]
        if "original" in reject or "original_b64" in reject:
            assert reject["line"] == number
            assert reject.get("original", "").encode() == raw or base64.b64decode(reject.get("original_b64", "")) == raw
        else:
            check_splice(raw, rejected[r], ["detector", "reason"])
            assert set(reject["detector"]) == ANNOTATION_KEYS
        r += 1
    assert (k, r) == (len(kept), len(rejected))
    expected = {"bad": "invalid_json", "empty": "empty_text", "missing": "missing_text", "number": "missing_text",
                "null": "missing_text", "short": "too_short", "latin1": "decode_error", "taken": "field_conflict",
                "surrogate": "decode_error"}
    line_of = {i: next(n for n, raw in enumerate(lines, 1) if f'"id": "{i}"'.encode() in raw) for i in expected}
    assert {i: reason_of[line_of[i]] for i in expected} == expected
    assert report.reasons["invalid_json"] == 5  # bad, the array, two blank lines, the deep nesting
    assert sum(report.reasons.values()) == report.rejected


def test_kept_record_keeps_its_spacing_order_and_escapes(tmp_path):
    raw = b'{  "z" :1 ,"text" : "Caf\\u00e9 ' + escaped(SEEDS[0][:600]) + b'",  "n":{"b":[2.50,1E3]}  }'
    _, out, _ = gate(tmp_path, [raw], threshold=1.0)
    line = read_bytes(out)
    assert line.startswith(raw[:-1]) and line.endswith(b"}\n") and b"Caf\\u00e9" in line
    check_splice(raw, line, ["detector"])


def test_forced_flags_splice_a_reason_or_wrap_a_record_that_has_one(tmp_path):
    plain, clash = (json.dumps({"id": 1, "text": SEEDS[0]}).encode(),
                    json.dumps({"id": 2, "reason": "theirs", "text": SEEDS[1]}).encode())
    report, out, rej = gate(tmp_path, [plain, clash], threshold=0.0)
    assert read_bytes(out) == b"" and report.verdicts["machine"] == 2
    first, second = out_lines(rej)
    check_splice(plain, first, ["detector", "reason"])
    assert json.loads(first)["reason"] == "machine_translated"
    second = json.loads(second)
    assert second["reason"] == "machine_translated" and second["original"].encode() == clash
    assert second["id"] == 2 and second["detector"]["verdict"] == "machine"


def test_empty_object_and_bom_and_missing_final_newline(tmp_path):
    lines = [b"\xef\xbb\xbf" + json.dumps({"text": SEEDS[0]}).encode(), b"{ }"]
    src = write_input(tmp_path / "in.jsonl", lines)
    out = tmp_path / "out.jsonl"
    run_gate(str(src), str(out), None, fake(1.0), GateOptions(annotate_only=True))
    first, second = out_lines(out)
    check_splice(lines[0][3:], first, ["detector"])
    assert second.startswith(b'{ "detector": {"p_machine": null, "verdict": "error"')
    assert json.loads(second)["detector"]["reasons"] == ["missing_text"]
    assert parse(1, lines[0]).text == SEEDS[0]


def test_annotate_only_keeps_every_line(tmp_path, middle_threshold):
    lines = mixed_lines()
    src = write_input(tmp_path / "in.jsonl", lines, trailing=b"\n")
    out = tmp_path / "out.jsonl"
    report = run_gate(str(src), str(out), None, fake(middle_threshold), GateOptions(annotate_only=True))
    kept = out_lines(out)
    assert len(kept) == len(lines) == report.kept and report.rejected == 0
    for raw, line in zip(lines, kept):
        if parse(2, raw).problem in ("decode_error", "invalid_json", "field_conflict") and b"surrogate" not in raw:
            assert line == raw + b"\n"  # cannot carry an annotation: passed through as read
        else:
            check_splice(raw, line, ["detector"])
    assert report.verdicts["machine"] > 0 and report.reasons["too_short"] == 1


def test_annotate_only_with_rejects_sets_unreadable_lines_aside(tmp_path):
    lines = [json.dumps({"text": SEEDS[0]}).encode(), b"{nope", b'{"text": ""}']
    src = write_input(tmp_path / "in.jsonl", lines)
    out, rej = tmp_path / "out.jsonl", tmp_path / "rej.jsonl"
    run_gate(str(src), str(out), str(rej), fake(0.0), GateOptions(annotate_only=True))
    assert len(out_lines(out)) == 2 and [json.loads(x)["reason"] for x in out_lines(rej)] == ["invalid_json"]


@pytest.mark.parametrize("into, out_as", [(".gz", ".zst"), (".zst", ".gz")])
def test_compressed_in_and_out_match_plain(tmp_path, middle_threshold, into, out_as):
    lines = mixed_lines()[:12] + mixed_lines()[-4:]
    _, out, rej = gate(tmp_path, lines, middle_threshold, batch_size=4)
    src = tmp_path / f"in.jsonl{into}"
    if into == ".gz":
        write_input(src, lines)
    else:  # two zstd frames, the way the gate writes them
        pack = zstandard.ZstdCompressor().compress
        src.write_bytes(pack(b"\n".join(lines[:5]) + b"\n") + pack(b"\n".join(lines[5:])))
    zout, zrej = tmp_path / f"out.jsonl{out_as}", tmp_path / f"rej.jsonl{into}"
    run_gate(str(src), str(zout), str(zrej), fake(middle_threshold), GateOptions(batch_size=4))
    assert read_bytes(zout) == read_bytes(out) and read_bytes(zrej) == read_bytes(rej)
    assert zout.read_bytes()[:4] == (b"\x28\xb5\x2f\xfd" if out_as == ".zst" else zout.read_bytes()[:4])
    assert zrej.read_bytes()[:2] == (b"\x1f\x8b" if into == ".gz" else b"\x28\xb5")


def test_stdin_to_stdout_sniffs_compression(tmp_path, monkeypatch):
    data = gzip.compress(json.dumps({"id": 1, "text": SEEDS[0]}).encode() + b"\n")
    stdout = io.BytesIO()
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BufferedReader(io.BytesIO(data))))
    monkeypatch.setattr(sys, "stdout", type("Out", (), {"buffer": stdout})())
    report = run_gate("-", "-", str(tmp_path / "rej.jsonl"), fake(1.0))
    assert report.kept == 1 and json.loads(stdout.getvalue())["id"] == 1


def test_stats_file(tmp_path, middle_threshold):
    lines = mixed_lines()[:10]
    src = write_input(tmp_path / "in.jsonl", lines)
    stats = tmp_path / "stats.json"
    report = run_gate(str(src), str(tmp_path / "o.jsonl"), str(tmp_path / "r.jsonl"), fake(middle_threshold),
                      stats=stats)
    got = json.loads(stats.read_text())
    assert got["input_lines"] == 10 == got["kept"] + got["rejected"]
    assert got["verdicts"] == dict(report.verdicts) and got["reasons"] == dict(report.reasons)
    assert got["errors"] == 2 and got["threshold"] == round(middle_threshold, 6)
    assert got["elapsed_seconds"] > 0 and got["records_per_second"] > 0
    assert len(got["model"]["classifier_sha256"]) == 64 and got["model"]["path"].endswith("model")


def test_two_workers_match_one(tmp_path, middle_threshold):
    lines = mixed_lines()[:9] + mixed_lines()[-4:]
    src = write_input(tmp_path / "in.jsonl", lines)
    _, out1, rej1 = gate(tmp_path, None, middle_threshold, name="one", src=src, batch_size=2)
    _, out2, rej2 = gate(tmp_path, None, middle_threshold, name="two", src=src, batch_size=2, workers=2)
    assert out1.read_bytes() == out2.read_bytes() and rej1.read_bytes() == rej2.read_bytes()


@pytest.mark.parametrize("suffix", [".jsonl", ".jsonl.gz"])
def test_resume_after_a_crash_matches_an_uninterrupted_run(tmp_path, middle_threshold, suffix):
    lines = mixed_lines()
    src = write_input(tmp_path / "in.jsonl", lines)
    out, rej = tmp_path / f"out{suffix}", tmp_path / f"rej{suffix}"
    crashing = partial(Detector, scorer=CrashingScorer(crash_on=4), threshold=middle_threshold)
    with pytest.raises(RuntimeError, match="simulated crash"):
        run_gate(str(src), str(out), str(rej), crashing, GateOptions(batch_size=3))
    assert not out.exists() and not rej.exists()  # only partial files
    checkpoint = json.loads((tmp_path / f"out{suffix}.checkpoint.json").read_text())
    assert 0 < checkpoint["lines"] < len(lines) and checkpoint["lines"] % 3 == 0
    for name in (out, rej):  # bytes written after the last checkpoint are cut off on resume
        with open(f"{name}.partial", "ab") as f:
            f.write(b'{"half a rec')
    report = run_gate(str(src), str(out), str(rej), fake(middle_threshold), GateOptions(batch_size=3, resume=True))
    assert report.resumed_at_line == checkpoint["lines"] and report.input_lines == len(lines)
    assert not (tmp_path / f"out{suffix}.checkpoint.json").exists() and not (tmp_path / f"out{suffix}.partial").exists()
    _, full_out, full_rej = gate(tmp_path, None, middle_threshold, name="full", src=src, batch_size=3)
    assert read_bytes(out) == full_out.read_bytes() and read_bytes(rej) == full_rej.read_bytes()
    if suffix == ".jsonl":
        assert out.read_bytes() == full_out.read_bytes()


def test_resume_refuses_other_settings_or_other_input(tmp_path):
    lines = [json.dumps({"text": t}).encode() for t in SEEDS]
    src = write_input(tmp_path / "in.jsonl", lines)
    out, rej = str(tmp_path / "out.jsonl"), str(tmp_path / "rej.jsonl")
    with pytest.raises(RuntimeError):
        run_gate(str(src), out, rej, partial(Detector, scorer=CrashingScorer(2), threshold=0.5),
                 GateOptions(batch_size=1))
    with pytest.raises(InputError, match="batch_size"):
        run_gate(str(src), out, rej, fake(0.5), GateOptions(batch_size=2, resume=True))
    write_input(src, [b'{"text": "changed"}'] + lines[1:])
    with pytest.raises(InputError, match="input differs"):
        run_gate(str(src), out, rej, fake(0.5), GateOptions(batch_size=1, resume=True))
    report = run_gate(str(src), out, rej, fake(0.5), GateOptions(batch_size=1))  # no --resume: start over
    assert report.resumed_at_line == 0 and report.input_lines == 4


def test_resume_without_a_checkpoint_starts_from_the_beginning(tmp_path):
    report, out, _ = gate(tmp_path, [json.dumps({"text": SEEDS[0]}).encode()], 1.0, resume=True)
    assert report.input_lines == 1 and report.resumed_at_line == 0 and len(out_lines(out)) == 1


def test_refused_before_anything_is_read_or_written(tmp_path):
    src = str(write_input(tmp_path / "in.jsonl", [b"{}"]))
    out, rej = str(tmp_path / "out.jsonl"), str(tmp_path / "rej.jsonl")
    with pytest.raises(InputError, match="rejects file is required"):
        run_gate(src, out, None, fake(0.5))
    with pytest.raises(InputError, match="must differ"):
        run_gate(src, out, str(tmp_path / "." / "out.jsonl"), fake(0.5))
    with pytest.raises(InputError, match="the input and --output must differ"):
        run_gate(src, src, rej, fake(0.5))
    with pytest.raises(InputError, match="stdout"):
        run_gate(src, "-", rej, fake(0.5), GateOptions(resume=True))
    with pytest.raises(InputError, match="cannot read"):
        run_gate(str(tmp_path / "nope.jsonl"), out, rej, fake(0.5))
    with pytest.raises(OutputError, match="cannot write"):
        run_gate(src, str(tmp_path / "no" / "out.jsonl"), rej, fake(0.5))
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in.jsonl"]


def test_truncated_gzip_input_is_an_input_error(tmp_path):
    src = tmp_path / "in.jsonl.gz"
    src.write_bytes(gzip.compress(b"\n".join(json.dumps({"text": t}).encode() for t in SEEDS))[:-30])
    with pytest.raises(InputError, match="cannot read"):
        gate(tmp_path, None, 0.5, src=src)
    assert not (tmp_path / "run.out.jsonl").exists()



def _zst_records(n: int = 500) -> bytes:
    body = b"".join(json.dumps({"id": i, "text": f"Talks resumed on day {i}."}).encode() + b"\n" for i in range(n))
    c = zstandard.ZstdCompressor()
    return c.compress(body[: len(body) // 3]) + c.compress(body[len(body) // 3:])  # two frames, as a writer makes


@pytest.mark.parametrize("cut", [0.5, 0.98])
def test_truncated_zstd_input_is_an_input_error_not_an_early_end(tmp_path, cut):
    """A .zst cut short used to read as a normal end of file: 255 of 500 records, exit 0."""
    data = _zst_records()
    src = tmp_path / "in.jsonl.zst"
    src.write_bytes(data[: int(len(data) * cut)])
    with pytest.raises(InputError, match="truncated"):
        gate(tmp_path, None, 0.5, src=src)
    assert not (tmp_path / "run.out.jsonl").exists() and not (tmp_path / "run.rej.jsonl").exists()
    src.write_bytes(data)  # the whole file reads to the end
    report, _, _ = gate(tmp_path, None, 0.5, name="whole", src=src)
    assert report.input_lines == 500


def test_truncated_zstd_on_stdin_is_an_input_error(tmp_path, monkeypatch):
    data = _zst_records()
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BufferedReader(io.BytesIO(data[: len(data) // 2]))))
    with pytest.raises(InputError, match="truncated"):
        run_gate("-", str(tmp_path / "o.jsonl"), str(tmp_path / "r.jsonl"), fake(0.5), GateOptions())

KILLABLE = """
import sys, time
from functools import partial
sys.path[:0] = {paths!r}
from fakes import FakeScorer
from detector import Detector
from detector.gate import GateOptions, run_gate


class SlowScorer(FakeScorer):
    def score_many(self, texts, max_tokens=None):
        time.sleep(0.2)
        return super().score_many(texts, max_tokens)


run_gate(sys.argv[1], sys.argv[2], sys.argv[3], partial(Detector, scorer=SlowScorer(), threshold=float(sys.argv[4])),
         GateOptions(batch_size=2))
"""


def test_resume_after_sigkill_matches_an_uninterrupted_run(tmp_path, middle_threshold):
    lines = (mixed_lines()[:8] + mixed_lines()[-3:]) * 3
    src = write_input(tmp_path / "in.jsonl", lines)
    out, rej, checkpoint = tmp_path / "out.jsonl", tmp_path / "rej.jsonl", tmp_path / "out.jsonl.checkpoint.json"
    script = tmp_path / "gate_script.py"
    script.write_text(KILLABLE.format(paths=sys.path))
    proc = subprocess.Popen([sys.executable, str(script), str(src), str(out), str(rej), repr(middle_threshold)])
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and proc.poll() is None:
            if checkpoint.exists() and json.loads(checkpoint.read_text())["lines"] >= 6:
                break
            time.sleep(0.05)
    finally:
        proc.kill()  # SIGKILL: no cleanup runs
        proc.wait()
    assert not out.exists(), "the run finished before it could be killed"
    report = run_gate(str(src), str(out), str(rej), fake(middle_threshold), GateOptions(batch_size=2, resume=True))
    assert report.resumed_at_line >= 6 and report.input_lines == len(lines)
    _, full_out, full_rej = gate(tmp_path, None, middle_threshold, name="full", src=src, batch_size=2)
    assert out.read_bytes() == full_out.read_bytes() and rej.read_bytes() == full_rej.read_bytes()
