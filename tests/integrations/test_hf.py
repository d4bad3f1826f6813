"""DetectorBatchScorer in Hugging Face ``datasets``: ``Dataset.map(batched=True)`` then ``filter``, the fake scorer."""
import json
import math
import pickle

import pytest

datasets = pytest.importorskip("datasets", reason="datasets not installed: pip install 'detector[datasets]'")

from detector import Detector  # noqa: E402
from detector.errors import InputError, ModelError  # noqa: E402
from detector.integrations.hf import DetectorBatchScorer, score, split_kept_rejected  # noqa: E402
from casedata import cases  # noqa: E402
from fakes import FakeScorer  # noqa: E402

BAD = [(None, "missing_text"), ("", "empty_text"), (" \n\t ", "empty_text")]


@pytest.fixture(scope="module")
def rows(records) -> list[dict]:
    """50 rows: the twenty news-like records, non-English and short texts, and missing or blank ones."""
    foreign = [{"id": c["id"], "text": c["text"]} for c in cases("languages")[:8]]
    short = [{"id": f"short-{i}", "text": f"Only {i} words here."} for i in range(10)]
    bad = [{"id": f"bad-{i}", "text": BAD[i % len(BAD)][0]} for i in range(12)]
    out = records + foreign + short + bad
    out = [out[(7 * i) % len(out)] for i in range(len(out))]  # spread the bad rows among the others
    assert len(out) == 50 and len({r["id"] for r in out}) == 50
    return out


@pytest.fixture(scope="module")
def scored(rows, threshold):
    ds = datasets.Dataset.from_list(rows)
    return ds.map(DetectorBatchScorer(threshold=threshold, scorer_factory=FakeScorer), batched=True, batch_size=8)


def test_every_row_comes_out_with_the_policy_decision(rows, scored, threshold):
    assert scored.num_rows == len(rows) and scored["id"] == [r["id"] for r in rows]
    det = Detector(scorer=FakeScorer(), threshold=threshold)
    expected = list(det.filter(rows, text_of=lambda r: r["text"]))
    for row, (_, v) in zip(scored, expected):
        assert row["keep"] == v.keep
        assert row["reason"] == ("" if v.keep else v.reason)
        if v.score is None:
            assert row["verdict"] == "error" and math.isnan(row["p_machine"])
            assert json.loads(row["detector"])["reasons"] == list(v.reasons)
        else:
            assert row["verdict"] == v.score.verdict
            assert json.loads(row["detector"]) == v.score.annotation()
    reasons = set(scored["reason"])
    assert {"", "machine_translated", "too_short", "not_english", "missing_text", "empty_text"} <= reasons


def test_missing_and_blank_rows_get_their_reason(rows, scored):
    for row in scored:
        if row["text"] is None or not row["text"].strip():
            want = "missing_text" if row["text"] is None else "empty_text"
            assert (row["verdict"], row["keep"], row["reason"]) == ("error", False, want)


def test_split_kept_rejected_is_a_partition_on_keep(scored):
    kept, rejected = split_kept_rejected(scored)
    assert kept["id"] == [r["id"] for r in scored if r["keep"]]
    assert rejected["id"] == [r["id"] for r in scored if not r["keep"]]
    assert 0 < kept.num_rows < scored.num_rows and set(kept["verdict"]) == {"clean"}


def test_score_in_two_processes_equals_one(rows, scored, threshold):
    ds = datasets.Dataset.from_list(rows)
    two = score(ds, batch_size=8, num_proc=2, threshold=threshold, scorer_factory=FakeScorer)
    assert json.dumps(two.to_list()) == json.dumps(scored.to_list())  # NaN p_machine included


def test_options_and_switches(threshold):
    german = cases("languages")[0]["text"]
    ds = datasets.Dataset.from_dict({"body": ["Short text.", None, german]})
    out = ds.map(DetectorBatchScorer(threshold=threshold, annotate_only=True, text_column="body",
                                     scorer_factory=FakeScorer), batched=True)
    assert out["keep"] == [True, True, True] and out["reason"] == ["", "", ""]
    out = ds.map(DetectorBatchScorer(threshold=threshold, keep_non_english=True, text_column="body",
                                     scorer_factory=FakeScorer), batched=True)
    assert out["verdict"] == ["too_short", "error", "not_english"] and out["keep"] == [False, False, True]
    numbers = datasets.Dataset.from_dict({"text": [1, 2]})  # a column that is not text
    assert numbers.map(DetectorBatchScorer(scorer_factory=FakeScorer), batched=True)["reason"] == ["missing_text"] * 2


def test_mistakes_say_what_to_do(tmp_path):
    scorer = DetectorBatchScorer(scorer_factory=FakeScorer)
    with pytest.raises(InputError, match="columns are \\['body'\\]"):
        scorer({"body": ["x"]})
    with pytest.raises(InputError, match="batched=True"):
        scorer({"text": "one row's text"})
    with pytest.raises(InputError, match="remove_columns\\(\\['keep'\\]\\)"):
        scorer({"text": ["x"], "keep": [True]})
    with pytest.raises(ModelError, match="does not exist"):
        DetectorBatchScorer(tmp_path / "no-model")


def test_the_loaded_model_is_never_pickled(threshold):
    scorer = DetectorBatchScorer(threshold=threshold, scorer_factory=FakeScorer)
    scorer({"text": ["A few words."]})
    assert scorer._detector is not None
    assert pickle.loads(pickle.dumps(scorer))._detector is None
    from datasets.fingerprint import Hasher

    assert Hasher.hash(scorer) == Hasher.hash(DetectorBatchScorer(threshold=threshold, scorer_factory=FakeScorer))
    assert Hasher.hash(scorer) != Hasher.hash(DetectorBatchScorer(threshold=0.5, scorer_factory=FakeScorer))


def test_an_iterable_dataset_streams_every_row(rows, scored, threshold):
    streamed = score(datasets.Dataset.from_list(rows).to_iterable_dataset(), batch_size=8, threshold=threshold,
                     scorer_factory=FakeScorer)
    kept, rejected = split_kept_rejected(streamed)
    assert [r["reason"] for r in streamed] == scored["reason"]
    assert [r["id"] for r in kept] == [r["id"] for r in scored if r["keep"]]
    assert len(list(rejected)) == scored.num_rows - len(list(kept))
