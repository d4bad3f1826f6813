"""detector.artifact: save/load roundtrip, thresholds, and refusal of anything that does not verify.

Every test builds its own tiny artifact (an imputer + logistic regression on random rows), so nothing
here depends on the shipped model (but for the trusted-type list, which the shipped model must need).
What a planted, code-running file does to each file of the shipped model is in test_artifact_safety.py.
"""
from __future__ import annotations

import json
import pickle

import joblib
import numpy as np
import pytest
import sklearn
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline

import detector
from detector.meta_schema import required_keys
from detector import artifact as model
from detector import model_files
from detector.errors import DetectorError, ModelError
from detector.features import feature_names
from detector.lm import DEFAULT_MAX_TOKENS, LM_NAME

FEATURES = [feature_names(("punct",))[0], feature_names(("lexical",))[0], feature_names(("lm",))[0]]
THRESHOLDS = {
    "0.001": {"threshold": 0.9, "target_fpr": 0.001, "chosen_on": "dev"},
    "0.01": {"threshold": 0.5, "target_fpr": 0.01, "chosen_on": "dev"},
    "0.05": {"threshold": 0.25, "target_fpr": 0.05, "chosen_on": "dev"},
}


def _rows(n=40, seed=0, cols=len(FEATURES)):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, cols))
    X[::7, 1] = np.nan  # the imputer has something to do
    return X


def _fit(seed=0, cols=len(FEATURES)):
    X = _rows(seed=seed, cols=cols)
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
    """Record any call that reads a model file (skops.io.load, and joblib or pickle, which loading never
    uses at all) and fail it, so a test can prove nothing was read before the checks refused."""
    import skops.io

    calls = []

    def refuser(name):
        def refuse(*args, **kwargs):
            calls.append((name, args))
            raise AssertionError(f"{name} must not be called")
        return refuse

    for module, name in ((skops.io, "load"), (joblib, "load"), (pickle, "load"), (pickle, "loads")):
        monkeypatch.setattr(module, name, refuser(f"{module.__name__}.{name}"))
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
    assert set(required_keys()) <= set(meta)


def test_a_second_load_shares_the_parsed_models_but_still_verifies_the_files(saved):
    _, path = saved
    first, second = model.load(path), model.load(path)
    assert second.classifier is first.classifier and second.meta is not first.meta
    file = path / model.CLASSIFIER_FILE
    file.write_bytes(file.read_bytes() + b"x")  # the cached bytes no longer match the file
    assert "sha256" in _load_error(path)


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


@pytest.mark.parametrize("content", [b"not a model at all", b"PK\x03\x04 truncated zip"])
def test_unreadable_classifier_with_matching_hash_is_a_model_error(saved, no_unpickling, content):
    _, path = saved
    clf_path = path / model.CLASSIFIER_FILE
    clf_path.write_bytes(content)
    _edit_meta(path, lambda m: m["classifier"].update(sha256=model.sha256_file(clf_path)))
    assert "could not read" in _load_error(path)
    assert no_unpickling == []


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


@pytest.mark.parametrize("version", [0, 1, 2, 4, "3", None])
def test_wrong_schema_version(saved, no_unpickling, version):
    _, path = saved
    _edit_meta(path, lambda m: m.update(schema_version=version))
    message = _load_error(path)
    assert f"schema {version!r}" in message and f"reads {model.SCHEMA_VERSION}" in message and "retrain" in message
    assert "python -m training.convert_model OLD_DIR NEW_DIR" in message  # how to convert an old artifact
    assert no_unpickling == []


