"""training.experiments.learning_curve: document subsets, the curve rows, the log-linear extrapolation, the report."""
from __future__ import annotations

import json
import math

import numpy as np
import pytest

from training.experiments import learning_curve as lc

GROUPS = [f"doc{i}" for i in range(40) for _ in range(3)]  # three records per document


def test_subsets_keep_whole_documents_in_the_stated_share():
    subs = lc.subsets(GROUPS, (0.25, 0.5, 1.0), seeds=3)
    assert [(f, s) for f, s, _ in subs] == [(0.25, 0), (0.25, 1), (0.25, 2), (0.5, 0), (0.5, 1), (0.5, 2), (1.0, 0)]
    for f, _, kept in subs:
        assert len(kept) == round(f * 40) and kept <= set(GROUPS)
    assert subs[-1][2] == set(GROUPS)
    assert subs[0][2] != subs[1][2], "seeds draw different documents"
    assert lc.subsets(GROUPS, (0.25,), 1) == lc.subsets(GROUPS, (0.25,), 1), "reproducible"


def test_curve_rows_carry_the_score_of_their_kept_documents():
    rows = lc.curve(GROUPS, lambda kept: {"dev": len(kept) / 40, "test": len(kept) / 80}, (0.5, 1.0), seeds=2)
    assert [(r["fraction"], r["documents"], r["auroc"], r["test"]) for r in rows] == [
        (0.5, 20, 0.5, 0.25), (0.5, 20, 0.5, 0.25), (1.0, 40, 1.0, 0.5)]


def _rows(a1: float, slope: float) -> list[dict]:
    return [{"fraction": f, "seed": 0, "documents": 0, "auroc": a1 + slope * math.log2(f)} for f in (0.25, 0.5, 1.0)]


def test_log_linear_fit_recovers_gain_per_doubling_and_extrapolates():
    intercept, slope = lc.per_doubling(_rows(0.84, 0.03))
    assert intercept == pytest.approx(0.84) and slope == pytest.approx(0.03)
    assert lc.times_needed(_rows(0.84, 0.03), 0.90) == pytest.approx(4.0)  # two more doublings
    rows = [dict(r, test=0.70) for r in _rows(0.84, 0.03)]
    assert lc.per_doubling(rows, "test") == pytest.approx((0.70, 0.0))
    assert lc.times_needed(_rows(0.84, 0.0), 0.90) is None
    assert lc.times_needed(_rows(0.84, -0.01), 0.90) is None
    with pytest.raises(ValueError):
        lc.per_doubling([{"fraction": 1.0, "auroc": 0.8}])


def test_probe_fit_score_learns_a_separable_direction():
    rng = np.random.default_rng(0)
    groups = np.array(GROUPS)
    y = np.tile([1, 1, 0], 40)
    H = rng.normal(size=(len(y), 5)) + y[:, None] * np.array([2.0, 0, 0, 0, 0])
    y_dev = np.tile([1, 0], 30)
    H_dev = rng.normal(size=(60, 5)) + y_dev[:, None] * np.array([2.0, 0, 0, 0, 0])
    score = lc.probe_fit_score(H, y, groups, {"dev": (H_dev, y_dev)}, c=1.0)
    assert score(set(GROUPS))["dev"] > 0.85
    noise = lc.probe_fit_score(rng.normal(size=H.shape), y, groups, {"dev": (H_dev, y_dev)}, c=1.0)
    assert noise(set(GROUPS))["dev"] < 0.75


def test_report_names_the_extrapolation_as_such():
    curves = {"a": _rows(0.84, 0.03), "b": _rows(0.76, 0.0)}
    text = "\n".join(lc.report(curves, 40, 60, "models/x"))
    assert "a, test" not in text and "| documents | dev |\n" in text, "no test column without test figures"
    for rows, slope in ((curves["a"], 0.02), (curves["b"], 0.01)):
        for r in rows:
            r["test"] = 0.70 + slope * math.log2(r["fraction"])
    text = "\n".join(lc.report(curves, 40, 60, "models/x"))
    assert text.count("| fraction of train documents | documents | dev | test |") == 2
    assert text.index("**a**") < text.index("**b**")
    assert "- a, test: +0.0200 AUROC per doubling" in text and "- b, test: +0.0100" in text
    assert "0.9 at about 1024.0x" not in text and "- b, test: +0.0100 AUROC per doubling of the documents (fit at 1x: 0.7000); 0.9 only beyond 100x" in text
    assert "| 0.25 |" in text and "0.8400" in text
    assert "4.0x today's documents" in text and "no rise to extrapolate" in text
    assert "not a measurement" in text


