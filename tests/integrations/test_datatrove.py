"""DetectorFilter inside a real datatrove pipeline (LocalPipelineExecutor, several tasks, fake scorer)."""
import gzip
import json
import pickle
from pathlib import Path

import pytest

pytest.importorskip("datatrove", reason="datatrove not installed: pip install 'detector[datatrove]'")
pytest.importorskip("orjson", reason="datatrove's JsonlReader/JsonlWriter need orjson: pip install orjson")

from datatrove.data import Document  # noqa: E402
from datatrove.executor import LocalPipelineExecutor  # noqa: E402
from datatrove.pipeline.readers import JsonlReader  # noqa: E402
from datatrove.pipeline.writers import JsonlWriter  # noqa: E402

from detector import Detector  # noqa: E402
from detector.integrations.datatrove import DetectorFilter  # noqa: E402
from fakes import FakeScorer  # noqa: E402

BLANK = {"id": "blank-001", "text": " \n\t "}  # JsonlReader skips "" but passes whitespace through


def read_output(folder: Path) -> dict[str, dict]:
    docs = {}
    for path in sorted(folder.glob("*.jsonl.gz")):
        with gzip.open(path, "rt", encoding="utf-8") as f:
            docs.update((d["id"], d) for d in map(json.loads, f))
    return docs


def total(stat) -> int:
    """A datatrove stat as saved: a plain count, or a dict with ``total``."""
    return stat["total"] if isinstance(stat, dict) else stat


@pytest.fixture(scope="module")
def inputs(records, tmp_path_factory):
    """Four JSONL shards: the twenty records and one blank document."""
    folder = tmp_path_factory.mktemp("crawl")
    rows = records + [BLANK]
    for i in range(4):
        (folder / f"part-{i}.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows[i::4]), encoding="utf-8")
    return folder, rows


@pytest.mark.parametrize("workers", [1, 2])
def test_pipeline_splits_kept_and_rejected(inputs, threshold, tmp_path, workers):
    folder, rows = inputs
    LocalPipelineExecutor(pipeline=[
        JsonlReader(str(folder)),
        DetectorFilter(threshold=threshold, batch_size=3, scorer_factory=FakeScorer,
                       exclusion_writer=JsonlWriter(str(tmp_path / "rejected"))),
        JsonlWriter(str(tmp_path / "kept")),
    ], tasks=4, workers=workers, logging_dir=str(tmp_path / "logs")).run()
    kept, rejected = read_output(tmp_path / "kept"), read_output(tmp_path / "rejected")

    assert not set(kept) & set(rejected)
    assert set(kept) | set(rejected) == {r["id"] for r in rows}
    det = Detector(scorer=FakeScorer(), threshold=threshold)
    expected = {r["id"]: v.keep for r, v in det.filter(rows[:-1], text_of=lambda r: r["text"])}
    assert {i for i, keep in expected.items() if keep} == set(kept)
    assert 0 < len(kept) < len(rows)
    for doc in kept.values():
        assert doc["metadata"]["detector"]["verdict"] in ("clean", "too_short")
        assert "filter_reason" not in doc["metadata"]
    for doc_id, doc in rejected.items():
        meta = doc["metadata"]
        if doc_id == BLANK["id"]:
            assert meta["filter_reason"] == "empty_text"
            assert meta["detector"] == {"p_machine": None, "verdict": "error", "threshold": round(threshold, 6),
                                        "reasons": ["empty_text"], "hygiene": []}
        else:
            assert meta["filter_reason"] == "machine_translated"
            assert meta["detector"]["verdict"] == "machine" and meta["detector"]["p_machine"] >= threshold
    stats = json.loads((tmp_path / "logs" / "stats.json").read_text())
    step = next(s for s in stats if s["name"].endswith(DetectorFilter.name))["stats"]
    assert total(step["dropped_machine_translated"]) == len(rejected) - 1
    assert total(step["verdict_error"]) == total(step["dropped_empty_text"]) == 1


def test_annotate_only_keeps_everything(threshold):
    step = DetectorFilter(threshold=threshold, annotate_only=True, scorer_factory=FakeScorer)
    docs = [Document(text="Short text.", id="a"), Document(text="", id="b")]
    assert step.filter_batch(docs) == [True, True]
    assert [d.metadata["detector"]["verdict"] for d in docs] == ["too_short", "error"]


def test_detector_loads_lazily_and_is_not_pickled(threshold):
    step = DetectorFilter(threshold=threshold, scorer_factory=FakeScorer)
    assert step._detector is None
    assert step.filter(Document(text="One two three.", id="x")) == (False, "too_short")
    assert step._detector is not None
    clone = pickle.loads(pickle.dumps(step))
    assert clone._detector is None and clone.settings == step.settings
