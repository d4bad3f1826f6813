"""detector.artifact: save/load roundtrip, thresholds, and refusal of anything that does not verify.

Every test builds its own tiny artifact (an imputer + logistic regression on random rows), so nothing
here depends on the shipped model.
"""
from __future__ import annotations

import json

import joblib
import numpy as np
import pytest
import sklearn
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline

import detector
from detector import artifact as model
from detector.errors import DetectorError, ModelError
from detector.features import feature_names
from detector.lm import DEFAULT_MAX_TOKENS, LM_NAME

FEATURES = [feature_names(("punct",))[0], feature_names(("lexical",))[0], feature_names(("lm",))[0]]
THRESHOLDS = {
    "0.001": {"threshold": 0.9, "target_fpr": 0.001, "chosen_on": "dev"},
    "0.01": {"threshold": 0.5, "target_fpr": 0.01, "chosen_on": "dev"},
    "0.05": {"threshold": 0.25, "target_fpr": 0.05, "chosen_on": "dev"},
}


def _rows(n=40, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, len(FEATURES)))
    X[::7, 1] = np.nan  # the imputer has something to do
    return X


def _fit(seed=0):
    X = _rows(seed=seed)
    y = (np.nan_to_num(X[:, 0]) + 0.3 * np.random.default_rng(seed + 1).normal(size=len(X)) > 0).astype(int)
    return make_pipeline(SimpleImputer(), LogisticRegression()).fit(X, y)


def _meta():
    return {
        "package_version": detector.__version__,
        "sklearn_version": sklearn.__version__,
        "lm": {"name": LM_NAME, "sha256": "ab" * 32, "max_tokens": DEFAULT_MAX_TOKENS},
        "features": list(FEATURES),
        "thresholds": THRESHOLDS,
        "min_words": 40,
    }


@pytest.fixture
def saved(tmp_path):
    clf = _fit()
    return clf, model.save(clf, _meta(), tmp_path / "m")


@pytest.fixture
def no_unpickling(monkeypatch):
    """Record any call to joblib.load (and fail it) so a test can prove nothing was unpickled."""
    calls = []

    def refuse(*args, **kwargs):
        calls.append(args)
        raise AssertionError("joblib.load must not be called")

    monkeypatch.setattr(joblib, "load", refuse)
    return calls


def _edit_meta(path, edit):
    meta_path = path / model.META_FILE
    meta = json.loads(meta_path.read_text(encoding="utf-8"))
    edit(meta)
    meta_path.write_text(json.dumps(meta), encoding="utf-8")


def _load_error(path) -> str:
    with pytest.raises(ModelError) as exc:
        model.load(path)
    message = str(exc.value)
    assert "\n" not in message, "error messages are one line"
    return message


# --- happy path -------------------------------------------------------------------------------------

def test_load_roundtrip_predicts_the_same(saved):
    clf, path = saved
    art = model.load(path)
    X = _rows(n=25, seed=3)
    np.testing.assert_array_equal(art.predict_proba(X), clf.predict_proba(X)[:, 1])
    assert art.path == path
    assert art.features == FEATURES


def test_load_roundtrip_keeps_meta_and_adds_schema_and_hash(saved):
    _, path = saved
    meta = model.load(path).meta
    assert {k: meta[k] for k in _meta()} == _meta() and meta["submodels"] == {}
    assert meta["schema_version"] == model.SCHEMA_VERSION
    assert meta["classifier"]["sha256"] == model.sha256_file(path / model.CLASSIFIER_FILE)
    assert set(model.REQUIRED_META) <= set(meta)


def test_save_writes_only_the_new_directory(saved, tmp_path):
    _, path = saved
    assert sorted(p.name for p in tmp_path.iterdir()) == ["m"]  # no temporary directory left behind
    assert sorted(p.name for p in path.iterdir()) == sorted([model.CLASSIFIER_FILE, model.META_FILE])


def test_save_does_not_mutate_the_callers_meta(tmp_path):
    meta = _meta()
    model.save(_fit(), meta, tmp_path / "m")
    assert meta == _meta()