def test_a_schema_1_model_converts_to_the_same_scores(tmp_path):
    """The converter turns a schema-1 directory (two keys per sub-model, pickled) into schema 3 (skops)."""
    from training.convert_model import OLD_CLASSIFIER_FILE, convert

    old = tmp_path / "old"
    old.mkdir()
    clf = _fit()
    joblib.dump(clf, old / OLD_CLASSIFIER_FILE)
    meta = dict(_meta(), schema_version=1, classifier="logreg",
                classifier_sha256=model.sha256_file(old / OLD_CLASSIFIER_FILE), ablation={"x": 1})
    (old / model.META_FILE).write_text(json.dumps(meta), encoding="utf-8")
    assert "convert" in _load_error(old)
    new = convert(old, tmp_path / "new")
    art = model.load(new)
    assert art.meta["classifier"] == {"kind": "logreg", "file": model.CLASSIFIER_FILE,
                                      "sha256": model.sha256_file(new / model.CLASSIFIER_FILE)}
    assert art.meta["schema_version"] == model.SCHEMA_VERSION == 3
    assert "ablation" not in art.meta and "classifier_sha256" not in art.meta and art.meta["submodels"] == {}
    np.testing.assert_array_equal(art.predict_proba(_rows(seed=4)), clf.predict_proba(_rows(seed=4))[:, 1])


@pytest.mark.parametrize("key", required_keys())
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

    stage = model.Stage(0, FEATURES[:2], 0.1, 0.95, _fit(cols=2))
    texts = ["the talks of the ministry were held", "officials said talks resume on Monday"] * 5
    ng = ngram.make_model().fit(texts, [1, 0] * 5)
    return model.save(_fit(cols=4), dict(_meta(), features=FEATURES + ["ngram.word_logit.v1"]), tmp_path / "full", [stage],
                      {"word_ngram": (ng, {})})


def test_stages_and_ngram_load(saved_full):
    art = model.load(saved_full)
    assert len(art.stages) == 1 and art.stages[0].features == FEATURES[:2]
    assert art.stages[0].exits(0.05) and art.stages[0].exits(0.99) and not art.stages[0].exits(0.5)
    assert art.submodels["word_ngram"] is not None
    assert art.meta["submodels"]["word_ngram"]["feature"] == "ngram.word_logit.v1"  # one entry per sub-model


@pytest.mark.parametrize("file", ["stage0.skops", "word_ngram.skops"])
def test_tampered_stage_or_ngram_is_refused_before_anything_is_unpickled(saved_full, no_unpickling, file):
    with open(saved_full / file, "ab") as f:
        f.write(b"\0")
    assert "sha256" in _load_error(saved_full)
    assert no_unpickling == []


@pytest.mark.parametrize("edit", [
    lambda m: m["cascade"]["stages"][0].update(file="../elsewhere.skops"),
    lambda m: m["cascade"]["stages"][0].update(features=["lm.unknown.v1"]),
    lambda m: m["cascade"]["stages"][0].pop("sha256"),
    lambda m: m["submodels"].update(word_ngram={"file": "/etc/passwd", "sha256": "00"}),
    lambda m: m["submodels"].update(word_ngram="word_ngram.skops"),
    lambda m: m["submodels"].update(bigram_llm={"file": "word_ngram.skops", "sha256": "00"}),
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
    (lambda m: m["submodels"].update(word_ngram="word_ngram.skops"), "submodels.word_ngram: 'word_ngram.skops' is not of type 'object'"),
    (lambda m: m.update(evidence_rule={"feature": "lm.mean_nll.v1", "at_least": 2, "p_machine": 0.9}), "evidence rule"),
    (lambda m: m.update(evidence_rule={"feature": "evidence.nothing.v1", "at_least": 2, "p_machine": 0.9}),
     "evidence rule"),
])
def test_submodel_and_rule_entries_are_checked_before_unpickling(saved_full, no_unpickling, edit, message):
    _edit_meta(saved_full, edit)
    assert message in _load_error(saved_full)
    assert no_unpickling == []


