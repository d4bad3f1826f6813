"""One keep/reject policy (detector.policy) for every entry point: ``detect gate``, ``Detector.filter``, the
datatrove step and the Ray scorer give the same decision and reason for the same records."""
import json

import numpy as np
import pytest
from typer.testing import CliRunner

from casedata import SEEDS, cases
from detector import Detector
from detector.policy import decide
from fakes import FakeScorer

SPANISH = next(c["text"] for c in cases("languages") if c["id"] == "es")
RECORDS = [
    {"id": "clean", "text": SEEDS["seed-002"]["text"]},
    {"id": "machine", "text": SEEDS["seed-000"]["text"]},
    {"id": "spanish", "text": SPANISH * 2},
    {"id": "short", "text": "The talks ended on Monday."},
    {"id": "empty", "text": "  \n "},
    {"id": "missing"},
]
EXPECTED = {"clean": (True, None), "machine": (False, "machine_translated"), "spanish": (False, "not_english"),
            "short": (False, "too_short"), "empty": (False, "empty_text"), "missing": (False, "missing_text")}


def via_filter(keep_non_english=False):
    det = Detector(scorer=FakeScorer())
    return {r["id"]: (v.keep, v.reason) for r, v in det.filter(RECORDS, text_of=lambda r: r.get("text"),
                                                                keep_non_english=keep_non_english)}


def via_gate(tmp_path, monkeypatch, *flags):
    from detector import lm
    from detector.cli import app

    monkeypatch.setattr(lm.LMScorer, "for_model", classmethod(lambda cls, meta, **kw: FakeScorer()))
    src, out, rej = tmp_path / "in.jsonl", tmp_path / "kept.jsonl", tmp_path / "rejected.jsonl"
    src.write_text("".join(json.dumps(r) + "\n" for r in RECORDS), encoding="utf-8")
    res = CliRunner().invoke(app, ["gate", "-i", str(src), "-o", str(out), "--rejects", str(rej), *flags])
    assert res.exit_code == 0, res.output
    kept = {json.loads(line)["id"]: (True, None) for line in out.read_text().splitlines()}
    rejected = {json.loads(line)["id"]: (False, json.loads(line)["reason"]) for line in rej.read_text().splitlines()}
    assert not set(kept) & set(rejected)
    return {**kept, **rejected}


def via_datatrove(keep_non_english=False):
    pytest.importorskip("datatrove", reason="datatrove not installed: pip install 'detector[datatrove]'")
    from datatrove.data import Document

    from detector.integrations.datatrove import DetectorFilter

    step = DetectorFilter(scorer_factory=FakeScorer, keep_non_english=keep_non_english)
    docs = [Document(text=r.get("text"), id=r["id"]) for r in RECORDS]
    return {d.id: (True, None) if res is True else (False, res[1]) for d, res in zip(docs, step.filter_batch(docs))}


def via_ray(keep_non_english=False):
    pytest.importorskip("ray", reason="ray not installed: pip install 'detector[ray]'")
    from detector.integrations.ray import DetectorBatchScorer

    scorer = DetectorBatchScorer(scorer_factory=FakeScorer, keep_non_english=keep_non_english)
    batch = scorer({"id": np.array([r["id"] for r in RECORDS]),
                    "text": np.array([r.get("text") for r in RECORDS], dtype=object)})
    return {i: (bool(k), None if k else r) for i, k, r in zip(batch["id"], batch["keep"], batch["reason"])}


def test_every_entry_point_decides_alike(tmp_path, monkeypatch):
    results = {"Detector.filter": via_filter(), "detect gate": via_gate(tmp_path, monkeypatch),
               "datatrove": via_datatrove(), "ray": via_ray()}
    for name, got in results.items():
        assert got == EXPECTED, name


def test_keep_non_english_is_the_one_switch_everywhere(tmp_path, monkeypatch):
    expected = dict(EXPECTED, spanish=(True, None))
    gate = via_gate(tmp_path, monkeypatch, "--keep-non-english")
    assert gate == expected
    assert via_filter(True) == dict(EXPECTED, spanish=(True, "not_english"))  # kept, the reason still reported
    assert via_datatrove(True) == expected and via_ray(True) == expected


def test_decide_is_the_table():
    assert [decide(v) for v in ("clean", "machine", "too_short", "not_english")] == [
        decide("clean"), decide("machine"), decide("too_short"), decide("not_english")]
    assert all(decide(v, annotate_only=True).keep for v in ("clean", "machine", "too_short", "not_english"))
    assert not decide("error", keep_non_english=True, problem="missing_text").keep