@pytest.mark.parametrize("fpr, expected", [(0.01, 0.5), (0.001, 0.9), (1e-3, 0.9), (0.05, 0.25)])
def test_threshold(saved, fpr, expected):
    assert model.load(saved[1]).threshold(fpr) == expected


@pytest.mark.parametrize("fpr", [0.02, 0.1, 0.0])
def test_threshold_unknown_fpr_lists_the_available_ones(saved, fpr):
    art = model.load(saved[1])
    with pytest.raises(ModelError) as exc:
        art.threshold(fpr)
    message = str(exc.value)
    assert "\n" not in message
    assert str(fpr) in message
    assert all(key in message for key in THRESHOLDS)


def test_model_error_is_a_detector_error():
    assert issubclass(ModelError, DetectorError)


# --- save refuses to overwrite ----------------------------------------------------------------------

def test_save_refuses_an_existing_directory(saved):
    clf, path = saved
    before = {p.name: p.read_bytes() for p in path.iterdir()}
    with pytest.raises(ModelError, match="exists") as exc:
        model.save(_fit(seed=5), _meta(), path)
    assert "\n" not in str(exc.value)
    assert {p.name: p.read_bytes() for p in path.iterdir()} == before


def test_save_refuses_an_existing_empty_directory(tmp_path):
    (tmp_path / "m").mkdir()
    with pytest.raises(ModelError, match="never overwrites"):
        model.save(_fit(), _meta(), tmp_path / "m")
    assert list((tmp_path / "m").iterdir()) == []


# --- tampering: never unpickle an unverified file ----------------------------------------------------

def test_tampered_classifier_is_refused_before_unpickling(saved, no_unpickling):
    _, path = saved
    with open(path / model.CLASSIFIER_FILE, "ab") as f:
        f.write(b"\0")
    message = _load_error(path)
    assert "sha256" in message and "refusing" in message
    assert no_unpickling == []


def test_classifier_from_another_model_is_refused(saved, tmp_path, no_unpickling):
    _, path = saved
    other = model.save(_fit(seed=9), _meta(), tmp_path / "other")
    (path / model.CLASSIFIER_FILE).write_bytes((other / model.CLASSIFIER_FILE).read_bytes())
    assert "sha256" in _load_error(path)
    assert no_unpickling == []


def test_edited_hash_in_meta_is_refused(saved, no_unpickling):
    _, path = saved
    _edit_meta(path, lambda m: m["classifier"].update(sha256="0" * 64))
    assert "sha256" in _load_error(path)
    assert no_unpickling == []


def test_missing_classifier_file(saved, no_unpickling):
    _, path = saved
    (path / model.CLASSIFIER_FILE).unlink()
    assert "missing" in _load_error(path)
    assert no_unpickling == []


def test_unreadable_classifier_with_matching_hash_is_a_model_error(saved):
    _, path = saved
    clf_path = path / model.CLASSIFIER_FILE
    clf_path.write_bytes(b"not a pickle at all")
    _edit_meta(path, lambda m: m["classifier"].update(sha256=model.sha256_file(clf_path)))
    assert "could not read" in _load_error(path)


# --- meta.json problems -----------------------------------------------------------------------------

def test_missing_meta_json(saved, no_unpickling):
    _, path = saved
    (path / model.META_FILE).unlink()
    message = _load_error(path)
    assert "meta.json" in message and "missing" in message
    assert no_unpickling == []


@pytest.mark.parametrize("content", [b"{not json", b"", b"\xff\xfe\x00garbage", b'{"schema_version": 1,'])
def test_invalid_json(saved, no_unpickling, content):
    _, path = saved
    (path / model.META_FILE).write_bytes(content)
    message = _load_error(path)
    assert "not valid JSON" in message and "retrain" in message
    assert no_unpickling == []


@pytest.mark.parametrize("content", ["[1, 2]", '"a string"', "null"])
def test_meta_json_must_be_an_object(saved, no_unpickling, content):
    _, path = saved
    (path / model.META_FILE).write_text(content, encoding="utf-8")
    assert "JSON object" in _load_error(path)
    assert no_unpickling == []