@pytest.mark.parametrize("edit, where", [
    (lambda m: m["thresholds"]["0.01"].update(threshold="abc"), "thresholds.0.01.threshold: 'abc' is not of type 'number'"),
    (lambda m: m["thresholds"]["0.01"].update(threshold=1.5), "thresholds.0.01.threshold: 1.5 is greater than the maximum"),
    (lambda m: m.update(min_words="x"), "min_words: 'x' is not of type 'integer'"),
    (lambda m: m.update(lm="x"), "lm: 'x' is not of type 'object'"),
    (lambda m: m["lm"].update(max_tokens="many"), "lm.max_tokens: 'many' is not of type 'integer'"),
    (lambda m: m.update(features=5), "features: 5 is not of type 'array'"),
    (lambda m: m.update(feature_medians=[1]), "feature_medians: [1] is not of type 'object'"),
    (lambda m: m["classifier"].update(sha256=7), "classifier.sha256: 7 is not of type 'string'"),
    (lambda m: m["evidence_rule"].update(at_least="3"), "evidence_rule"),
    (lambda m: m["cascade"]["stages"][0].update(low=None), "cascade.stages.0.low: None is not of type 'number'"),
    (lambda m: m.update(thresholds={}), "thresholds: {} should be non-empty"),
])
def test_a_meta_json_value_of_the_wrong_type_is_refused_naming_its_key(tmp_path, no_unpickling, edit, where):
    import shutil

    shutil.copytree(model.default_model_dir(), tmp_path / "m")
    _edit_meta(tmp_path / "m", edit)
    message = _load_error(tmp_path / "m")
    assert where in message and "retrain with make train" in message and "\n" not in message
    assert no_unpickling == []


def test_the_shipped_meta_json_fits_the_schema():
    from detector.meta_schema import problem

    assert problem(json.loads((model.default_model_dir() / model.META_FILE).read_text())) is None


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
    joblib.dump(_fit(), old / "classifier.joblib")
    meta = dict(_meta(), schema_version=1, classifier="logreg", hidden_probe={"c": 0.01, "layers": [15, 30]},
                classifier_sha256=model.sha256_file(old / "classifier.joblib"))
    (old / model.META_FILE).write_text(json.dumps(meta), encoding="utf-8")
    assert model.load(convert(old, tmp_path / "new")).meta["lm"]["hidden_layers"] == [15, 30]


# --- schema 3: skops files, an explicit list of trusted types, each object checked for its slot -------

def _gbm(cols=len(FEATURES), seed=0):
    """A tiny calibrated gradient-boosting classifier, as make train fits the default kind."""
    from sklearn.calibration import CalibratedClassifierCV
    from sklearn.ensemble import HistGradientBoostingClassifier

    X = _rows(n=80, seed=seed, cols=cols)
    y = (np.nan_to_num(X[:, 0]) > 0).astype(int)
    return CalibratedClassifierCV(HistGradientBoostingClassifier(max_iter=5, random_state=0), method="sigmoid",
                                  cv=2, ensemble=False).fit(X, y)


def _tiny_parts():
    """One of each kind of fitted object a model holds: gbm classifier, logreg stage, word n-gram model,
    hidden-state probe and spin route, over FEATURES + two spin inputs + the n-gram feature."""
    from detector.submodels import ngram, probe, spin

    rng = np.random.default_rng(7)
    features = FEATURES + list(spin.INPUTS[:2]) + ["ngram.word_logit.v1"]
    texts = [" ".join(rng.choice(["the", "talks", "of", "ministry", "said", ",", "."], size=30)) for _ in range(20)]
    H = rng.normal(size=(40, 6))
    S = rng.normal(size=(40, 2))
    parts = {
        "classifier": _gbm(cols=len(features)),
        "stage0": _fit(cols=2),
        "word_ngram": ngram.make_model().fit(texts, [0, 1] * 10),
        "hidden_probe": probe.make_model().fit(H, (H[:, 0] > 0).astype(int)),
        "spin_route": spin.fit(S, (S[:, 1] > 0).astype(int)),
    }
    extras = {"word_ngram": {}, "hidden_probe": {"fit": {"c": 0.01}},
              "spin_route": {"inputs": list(spin.INPUTS[:2]), "combine": "noisy-or"}}
    return parts, extras, dict(_meta(), features=features)


