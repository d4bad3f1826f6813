"""The language check behind the ``not_english`` verdict: golden cases, properties, API/CLI/gate wiring."""
import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from detector import Detector
from detector.language import MIN_LETTERS, check
from fakes import FakeScorer
from casedata import cases  # noqa: E402

CASES = cases("languages")
FOREIGN = [c for c in CASES if c["lang"] != "en"]
ENGLISH = [c for c in CASES if c["lang"] == "en"]


@pytest.mark.parametrize("case", FOREIGN, ids=[c["id"] for c in FOREIGN])
def test_other_languages_are_not_english(case):
    lang = check(case["text"])
    assert lang is not None and not lang.english
    assert lang.reason in (f"language_{case['lang']}", "script_non_latin")


@pytest.mark.parametrize("case", ENGLISH, ids=[c["id"] for c in ENGLISH])
def test_odd_and_damaged_english_stays_english(case):
    lang = check(case["text"])
    assert lang is not None and lang.english and lang.reason == ""


def test_latin_scripts_get_the_langid_code():
    assert check(next(c for c in FOREIGN if c["id"] == "de")["text"]).code == "de"


def test_too_little_text_is_undecided():
    assert check("Hola, ¿qué tal?") is None
    assert check("1234 5678 !!! ??? " * 20) is None
    assert check("a" * (MIN_LETTERS - 1)) is None


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=400))
def test_check_never_fails_and_stays_in_range(text):
    lang = check(text)
    if lang is not None:
        assert 0.0 <= lang.confidence <= 1.0 and 0.0 <= lang.latin_share <= 1.0
        assert 0.0 <= lang.function_share <= 1.0


@pytest.fixture(scope="module")
def det():
    return Detector(scorer=FakeScorer())


def test_not_english_verdict_has_no_score_and_skips_the_lm(det):
    scorer = det.scorer
    before = len(scorer.calls)
    texts = [c["text"] * 3 for c in FOREIGN]
    scores = det.score_many(texts)
    assert all(s.verdict == "not_english" for s in scores)
    assert all(s.p_machine != s.p_machine for s in scores)  # NaN
    assert all(s.lm_tokens == 0 and not s.flagged for s in scores)
    assert sum(n for n, _ in scorer.calls[before:]) == 0
    d = scores[0].as_dict(texts[0])
    assert d["p_machine"] is None and d["verdict"] == "not_english"
    assert d["language"]["code"] == "de" and [r["code"] for r in d["reasons"]] == ["not_english", "language_de"]
    assert scores[0].annotation()["p_machine"] is None


def test_english_in_a_batch_with_foreign_text_is_scored(det):
    english = ENGLISH[0]["text"] * 3
    s_en, s_de = det.score_many([english, FOREIGN[0]["text"] * 3])
    assert s_en.verdict in ("machine", "clean") and 0.0 <= s_en.p_machine <= 1.0
    assert s_en.language.english and s_de.verdict == "not_english"


def test_filter_drops_not_english(det):
    out = list(det.filter([FOREIGN[0]["text"] * 3]))
    assert out[0][1].keep is False and out[0][1].score.verdict == "not_english"


def test_cli_prints_a_dash_for_p_machine_and_exits_0(tmp_path):
    path = tmp_path / "de.txt"
    path.write_text(FOREIGN[0]["text"] * 3, encoding="utf-8")
    from detector.cli import app

    res = CliRunner().invoke(app, ["score", str(path)])
    assert res.exit_code == 0, res.output
    assert res.output.split("\t")[1:3] == ["-", "not_english"]
    res = CliRunner().invoke(app, ["score", str(path), "--json"])
    assert json.loads(res.output)["p_machine"] is None