@pytest.mark.parametrize("version", [0, 1, 3, "2", None])
def test_wrong_schema_version(saved, no_unpickling, version):
    _, path = saved
    _edit_meta(path, lambda m: m.update(schema_version=version))
    message = _load_error(path)
    assert f"schema {version!r}" in message and f"reads {model.SCHEMA_VERSION}" in message and "retrain" in message
    assert "python -m training.convert_model" in message  # how to convert an old artifact
    assert no_unpickling == []


def test_a_schema_1_model_converts_to_the_same_scores(tmp_path):
    """The converter turns a schema-1 directory (two keys per sub-model) into schema 2, byte-identical files."""
    from training.convert_model import convert

    old = tmp_path / "old"
    old.mkdir()
    clf = _fit()
    joblib.dump(clf, old / model.CLASSIFIER_FILE)
    meta = dict(_meta(), schema_version=1, classifier="logreg",
                classifier_sha256=model.sha256_file(old / model.CLASSIFIER_FILE), ablation={"x": 1})
    (old / model.META_FILE).write_text(json.dumps(meta), encoding="utf-8")
    assert "convert" in _load_error(old)
    art = model.load(convert(old, tmp_path / "new"))
    assert art.meta["classifier"] == {"kind": "logreg", "file": model.CLASSIFIER_FILE,
                                      "sha256": meta["classifier_sha256"]}
    assert "ablation" not in art.meta and "classifier_sha256" not in art.meta and art.meta["submodels"] == {}
    np.testing.assert_array_equal(art.predict_proba(_rows(seed=4)), clf.predict_proba(_rows(seed=4))[:, 1])


@pytest.mark.parametrize("key", model.REQUIRED_META)
def test_missing_required_key(saved, no_unpickling, key):
    _, path = saved
    _edit_meta(path, lambda m: m.pop(key))
    message = _load_error(path)
    assert repr(key) in message and "retrain" in message
    assert no_unpickling == []


def test_missing_keys_are_all_listed(saved):
    _, path = saved
    _edit_meta(path, lambda m: (m.pop("lm"), m.pop("min_words")))
    message = _load_error(path)
    assert "'lm'" in message and "'min_words'" in message


def test_unknown_feature_is_named(saved, no_unpickling):
    _, path = saved
    _edit_meta(path, lambda m: m["features"].append("punct.nonexistent.v9"))
    message = _load_error(path)
    assert "punct.nonexistent.v9" in message and "retrain" in message
    assert FEATURES[0] not in message  # only the lacking feature is listed
    assert no_unpickling == []


def test_nonexistent_directory(tmp_path, no_unpickling):
    message = _load_error(tmp_path / "no-such-model")
    assert "no-such-model" in message and "does not exist" in message
    assert no_unpickling == []


def test_file_instead_of_directory(tmp_path):
    path = tmp_path / "model.joblib"
    path.write_bytes(b"x")
    assert "model.joblib" in _load_error(path)


# --- cascade stages and the n-gram model: verified like the classifier --------------------------------

@pytest.fixture
def saved_full(tmp_path):
    from detector.submodels import ngram

    stage = model.Stage(0, FEATURES[:2], 0.1, 0.95, _fit())
    texts = ["the talks of the ministry were held", "officials said talks resume on Monday"] * 5
    ng = ngram.make_model().fit(texts, [1, 0] * 5)
    return model.save(_fit(), dict(_meta(), features=FEATURES + ["ngram.word_logit.v1"]), tmp_path / "full", [stage],
                      {"word_ngram": (ng, {})})


def test_stages_and_ngram_load(saved_full):
    art = model.load(saved_full)
    assert len(art.stages) == 1 and art.stages[0].features == FEATURES[:2]
    assert art.stages[0].exits(0.05) and art.stages[0].exits(0.99) and not art.stages[0].exits(0.5)
    assert art.submodels["word_ngram"] is not None
    assert art.meta["submodels"]["word_ngram"]["feature"] == "ngram.word_logit.v1"  # one entry per sub-model