def _write_schema_2(old, parts, extras, meta):
    """The directory the schema-2 code wrote: pickled .joblib files with their sha256 in meta.json."""
    from detector.submodels import BY_NAME

    old.mkdir()
    joblib.dump(parts["classifier"], old / "classifier.joblib")
    joblib.dump(parts["stage0"], old / "stage0.joblib")
    stage = {"tokens": 0, "features": FEATURES[:2], "low": 0.1, "high": 0.95, "file": "stage0.joblib",
             "sha256": model.sha256_file(old / "stage0.joblib")}
    subs = {}
    for name, extra in extras.items():
        joblib.dump(parts[name], old / f"{name}.joblib", compress=3)
        subs[name] = {**extra, "file": f"{name}.joblib", "sha256": model.sha256_file(old / f"{name}.joblib"),
                      "feature": BY_NAME[name].feature}
    meta = dict(meta, schema_version=2, submodels=subs, cascade={"stages": [stage], "dev_report": []},
                classifier={"kind": "gbm", "file": "classifier.joblib",
                            "sha256": model.sha256_file(old / "classifier.joblib")})
    (old / model.META_FILE).write_text(json.dumps(meta), encoding="utf-8")
    return old


def test_a_model_saved_both_ways_gives_bit_identical_outputs(tmp_path):
    """The same tiny model pickled (schema 2) and converted to skops (schema 3): every output identical on
    hundreds of random rows and texts, through the objects and through the functions scoring uses."""
    from detector.submodels import ngram, probe, spin
    from training.convert_model import convert

    parts, extras, meta = _tiny_parts()
    old = _write_schema_2(tmp_path / "old", parts, extras, meta)
    assert "schema 2" in _load_error(old) and "python -m training.convert_model OLD_DIR NEW_DIR" in _load_error(old)
    new = convert(old, tmp_path / "new")
    assert sorted(p.name for p in new.iterdir()) == sorted(
        [model.CLASSIFIER_FILE, "stage0.skops", "word_ngram.skops", "hidden_probe.skops", "spin_route.skops",
         model.META_FILE])
    art = model.load(new)
    pickled = {slot: joblib.load(old / f"{slot}.joblib") for slot in parts}
    rng = np.random.default_rng(11)
    X = rng.normal(size=(400, len(meta["features"]))) * rng.choice([0.01, 1.0, 100.0], size=(400, 1))
    X[rng.random(X.shape) < 0.1] = np.nan
    np.testing.assert_array_equal(art.predict_proba(X), pickled["classifier"].predict_proba(X)[:, 1])
    np.testing.assert_array_equal(art.stages[0].predict_proba(X[:, :2]), pickled["stage0"].predict_proba(X[:, :2])[:, 1])
    texts = [" ".join(rng.choice(["the", "of", "talks", "said", "ministry", ",", ".", "Monday"], size=rng.integers(1, 80)))
             for _ in range(300)]
    np.testing.assert_array_equal(ngram.logits(art.submodels["word_ngram"], texts),
                                  ngram.logits(pickled["word_ngram"], texts))
    H = rng.normal(size=(300, 6))
    np.testing.assert_array_equal(probe.logits(art.submodels["hidden_probe"], H), probe.logits(pickled["hidden_probe"], H))
    np.testing.assert_array_equal(art.submodels["hidden_probe"].decision_function(H), pickled["hidden_probe"].decision_function(H))
    S = rng.normal(size=(300, 2))
    np.testing.assert_array_equal(spin.probability(art.submodels["spin_route"], S), spin.probability(pickled["spin_route"], S))
    assert art.meta["submodels"]["spin_route"]["inputs"] == list(spin.INPUTS[:2])
    assert art.meta["submodels"]["hidden_probe"]["fit"] == {"c": 0.01}
    assert art.meta["classifier"]["kind"] == "gbm" and art.stages[0].low == 0.1 and art.stages[0].high == 0.95


