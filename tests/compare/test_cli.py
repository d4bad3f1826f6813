"""``detect compare`` and ``detect explain``: output contract and exit codes (fake LM, lexical similarity)."""
import json

import pytest
from typer.testing import CliRunner

import detector.api
from detector.cli import app
from fakes import FakeScorer
from casedata import texts  # noqa: E402

runner = CliRunner()
SEEDS = texts("seeds")


@pytest.fixture
def files(tmp_path, monkeypatch):
    real = detector.api.Detector
    monkeypatch.setattr(detector.api, "Detector", lambda model=None, **kw: real(model, scorer=FakeScorer(), **kw))
    paths = {}
    for key in ("seed-000", "seed-001"):
        paths[key] = tmp_path / f"{key}.txt"
        paths[key].write_text(SEEDS[key], encoding="utf-8")
    return paths


def test_compare_json_and_html(files, tmp_path):
    out = tmp_path / "c.html"
    res = runner.invoke(app, ["compare", str(files["seed-000"]), str(files["seed-001"]), "--json",
                              "--html", str(out)])
    assert res.exit_code == 0, res.output
    obj = json.loads(res.stdout)
    assert obj["verdict"] == "derived" and 0 <= obj["p_machine_suspect"] <= 1
    assert obj["edit_counts"]["name_changed"] >= 1 and 'data-kind="name_changed"' in out.read_text(encoding="utf-8")


def test_compare_human_output(files):
    res = runner.invoke(app, ["compare", str(files["seed-000"]), str(files["seed-001"]), "--no-score"])
    assert res.exit_code == 0 and res.stdout.startswith("verdict: derived")
    assert "name_changed\t'Berbock' <- 'Baerbock'" in res.stdout


def test_explain_writes_page(files, tmp_path):
    out = tmp_path / "e.html"
    res = runner.invoke(app, ["explain", str(files["seed-000"]), "--html", str(out)])
    assert res.exit_code == 0 and res.stdout.startswith(str(out))
    assert 'class="span"' in out.read_text(encoding="utf-8")


@pytest.mark.parametrize("args", [
    ["compare", "missing.txt", "other.txt", "--no-score"],
    ["explain", "missing.txt", "--html", "x.html"],
])
def test_errors_exit_2_with_one_line(args):
    res = runner.invoke(app, args)
    assert res.exit_code == 2 and len(res.stderr.strip().splitlines()) == 1 and "Traceback" not in res.output


def test_unwritable_html_exits_2(files, tmp_path):
    res = runner.invoke(app, ["explain", str(files["seed-000"]), "--html", str(tmp_path / "no" / "dir" / "e.html")])
    assert res.exit_code == 2 and res.stderr.startswith("error: cannot write")