def test_held_sets_show_the_new_corpus_apart_only_when_the_split_mixes_sources():
    recs = [{"source": s} for s in ("wmt", "htmt", "wmt", "htmt", "htmt")]
    assert lc.held_sets("dev", recs) == {"dev": [0, 1, 2, 3, 4], "dev, without htmt": [0, 2], "dev, htmt only": [1, 3, 4]}
    assert lc.held_sets("test", recs[:1] + recs[2:3]) == {"test": [0, 1]}
    assert lc.held_sets("test", [recs[1]]) == {"test": [0]}


def test_report_adds_the_row_without_the_new_corpus_under_each_table():
    rows = [dict(r, by={"dev": r["auroc"], "dev, htmt only": r["auroc"] - 0.1}) for r in _rows(0.84, 0.03)]
    without = {"a": {"documents": 30, "by": {"dev": 0.8123, "dev, htmt only": 0.6012}}}
    text = "\n".join(lc.report({"a": rows}, 40, 60, "models/x", without))
    assert "| documents | dev | dev, htmt only |" in text
    assert "| without htmt | 30 | 0.8123 | 0.6012 |" in text and "- a, dev, htmt only: +0.0300" in text
    assert text.index("| 1 | 0 | 0.8400 | 0.7400 |") < text.index("| without htmt |")
    assert "without htmt" not in "\n".join(lc.report({"a": rows}, 40, 60, "models/x"))


def test_row_carries_every_held_out_set():
    r = lc.row(1.0, 0, {"doc1", "doc2"}, lambda kept: {"dev": 0.7, "test": 0.6, "dev, htmt only": 0.5})
    assert (r["documents"], r["auroc"], r["test"], r["by"]["dev, htmt only"]) == (2, 0.7, 0.6, 0.5)


def test_ngram_fit_score_uses_only_the_kept_documents_and_their_extras():
    def rec(doc: int, machine: bool, k: int) -> dict:
        word = "furthermore" if machine else "besides"
        return {"group": f"doc{doc}", "label": "machine" if machine else "human",
                "text": f"The council met on day {k} and, {word}, it agreed on the plan number {doc}."}
    train = [rec(d, m, d) for d in range(20) for m in (True, False)]
    extra = [rec(d, True, 100 + d) for d in range(20)]
    held = {"dev": [rec(100 + d, m, d) for d in range(10) for m in (True, False)]}
    score = lc.ngram_fit_score(train, extra, held, c=10.0)
    assert score({f"doc{d}" for d in range(20)})["dev"] > 0.95
    # one kept document: its machine record (and extra) against its human one still learns the word
    assert score({"doc3"})["dev"] > 0.9
    with pytest.raises(ValueError):  # no kept document: nothing to fit
        score({"nowhere"})


BOTH = {"submodels": {"translation_probe": {"fit": {"c": 0.001}}, "translation_ngram": {"fit": {"c": 30.0}}}}


@pytest.mark.parametrize("meta, argv, message", [
    (None, [], "meta.json"),
    ({"submodels": {"translation_probe": {"fit": {"c": 0.001}}}}, [], "no translation n-gram model or probe"),
    (BOTH, ["--fractions", "0.5,x"], "could not convert"),
    (BOTH, ["--fractions", "0.5,2"], "(0, 1]"),
    (BOTH, ["--fractions", "1"], "two or more"),
])
def test_bad_model_or_fractions_are_one_line_errors(tmp_path, capsys, meta, argv, message):
    if meta is not None:
        (tmp_path / "meta.json").write_text(json.dumps(meta))
    assert lc.main(["--model", str(tmp_path), "--out", str(tmp_path / "out.md"), *argv]) == 2
    err = capsys.readouterr().err
    assert message in err and err.count("\n") == 1
    assert not (tmp_path / "out.md").exists()