def test_converting_verifies_every_old_file_before_unpickling_any(tmp_path):
    """The converter is the one place that unpickles, and only files whose sha256 verifies."""
    from payloads import pickle_payload
    from training.convert_model import convert

    parts, extras, meta = _tiny_parts()
    old = _write_schema_2(tmp_path / "old", parts, extras, meta)
    marker = tmp_path / "ran.marker"
    pickle_payload(old / "spin_route.joblib", marker)  # sha256 in meta.json left as it was
    with pytest.raises(ModelError, match="sha256") as exc:
        convert(old, tmp_path / "new")
    assert "\n" not in str(exc.value) and not marker.exists() and not (tmp_path / "new").exists()


@pytest.mark.parametrize("version", [3, 0, None])
def test_converter_converts_schema_1_and_2_only(saved, tmp_path, version):
    from training.convert_model import main

    _, path = saved
    _edit_meta(path, lambda m: m.update(schema_version=version))
    with pytest.raises(ModelError, match="converts schema 1 and 2"):
        from training.convert_model import convert

        convert(path, tmp_path / "new")
    assert main([str(path), str(tmp_path / "new")]) == 2


def test_converter_help_says_to_convert_only_trusted_models(capsys):
    import training.convert_model as cm

    with pytest.raises(SystemExit):
        cm.main(["--help"])
    out = " ".join(capsys.readouterr().out.split())
    assert "Convert only a model you trust" in out and "unpickl" in out
    assert "Convert only a model you trust" in cm.__doc__


def test_trusted_types_are_exactly_what_the_shipped_model_and_make_train_need(tmp_path, monkeypatch):
    """TRUSTED_TYPES holds every type the shipped model (gradient boosting) and a make-train logreg model name,
    and nothing else."""
    from training.fit import fit_calibrated

    X = _rows(n=60, seed=2)
    logreg = model.save(fit_calibrated(X, (np.nan_to_num(X[:, 0]) > 0).astype(int), np.arange(60), "logreg"),
                        _meta(), tmp_path / "logreg")
    files = sorted(model.default_model_dir().glob(f"*{model.EXT}")) + [logreg / model.CLASSIFIER_FILE]
    assert len(files) == 8
    assert all(model_files.untrusted_types(f) == [] for f in files)
    trusted = set(model_files.TRUSTED_TYPES)
    monkeypatch.setattr(model_files, "TRUSTED_TYPES", ())  # now every type a file names is reported
    assert set().union(*(model_files.untrusted_types(f) for f in files)) == trusted


def test_a_type_skops_trusts_but_the_list_does_not_is_refused_before_loading(saved, no_unpickling):
    """skops's own defaults trust every scikit-learn estimator; a model file may name only TRUSTED_TYPES."""
    import skops.io as sio
    from sklearn.preprocessing import MinMaxScaler

    _, path = saved
    clf_path = path / model.CLASSIFIER_FILE
    sio.dump(make_pipeline(MinMaxScaler(), LogisticRegression()).fit(np.nan_to_num(_rows()), [0, 1] * 20), clf_path)
    assert sio.get_untrusted_types(file=clf_path) == []  # skops alone would load it
    _edit_meta(path, lambda m: m["classifier"].update(sha256=model.sha256_file(clf_path)))
    message = _load_error(path)
    assert "sklearn.preprocessing._data.MinMaxScaler" in message and "TRUSTED_TYPES" in message
    assert no_unpickling == []


def test_save_refuses_a_type_load_would_refuse(tmp_path):
    from sklearn.preprocessing import MinMaxScaler

    with pytest.raises(ModelError, match="MinMaxScaler") as exc:
        model.save(make_pipeline(MinMaxScaler(), LogisticRegression()).fit(np.nan_to_num(_rows()), [0, 1] * 20), _meta(), tmp_path / "m")
    assert "\n" not in str(exc.value) and not (tmp_path / "m").exists()
    assert list(tmp_path.iterdir()) == []  # no temporary directory left behind


