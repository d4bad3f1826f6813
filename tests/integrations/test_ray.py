"""DetectorBatchScorer in Ray Data: a local two-CPU Ray instance, two actors, the fake scorer."""
import json
import math
import os
from pathlib import Path

import numpy as np
import pytest

ray = pytest.importorskip("ray", reason="ray not installed: pip install 'detector[ray]'")
pytest.importorskip("ray.data", reason="ray[data] not installed: pip install 'detector[ray]'")
pd = pytest.importorskip("pandas")

from detector import Detector  # noqa: E402
from detector.errors import InputError  # noqa: E402
from detector.integrations.ray import DetectorBatchScorer, split_kept_rejected  # noqa: E402
from fakes import FakeScorer  # noqa: E402

TESTS = Path(__file__).parent.parent
BAD = [({"id": "bad-null", "text": None}, "missing_text"), ({"id": "bad-blank", "text": " \n "}, "empty_text"),
       ({"id": "bad-nokey"}, "missing_text")]  # a number would not survive read_json's typed columns


@pytest.fixture(scope="module")
def ray_session():
    """One local Ray instance for the module; workers find ``fakes`` through PYTHONPATH."""
    path = os.pathsep.join(p for p in (str(TESTS), str(TESTS.parent), os.environ.get("PYTHONPATH")) if p)
    os.environ.setdefault("RAY_USAGE_STATS_ENABLED", "0")
    ray.init(num_cpus=2, include_dashboard=False, ignore_reinit_error=True, log_to_driver=False,
             runtime_env={"env_vars": {"PYTHONPATH": path}})
    yield
    ray.shutdown()


@pytest.fixture(scope="module")
def scored(ray_session, records, threshold, tmp_path_factory):
    """The records plus bad rows, read from JSONL and scored by two actors in batches of 8."""
    path = tmp_path_factory.mktemp("ray") / "in.jsonl"
    rows = records[:6] + [b for b, _ in BAD] + records[6:]
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    ds = ray.data.read_json(str(path)).map_batches(
        DetectorBatchScorer, fn_constructor_kwargs={"scorer_factory": FakeScorer, "threshold": threshold},
        batch_size=8, compute=ray.data.ActorPoolStrategy(size=2),
        num_cpus=0.5)  # two actors on two CPUs must leave room for the read task
    return ds.materialize(), rows


def test_rows_are_preserved_and_match_detector_filter(scored, records, threshold):
    ds, rows = scored
    out = {r["id"]: r for r in ds.take_all()}
    assert ds.count() == len(rows) and set(out) == {r["id"] for r in rows}
    det = Detector(scorer=FakeScorer(), threshold=threshold)
    for rec, verdict in det.filter(records, text_of=lambda r: r["text"]):
        row = out[rec["id"]]
        assert row["keep"] == verdict.keep
        assert row["verdict"] == verdict.score.verdict
        assert row["p_machine"] == pytest.approx(verdict.score.p_machine)
        assert row["reason"] == ("" if verdict.keep else "machine_translated")
        assert json.loads(row["detector"]) == verdict.score.annotation()
    assert 0 < sum(out[r["id"]]["keep"] for r in records) < len(records)


def test_bad_rows_get_error_reasons(scored):
    ds, _ = scored
    out = {r["id"]: r for r in ds.take_all()}
    for row, reason in BAD:
        got = out[row["id"]]
        assert (got["verdict"], got["keep"], got["reason"]) == ("error", False, reason)
        assert math.isnan(got["p_machine"])
        assert json.loads(got["detector"])["reasons"] == [reason]


def test_split_kept_rejected(scored):
    ds, rows = scored
    kept, rejected = split_kept_rejected(ds)
    kept_ids = {r["id"] for r in kept.take_all()}
    rejected_ids = {r["id"] for r in rejected.take_all()}
    assert not kept_ids & rejected_ids and kept_ids | rejected_ids == {r["id"] for r in rows}
    assert {r["id"] for r in ds.take_all() if r["keep"]} == kept_ids


def test_pandas_batch_and_annotate_only(threshold):
    scorer = DetectorBatchScorer(threshold=threshold, annotate_only=True, scorer_factory=FakeScorer,
                                 text_column="body")
    frame = pd.DataFrame({"body": ["Short text.", None, ""], "n": [1, 2, 3]})
    out = scorer(frame)
    assert list(out["n"]) == [1, 2, 3] and "keep" not in frame
    assert list(out["verdict"]) == ["too_short", "error", "error"]
    assert list(out["keep"]) == [True, True, True] and list(out["reason"]) == ["", "", ""]


def test_numpy_batch_and_bad_column(threshold):
    scorer = DetectorBatchScorer(threshold=threshold, scorer_factory=FakeScorer)
    out = scorer({"text": np.array(["One two.", None, 42, b"bytes"], dtype=object)})
    assert list(out["reason"]) == ["too_short", "missing_text", "missing_text", "missing_text"]
    assert out["keep"].dtype == bool
    assert len(scorer({"text": np.array([], dtype=object)})["keep"]) == 0
    with pytest.raises(InputError, match="columns are \\['body'\\]"):
        scorer({"body": np.array(["x"])})
