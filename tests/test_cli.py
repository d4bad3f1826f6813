"""The ``detect`` command line: exit codes, output contract, help."""
import json

import pytest
from typer.testing import CliRunner

from detector.cli import app

runner = CliRunner()
EXAMPLES = "data/examples"
CLEAN = f"{EXAMPLES}/002_3b86b5e3aeee3c3a.txt"
# An Apertium eng->cat->eng round trip of a BBC article (test split, bbc/business/087), flagged at --fpr 0.05.
MACHINE = "tests/cases/roundtrip_example.txt"


def run(*args, input=None):
    return runner.invoke(app, list(args), input=input)


def test_every_command_has_help_with_an_example():
    names = [c.name or c.callback.__name__ for c in app.registered_commands]
    assert "score" in names
    for name in names:
        res = run(name, "--help")
        assert res.exit_code == 0 and "Example" in res.output, name


def test_missing_file_exits_2_with_one_line(tmp_path):
    res = run("score", str(tmp_path / "nope.txt"))
    assert res.exit_code == 2
    assert res.stderr.strip().startswith("error: cannot read") and len(res.stderr.strip().splitlines()) == 1


def test_non_utf8_exits_2(tmp_path):
    bad = tmp_path / "bad.txt"
    bad.write_bytes(b"caf\xe9 au lait " * 20)
    res = run("score", str(bad))
    assert res.exit_code == 2 and "not valid UTF-8" in res.stderr


def test_bad_model_dir_exits_2(tmp_path):
    res = run("score", CLEAN, "--model", str(tmp_path))
    assert res.exit_code == 2 and "meta.json" in res.stderr


def test_unknown_fpr_exits_2():
    res = run("score", CLEAN, "--fpr", "0.3")
    assert res.exit_code == 2 and "threshold" in res.stderr


@pytest.mark.slow
def test_flagged_exits_1_and_no_fail_exits_0():
    assert run("score", MACHINE, "--fpr", "0.05").exit_code == 1
    assert run("score", MACHINE, "--fpr", "0.05", "--no-fail").exit_code == 0


@pytest.mark.slow
def test_clean_exits_0_and_json_contract():
    res = run("score", CLEAN, "--json", "--features")
    assert res.exit_code == 0
    obj = json.loads(res.stdout.strip().splitlines()[0])
    assert obj["path"] == CLEAN and obj["verdict"] == "clean" and 0 <= obj["p_machine"] <= 1
    assert {"threshold", "words", "spans", "hygiene", "features"} <= set(obj)
    assert obj["features"]["lm.mean_nll.v1"] is not None


@pytest.mark.slow
def test_stdin_and_human_output():
    text = open(MACHINE, encoding="utf-8").read()
    res = run("score", "-", "--fpr", "0.05", input=text)
    assert res.exit_code == 1
    path, p, verdict, reasons = res.stdout.strip().split("\t")[:4]
    assert path == "-" and verdict == "machine" and 0 <= float(p) <= 1 and reasons != "-"