@pytest.mark.parametrize("obj, slot, message", [
    (lambda: {"predict_proba": [0.5]}, "classifier", "dict has no predict_proba"),
    (lambda: _fit(cols=2), "classifier", "reads 2 features, meta.json lists 3"),
    (lambda: LogisticRegression(), "classifier", "not a fitted binary classifier"),
    (lambda: _fit(), "stage", "reads 3 features, meta.json lists 2"),
    (lambda: _fit(), "word_ngram", "is not a pipeline of ['HashingVectorizer', 'TfidfTransformer', 'LogisticRegression']"),
    (lambda: np.zeros(3), "word_ngram", "ndarray is not a pipeline"),
])
def test_a_trusted_object_that_does_not_fit_its_slot_is_a_model_error(tmp_path, obj, slot, message):
    """A file holding only trusted types must still hold what its slot needs: one line, not an
    AttributeError while scoring."""
    from detector.submodels import ngram

    texts = ["the talks of the ministry were held", "officials said talks resume on Monday"] * 5
    classifier, stages, subs = _fit(), [model.Stage(0, FEATURES[:2], 0.1, 0.95, _fit(cols=2))], {}
    if slot == "classifier":
        classifier = obj()
    elif slot == "stage":
        stages = [model.Stage(0, FEATURES[:2], 0.1, 0.95, obj())]
    else:
        subs = {slot: (obj(), {})}
    meta = dict(_meta(), features=FEATURES + ["ngram.word_logit.v1"] * (slot == "word_ngram"))
    if slot == "word_ngram" and classifier is not None:
        classifier = _fit(cols=4)
    path = model.save(classifier, meta, tmp_path / "m", stages, subs)
    error = _load_error(path)
    assert "is not a model for its slot" in error and message in error, error
    assert ngram  # the n-gram pipeline its slot needs is ngram.make_model's


def test_a_spin_route_over_other_inputs_than_it_lists_is_refused(tmp_path):
    from detector.submodels import spin

    features = FEATURES + list(spin.INPUTS[:2])
    S = _rows(seed=5, cols=3)
    route = spin.fit(S, (np.nan_to_num(S[:, 0]) > 0).astype(int))  # three inputs; meta lists two
    path = model.save(_fit(cols=5), dict(_meta(), features=features), tmp_path / "m", [],
                      {"spin_route": (route, {"inputs": list(spin.INPUTS[:2])})})
    assert "reads 3 features, meta.json lists 2 inputs" in _load_error(path)


def _first_split(clf):
    est = clf.calibrated_classifiers_[0].estimator
    tree = next(t for it in est._predictors for t in it if not t.nodes["is_leaf"][0])
    return tree.nodes


@pytest.mark.parametrize("field, value, message", [
    ("left", 10 ** 6, "out of bounds"),  # past the last node: an out-of-bounds read while predicting
    ("right", 0, "out of bounds"),  # back to the root: an endless loop while predicting
    ("feature_idx", 99, "splits on a feature it does not read"),  # a column past the row
    ("is_categorical", 1, "categorical split"),  # bitsets the model does not have
])
def test_a_gradient_boosted_tree_out_of_bounds_is_refused(tmp_path, field, value, message):
    """scikit-learn follows a tree's node indices without bounds checks, so a crafted tree could read out
    of bounds or loop forever when predicting: loading checks them."""
    clf = _gbm()
    ok = model.load(model.save(clf, dict(_meta(), classifier={"kind": "gbm"}), tmp_path / "ok"))
    np.testing.assert_array_equal(ok.predict_proba(_rows(seed=3)), clf.predict_proba(_rows(seed=3))[:, 1])
    _first_split(clf)[field][0] = value
    path = model.save(clf, _meta(), tmp_path / "m")
    error = _load_error(path)
    assert "is not a model for its slot (classifier)" in error and message in error