@pytest.mark.parametrize("file", ["stage0.joblib", "word_ngram.joblib"])
def test_tampered_stage_or_ngram_is_refused_before_anything_is_unpickled(saved_full, no_unpickling, file):
    with open(saved_full / file, "ab") as f:
        f.write(b"\0")
    assert "sha256" in _load_error(saved_full)
    assert no_unpickling == []


@pytest.mark.parametrize("edit", [
    lambda m: m["cascade"]["stages"][0].update(file="../elsewhere.joblib"),
    lambda m: m["cascade"]["stages"][0].update(features=["lm.unknown.v1"]),
    lambda m: m["cascade"]["stages"][0].pop("sha256"),
    lambda m: m["submodels"].update(word_ngram={"file": "/etc/passwd", "sha256": "00"}),
    lambda m: m["submodels"].update(word_ngram="word_ngram.joblib"),
    lambda m: m["submodels"].update(bigram_llm={"file": "word_ngram.joblib", "sha256": "00"}),
])
def test_stage_or_ngram_entries_that_do_not_verify_are_refused(saved_full, no_unpickling, edit):
    _edit_meta(saved_full, edit)
    _load_error(saved_full)
    assert no_unpickling == []


def test_ngram_feature_without_the_ngram_model_is_unknown(saved_full, no_unpickling):
    _edit_meta(saved_full, lambda m: m["submodels"].pop("word_ngram"))
    assert "ngram.word_logit.v1" in _load_error(saved_full)


# --- hidden-state layers -----------------------------------------------------------------------------

def test_hidden_layers_come_from_meta_not_from_the_default(saved):
    from detector.lm import LMScorer

    _, path = saved
    _edit_meta(path, lambda m: m["lm"].update(hidden_layers=[5, 10, 15]))
    assert LMScorer.for_model(model.load(path).meta["lm"]).spec.hidden_layers == (5, 10, 15)


@pytest.mark.parametrize("layers", ["15,30", [], [1.5], [-1]])
def test_bad_hidden_layers_are_a_model_error(saved, layers):
    from detector.lm import LMScorer

    _, path = saved
    _edit_meta(path, lambda m: m["lm"].update(hidden_layers=layers))
    with pytest.raises(ModelError, match="hidden_layers"):
        LMScorer.for_model(model.load(path).meta["lm"])


@pytest.mark.parametrize("edit, message", [
    (lambda m: m["submodels"]["word_ngram"].update(feature="ngram.mt_logit.v1"), "must fill feature"),
    (lambda m: m["submodels"].update(word_ngram="word_ngram.joblib"), "must fill feature"),
    (lambda m: m.update(evidence_rule={"feature": "lm.mean_nll.v1", "at_least": 2, "p_machine": 0.9}), "evidence rule"),
    (lambda m: m.update(evidence_rule={"feature": "evidence.nothing.v1", "at_least": 2, "p_machine": 0.9}),
     "evidence rule"),
])
def test_submodel_and_rule_entries_are_checked_before_unpickling(saved_full, no_unpickling, edit, message):
    _edit_meta(saved_full, edit)
    assert message in _load_error(saved_full)
    assert no_unpickling == []


def test_a_spin_route_must_list_its_inputs(tmp_path, no_unpickling):
    import shutil

    shutil.copytree(model.default_model_dir(), tmp_path / "m")
    _edit_meta(tmp_path / "m", lambda m: m["submodels"]["spin_route"].pop("inputs"))
    assert "inputs" in _load_error(tmp_path / "m")
    assert no_unpickling == []


def test_converting_keeps_the_hidden_layers_a_schema_1_model_kept_with_its_probe(tmp_path):
    from training.convert_model import convert

    old = tmp_path / "old"
    old.mkdir()
    joblib.dump(_fit(), old / model.CLASSIFIER_FILE)
    meta = dict(_meta(), schema_version=1, classifier="logreg", hidden_probe={"c": 0.01, "layers": [15, 30]},
                classifier_sha256=model.sha256_file(old / model.CLASSIFIER_FILE))
    (old / model.META_FILE).write_text(json.dumps(meta), encoding="utf-8")
    assert model.load(convert(old, tmp_path / "new")).meta["lm"]["hidden_layers"] == [15, 30]
