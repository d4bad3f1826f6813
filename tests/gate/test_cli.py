"""``detect gate``: refusals before any scoring, exit codes, and an end-to-end run with the real LM (slow)."""
import gzip
import json

import pytest
from typer.testing import CliRunner

from casedata import cases  # noqa: E402
from detector.cli import app

runner = CliRunner()
SEEDS = [c["text"] for c in cases("seeds")]


def run(*args, input=None):
    return runner.invoke(app, ["gate", *map(str, args)], input=input)


def one_line_error(res, text):
    err = res.stderr.strip()
    assert res.exit_code == 2, res.output
    assert err.startswith("error: ") and text in err and len(err.splitlines()) == 1, err


@pytest.fixture
def src(tmp_path):
    path = tmp_path / "in.jsonl"
    path.write_text(json.dumps({"id": 1, "text": SEEDS[0]}) + "\n", encoding="utf-8")
    return path


def test_help_has_an_example():
    res = run("--help")
    assert res.exit_code == 0 and "Example" in res.output and "--rejects" in res.output


def test_rejects_required_unless_annotate_only(src, tmp_path):
    one_line_error(run("--input", src, "--output", tmp_path / "out.jsonl"),
                   "--rejects FILE is required unless --annotate-only")
    assert not (tmp_path / "out.jsonl.partial").exists()


def test_unreadable_input(tmp_path):
    one_line_error(run("--input", tmp_path / "nope.jsonl", "--output", tmp_path / "o.jsonl", "--rejects",
                       tmp_path / "r.jsonl"), "cannot read")
    assert sorted(p.name for p in tmp_path.iterdir()) == []


def test_unwritable_output(src, tmp_path):
    one_line_error(run("--input", src, "--output", tmp_path / "missing" / "o.jsonl", "--rejects", tmp_path / "r.jsonl"),
                   "cannot write")


@pytest.mark.parametrize("args, message", [
    (["--fpr", "0.01", "--threshold", "0.5"], "not both"),
    (["--fpr", "0.3"], "threshold"),
    (["--threshold", "1.5"], "threshold must be within"),
    (["--workers", "0"], "at least 1"),
    (["--batch-size", "0"], "at least 1"),
    (["--output", "-", "--resume"], "stdout"),
])
def test_bad_options(src, tmp_path, args, message):
    base = ["--input", src, "--output", tmp_path / "o.jsonl", "--rejects", tmp_path / "r.jsonl"]
    one_line_error(run(*base, *args), message)


def test_bad_model_dir(src, tmp_path):
    one_line_error(run("--input", src, "--rejects", tmp_path / "r.jsonl", "--model", tmp_path), "meta.json")


@pytest.mark.slow
def test_end_to_end_with_the_real_model(tmp_path):
    records = [{"id": i, "text": " ".join(t.split()[:60])} for i, t in enumerate(SEEDS)]
    records += [{"id": "short", "text": "Talks ended without a deal."}, {"id": "none"}]
    lines = [json.dumps(r, ensure_ascii=False).encode() for r in records] + [b"{broken", b"\xff"]
    src = tmp_path / "in.jsonl.gz"
    src.write_bytes(gzip.compress(b"\n".join(lines) + b"\n"))
    out, rej, stats = tmp_path / "out.jsonl", tmp_path / "rej.jsonl.gz", tmp_path / "stats.json"
    res = run("-i", src, "-o", out, "--rejects", rej, "--stats", stats, "--threshold", "0.0", "--fail-on-flag")
    assert res.exit_code == 1, res.output  # everything scorable is flagged at threshold 0
    kept, rejected = out.read_bytes().splitlines(), gzip.decompress(rej.read_bytes()).splitlines()
    assert kept == [] and len(rejected) == len(lines)
    reasons = [json.loads(x)["reason"] for x in rejected]
    assert reasons == ["machine_translated"] * 4 + ["too_short", "missing_text", "invalid_json", "decode_error"]
    got = json.loads(stats.read_text())
    assert got["input_lines"] == 8 and got["verdicts"]["machine"] == 4 and got["model"]["classifier_sha256"]
    assert "gate: 8 lines: 0 kept, 8 rejected" in res.stderr


@pytest.mark.slow
def test_stdin_to_stdout_with_a_one_megabyte_text(tmp_path):
    big = " ".join(SEEDS) * (1_000_000 // len(" ".join(SEEDS)))
    lines = [json.dumps({"id": "big", "text": big}), json.dumps({"id": "small", "text": SEEDS[1]})]
    res = run("--rejects", tmp_path / "r.jsonl", "--threshold", "1.0", input="\n".join(lines) + "\n")
    assert res.exit_code == 0, res.output
    kept = res.stdout_bytes.splitlines()
    assert [json.loads(x)["id"] for x in kept] == ["big", "small"]
    assert kept[0].startswith(lines[0][:-1].encode()) and len(kept[0]) > 1_000_000
