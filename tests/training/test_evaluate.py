"""``make eval`` measures the product: its scores are those of ``detect score --json`` on the same texts."""
import json
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from fakes import FakeScorer
from training import data, evaluate

ROOT = Path(__file__).parents[2]
KINDS = ("native", "mt", "roundtrip", "spun", "scrape_damaged", "human_translation")


def _handful() -> list[dict]:
    """One test-split record of each kind (the first by id): early exits and LM-read texts alike."""
    test = sorted(data.load_corpus(ROOT / "data" / "corpus", splits=("test",)), key=lambda r: r["id"])
    return [next(r for r in test if r["kind"] == kind) for kind in KINDS]


def _files(records: list[dict], folder: Path) -> list[Path]:
    paths = [folder / f"{i}.txt" for i in range(len(records))]
    for path, r in zip(paths, records):
        path.write_text(r["text"], encoding="utf-8")
    return paths


def _cli_rows(out: str) -> list[dict]:
    return [json.loads(line) for line in out.splitlines() if line.strip()]


def _assert_same(scored: evaluate.SplitScores, rows: list[dict]) -> None:
    assert len(rows) == len(scored.p)
    for row, p, verdict, tokens in zip(rows, scored.p, scored.verdicts, scored.lm_tokens):
        assert row["p_machine"] == round(float(p), 6) and row["verdict"] == verdict and row["lm_tokens"] == tokens


def test_eval_scores_are_the_clis_with_a_fake_scorer(tmp_path, monkeypatch):
    from detector import Detector, lm
    from detector.cli import app

    records = _handful()
    scored = evaluate.split_scores(Detector(scorer=FakeScorer()), records, "test")
    paths = _files(records, tmp_path)
    monkeypatch.setattr(lm.LMScorer, "for_model", classmethod(lambda cls, meta, **kw: FakeScorer()))
    res = CliRunner().invoke(app, ["score", "--json", "--no-fail", *map(str, paths)])
    assert res.exit_code == 0, res.output
    _assert_same(scored, _cli_rows(res.stdout))
    assert {"machine", "clean"} <= set(scored.verdicts) and (scored.lm_tokens == 0).any() and scored.lm_tokens.any()


@pytest.mark.slow
def test_eval_scores_are_the_clis_with_the_real_lm(tmp_path, monkeypatch):
    """The real LM through ``make eval``'s own Detector (score cache included) against ``detect score``."""
    records = _handful()
    monkeypatch.chdir(tmp_path)  # the score cache goes to tmp_path/.cache
    scored = evaluate.split_scores(evaluate.detector_for(), records, "test")
    again = evaluate.split_scores(evaluate.detector_for(), records, "test")  # now read from the cache
    assert (again.p == scored.p).all() and (again.lm_tokens == scored.lm_tokens).all()
    paths = _files(records, tmp_path)
    detect = Path(sys.executable).parent / "detect"
    res = subprocess.run([str(detect), "score", "--json", "--no-fail", *map(str, paths)], capture_output=True,
                         text=True, cwd=ROOT)
    assert res.returncode == 0, res.stderr
    _assert_same(scored, _cli_rows(res.stdout))
