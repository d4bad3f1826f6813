"""make train on a small user JSONL with the fake scorer: a complete, loadable model directory."""
import json
import math
import random

import pytest

from detector import artifact as M
from detector.submodels import ngram
from fakes import FakeScorer
from training import data, hidden_fit, train

HUMAN = "The council approved the new budget on Tuesday after a long debate about schools and roads."
MACHINE = "The council. approved the budget new on Tuesday , after debate long about the schools \"and roads."


@pytest.fixture
def user_jsonl(tmp_path):
    rng = random.Random(0)
    rows = []
    for i in range(90):
        label = "machine" if i % 2 else "human"
        base = MACHINE if label == "machine" else HUMAN
        words = base.split()
        rng.shuffle(words) if rng.random() < 0.2 else None
        rows.append({"id": f"r{i}", "text": " ".join(words * 3), "label": label,
                     "split": ("train", "dev", "test")[i % 3]})
    path = tmp_path / "mine.jsonl"
    path.write_text("\n".join(json.dumps(r) for r in rows) + "\n")
    return path


def test_train_writes_a_loadable_model(tmp_path, monkeypatch, user_jsonl):
    monkeypatch.chdir(tmp_path)
    records = data.load_user_jsonl(user_jsonl)
    out = tmp_path / "model"
    meta = train.run(records, out, FakeScorer(), "logreg", log=lambda m: None)
    art = M.load(out)
    assert art.features == meta["features"]
    assert {p.suffix for p in out.iterdir()} == {".json", ".skops"}  # schema 3: skops files, no pickles
    assert set(art.meta["thresholds"]) == {"0.001", "0.01", "0.05"}
    subs = art.meta["submodels"]  # one entry per sub-model: its file, sha256, feature and fitting facts
    assert art.submodels["word_ngram"] is not None and "ngram.word_logit.v1" in art.features
    assert art.submodels["hidden_probe"] is not None and "lm.hidden_logit.v1" in art.features
    assert subs["hidden_probe"]["fit"]["c"] in hidden_fit.C_GRID and subs["hidden_probe"]["file"] == "hidden_probe.skops"
    assert subs["hidden_probe"]["feature"] == "lm.hidden_logit.v1" and art.meta["schema_version"] == 3
    assert art.meta["lm"]["hidden_layers"] == list(FakeScorer().spec.hidden_layers)  # what the runtime will read
    assert all("lm.hidden_logit.v1" not in st.features for st in art.stages)  # a prefix has no mean hidden state
    from detector.api import Detector

    det = Detector(model_dir=out, scorer=FakeScorer(), cascade=False)
    got = det.score(records[1]["text"], with_features=True)
    assert math.isfinite(got.features["lm.hidden_logit.v1"]) and 0.0 <= got.p_machine <= 1.0
    (out / "hidden_probe.skops").write_bytes((out / "hidden_probe.skops").read_bytes() + b"x")
    with pytest.raises(M.ModelError, match="sha256"):
        M.load(out)
    for stage in art.stages:  # every cascade stage decides the same way at every operating point
        assert stage.low < min(art.threshold(f) for f in (0.001, 0.01, 0.05))
        assert stage.high > max(art.threshold(f) for f in (0.001, 0.01, 0.05))
    assert art.meta["thresholds"]["0.01"]["chosen_on"] == "dev"
    assert 0.0 <= art.threshold(0.01) <= 1.0
    bounds = art.meta["reason_bounds"]  # the human dev bounds the reasons are listed against
    assert bounds["split"] == "dev" and bounds["quantile"] == 0.99 and bounds["n"] > 0
    assert set(bounds["features"]) <= set(art.features) | {"lm.spin_probability.v1"}
    assert "punct.space_before.v1" in bounds["features"] and art.reason_bounds == bounds["features"]
    with pytest.raises(M.ModelError):
        train.run(records, out, FakeScorer(), "logreg", log=lambda m: None)  # never overwrites
    assert "translation_probe" not in subs and "translation_probe" not in art.submodels  # no WMT kinds in this data
    assert "translation_ngram" not in subs and "translation_ngram" not in art.submodels
    assert "lm.mt_logit.v1" not in art.features and "ngram.mt_logit.v1" not in art.features


def test_translation_probe_is_fitted_on_mt_and_human_translation(tmp_path, monkeypatch, user_jsonl):
    monkeypatch.chdir(tmp_path)
    records = data.load_user_jsonl(user_jsonl)
    for i, r in enumerate(records):
        r["kind"] = ("mt" if r["label"] == "machine" else "human_translation") if i % 5 else r["kind"]
    extra = [dict(r, id=f"{r['id']}-extra", text=r["text"] + " More.") for r in records
             if r["split"] == "train" and r["kind"] in ("mt", "human_translation")][:20]
    train.run(records, tmp_path / "model", FakeScorer(), "logreg", log=lambda m: None,
                     translation_extra=extra)
    art = M.load(tmp_path / "model")
    subs = art.meta["submodels"]
    assert subs["translation_ngram"]["fit"]["extra_train_records"] == len(extra) > 0
    assert art.submodels["translation_probe"] is not None and "lm.mt_logit.v1" in art.features
    assert subs["translation_probe"]["fit"]["c"] in hidden_fit.C_GRID
    assert subs["translation_probe"]["file"] == "translation_probe.skops"
    assert all("lm.mt_logit.v1" not in st.features for st in art.stages)
    assert art.submodels["translation_ngram"] is not None
    assert subs["translation_ngram"]["fit"]["c"] in ngram.TRANSLATION_C_GRID
    assert subs["translation_ngram"]["file"] == "translation_ngram.skops"
    from detector.api import Detector

    got = Detector(model_dir=tmp_path / "model", scorer=FakeScorer(), cascade=False).score(
        records[1]["text"], with_features=True)
    assert math.isfinite(got.features["lm.mt_logit.v1"]) and math.isfinite(got.features["ngram.mt_logit.v1"])
    from detector.cascade import measure

    text_only = measure(art, records[1]["text"])
    assert math.isfinite(text_only["ngram.mt_logit.v1"].value) and "lm.mt_logit.v1" not in text_only  # no LM needed
    (tmp_path / "model" / "translation_probe.skops").write_bytes(b"tampered")
    with pytest.raises(M.ModelError, match="sha256"):
        M.load(tmp_path / "model")


def test_user_jsonl_errors_are_one_line(tmp_path):
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"text": "x", "label": "maybe"}\n')
    with pytest.raises(Exception, match="'label' machine"):
        data.load_user_jsonl(bad)
