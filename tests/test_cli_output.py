"""What ``detect score`` prints in each format, ``detect reasons`` and ``detect --version`` (a fake LM)."""
from __future__ import annotations

import json
import re

import pytest
from fakes import FakeScorer
from typer.testing import CliRunner

import detector.api
from detector.cli import app
from detector.cli_output import line_col
from detector.reasons import TABLE, info

runner = CliRunner()
SEED = "data/examples/003_7b8a81618ea4dc82.txt"
CLEAN = "data/examples/002_3b86b5e3aeee3c3a.txt"
LINT = re.compile(r"^(?P<path>[^:]+):(?P<line>\d+):(?P<col>\d+): (?P<code>[a-z_]+) (?P<title>.+)$")


@pytest.fixture(autouse=True)
def fake_lm(monkeypatch):
    real = detector.api.Detector
    monkeypatch.setattr(detector.api, "Detector", lambda model=None, **kw: real(model, scorer=FakeScorer(), **kw))


def run(*args):
    return runner.invoke(app, list(args))


def test_lines_format_points_at_each_span():
    text = open(SEED, encoding="utf-8").read()
    res = run("score", SEED, "--format", "lines", "--quiet")
    assert res.exit_code == 1  # flagged
    got = [LINT.match(line) for line in res.stdout.splitlines()]
    assert got and all(got), res.stdout
    spans = json.loads(run("score", SEED, "--json", "--quiet").stdout)["spans"]
    places = {line_col(text, s["start"]) + (s["reason"],) for s in spans}
    for m in got:
        assert m["path"] == SEED and m["title"].startswith(info(m["code"]).title)
        if not m["title"].endswith("(whole text)"):
            assert (int(m["line"]), int(m["col"]), m["code"]) in places
    assert len([m for m in got if not m["title"].endswith("(whole text)")]) == len(places)


def test_lines_format_prints_nothing_for_a_clean_text():
    res = run("score", CLEAN, "--format", "lines")
    assert res.exit_code == 0 and res.stdout == ""


def test_several_files_stream_in_order_and_end_with_a_summary():
    res = run("score", SEED, CLEAN, SEED, "--no-fail")
    lines = res.stdout.splitlines()
    assert [line.split("\t")[0] for line in lines] == [SEED, CLEAN, SEED]
    assert re.fullmatch(r"score: 3 inputs: machine 2, clean 1; [0-9.]+ s", res.stderr.strip())
    quiet = run("score", SEED, CLEAN, "--no-fail", "--quiet")
    assert quiet.stderr == "" and len(quiet.stdout.splitlines()) == 2


def test_unknown_format_is_one_line_exit_2():
    res = run("score", CLEAN, "--format", "xml")
    assert res.exit_code == 2 and res.stderr.startswith("error: --format must be one of")


def test_reasons_command_lists_the_table():
    res = run("reasons", "--json")
    rows = [json.loads(line) for line in res.stdout.splitlines()]
    assert res.exit_code == 0 and [r["code"] for r in rows] == [r.code for r in TABLE]
    text = run("reasons").stdout
    assert all(r.code in text and r.title in text for r in TABLE)


def test_version_names_package_model_and_lm():
    res = run("--version")
    meta = json.loads(open("detector/resources/model/meta.json", encoding="utf-8").read())
    assert res.exit_code == 0
    assert res.stdout.startswith(f"detector {detector.__version__}; ")
    assert meta["classifier"]["sha256"][:16] in res.stdout and meta["lm"]["name"] in res.stdout
