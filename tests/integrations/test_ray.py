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


# --- cluster scale: an actor pool over JSON lines (malformed ones included) and Parquet -----------------

MALFORMED = [b"not json", b"[1, 2]", b"", b'{"id": "null-text", "text": null}', b'{"id": "num-text", "text": 42}',
             b'{"id": "dup", "text": "a", "text": "b"}', b'{"id": "nan", "text": NaN}', b"\xff\xfe not utf-8",
             b'{"id": "taken", "detector": 1, "text": "Some words here."}', b'{"id": "blank", "text": "  "}']


@pytest.fixture(scope="module")
def jsonl_inputs(records, tmp_path_factory):
    """Two input files (one gzip) holding 300 lines: 290 records cycling through the twenty, and the
    malformed lines spread among them."""
    import gzip

    folder = tmp_path_factory.mktemp("lines")
    lines = [json.dumps({"id": f"r{i}", "text": records[i % len(records)]["text"]}).encode() for i in range(290)]
    for k, bad in enumerate(MALFORMED):
        lines.insert(17 * k + 3, bad)
    (folder / "part-0.jsonl").write_bytes(b"\n".join(lines[:150]) + b"\n")
    (folder / "part-1.jsonl.gz").write_bytes(gzip.compress(b"\n".join(lines[150:]) + b"\n"))
    return folder, lines


def _gate_locally(path: Path, tmp: Path, threshold: float) -> list[bytes]:
    """The lines ``detect gate`` writes for one input file (kept and rejected), with the fake scorer."""
    from functools import partial

    from detector.gate import GateOptions, run_gate

    out, rej = tmp / f"{path.name}.out", tmp / f"{path.name}.rej"
    run_gate(str(path), str(out), str(rej), partial(Detector, scorer=FakeScorer(), threshold=threshold),
             GateOptions(batch_size=7))
    return out.read_bytes().splitlines() + rej.read_bytes().splitlines()


def _written(folder: Path) -> list[bytes]:
    return [line for f in sorted(folder.glob("*.jsonl")) for line in f.read_bytes().splitlines()]


def test_gate_jsonl_on_two_actors_writes_every_line_as_detect_gate_does(ray_session, jsonl_inputs, threshold,
                                                                         tmp_path):
    from detector.integrations.ray import gate_jsonl

    folder, lines = jsonl_inputs
    counts = gate_jsonl(folder, tmp_path / "kept", tmp_path / "rejected", actors=2, cpus_per_actor=0.5,
                        batch_size=16, scorer_factory=FakeScorer, threshold=threshold)
    kept, rejected = _written(tmp_path / "kept"), _written(tmp_path / "rejected")
    assert counts["lines"] == len(lines) == len(kept) + len(rejected) == 300
    assert (counts["kept"], counts["rejected"]) == (len(kept), len(rejected))
    expected = [line for f in sorted(folder.iterdir()) for line in _gate_locally(f, tmp_path, threshold)]
    assert sorted(kept + rejected) == sorted(expected)  # byte for byte, each line once
    reasons = {json.loads(line)["reason"] for line in rejected}
    assert {"invalid_json", "decode_error", "duplicate_key", "field_conflict", "missing_text", "empty_text",
            "machine_translated"} <= reasons
    assert all("reason" not in json.loads(line) for line in kept) and 0 < len(kept) < 290


def test_gate_jsonl_refuses_a_truncated_gzip_input(ray_session, jsonl_inputs, tmp_path):
    from detector.integrations.ray import gate_jsonl

    folder, _ = jsonl_inputs
    cut = tmp_path / "cut.jsonl.gz"
    cut.write_bytes((folder / "part-1.jsonl.gz").read_bytes()[:-40])
    with pytest.raises(Exception, match="cannot read .*cut.jsonl.gz after line"):
        gate_jsonl(cut, tmp_path / "kept", tmp_path / "rejected", actors=1, cpus_per_actor=0.5,
                   scorer_factory=FakeScorer, threshold=0.5)


def test_score_parquet_on_two_actors_keeps_every_row(ray_session, records, threshold, tmp_path):
    from detector.integrations.ray import score

    rows = [{"id": f"p{i}", "text": records[i % len(records)]["text"]} for i in range(200)]
    rows[5]["text"], rows[77]["text"], rows[150]["text"] = None, " \n ", ""
    pd.DataFrame(rows).to_parquet(tmp_path / "in.parquet")
    scored = score(ray.data.read_parquet(str(tmp_path / "in.parquet"), override_num_blocks=4), actors=2, cpus_per_actor=0.5,
                   batch_size=32, scorer_factory=FakeScorer, threshold=threshold).materialize()
    kept, rejected = split_kept_rejected(scored)
    kept.write_parquet(str(tmp_path / "kept"))
    rejected.write_parquet(str(tmp_path / "rejected"))
    back = {name: pd.read_parquet(tmp_path / name) for name in ("kept", "rejected")}
    ids = list(back["kept"]["id"]) + list(back["rejected"]["id"])
    assert sorted(ids) == sorted(r["id"] for r in rows)  # each row once
    bad = back["rejected"].set_index("id").loc[["p5", "p77", "p150"]]
    assert list(bad["reason"]) == ["missing_text", "empty_text", "empty_text"] and set(bad["verdict"]) == {"error"}
    assert (back["rejected"]["reason"] != "").all() and (back["kept"]["reason"] == "").all()


def test_pool_arguments_are_checked():
    from detector.integrations.ray import _pool

    assert _pool(2, 0.25, 1)["num_gpus"] == 0.25 and _pool(2, 0, 1)["num_gpus"] is None
    for bad in ({"actors": 0}, {"gpus_per_actor": -1}, {"cpus_per_actor": "1"}):
        with pytest.raises(InputError):
            _pool(**{"actors": 1, "gpus_per_actor": 0, "cpus_per_actor": 1, **bad})
