"""The fitted classifier artifact: a directory with ``classifier.joblib`` and ``meta.json``.

``meta.json`` carries the schema version, package/scikit-learn versions, LM name, file hash and token
budget, the ordered feature names, thresholds (with the false-positive rate and split they were chosen
on), training-data hashes and held-out metrics. Loading checks all of it, including the sha256 of the
classifier file, before anything is unpickled.
"""
from __future__ import annotations

import json
import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from .errors import ModelError
from .lm_load import file_sha256 as sha256_file

SCHEMA_VERSION = 1
CLASSIFIER_FILE = "classifier.joblib"
META_FILE = "meta.json"
REQUIRED_META = ("schema_version", "package_version", "sklearn_version", "lm", "features", "thresholds",
                 "classifier_sha256", "min_words")


def default_model_dir() -> Path:
    return Path(__file__).parent / "resources" / "model"


@dataclass
class Stage:
    """One early-exit stage of the cascade: a classifier over ``features`` with the LM read to ``tokens``
    tokens (0: no LM). A text leaves the cascade here when ``p <= low`` (clean) or ``p >= high`` (machine)."""

    tokens: int
    features: list[str]
    low: float
    high: float
    classifier: object

    def predict_proba(self, X: np.ndarray) -> np.ndarray:
        return self.classifier.predict_proba(X)[:, 1]

    def exits(self, p: float) -> bool:
        return p <= self.low or p >= self.high


@dataclass
class Artifact:
    classifier: object
    meta: dict
    path: Path | None = None
    stages: list[Stage] = field(default_factory=list)  # the cascade's early exits, cheapest first
    ngram: object | None = None  # the word n-gram model behind ``ngram.word_logit.v1`` (detector.ngram)
    hidden: object | None = None  # the hidden-state probe behind ``lm.hidden_logit.v1`` (detector.hidden)
    spin: object | None = None  # the spin route's model (detector.spin)
    mt_probe: object | None = None  # the translation probe behind ``lm.mt_logit.v1`` (detector.mt_probe)
    mt_ngram: object | None = None  # the translation n-gram model behind ``ngram.mt_logit.v1`` (detector.mt_ngram)

    @property
    def features(self) -> list[str]:
        return list(self.meta["features"])

    def threshold(self, fpr: float) -> float:
        table = self.meta["thresholds"]
        key = _fpr_key(fpr)
        if key not in table:
            raise ModelError(f"no threshold stored for --fpr {fpr}; this model has {sorted(table)}")
        return float(table[key]["threshold"])

    def predict_proba(self, X: np.ndarray) -> np.ndarray:
        return self.classifier.predict_proba(X)[:, 1]

    def spin_probability(self, X: np.ndarray) -> np.ndarray | None:
        """The spin route's q (:mod:`detector.spin`) for the full model's feature rows ``X``; None when the
        model has no spin route."""
        if self.spin is None:
            return None
        from . import spin

        cols = [self.features.index(f) for f in spin.inputs(self.meta)]
        return spin.probability(self.spin, np.asarray(X)[:, cols])

    def spin_route(self, p: np.ndarray, X: np.ndarray, q: np.ndarray | None = None) -> np.ndarray:
        """The full model's probabilities ``p`` combined with the spin route on the same rows ``X`` (``q``:
        :meth:`spin_probability`, when already computed); ``p`` unchanged when the model has no spin route."""
        from . import spin

        q = self.spin_probability(X) if q is None else q
        return p if q is None else spin.combine(p, q)

    def evidence_floor(self, value: float) -> float:
        """The p_machine floor the evidence rule sets for a text whose rule feature is ``value`` (0 if none).

        Several *different* kinds of artifact in one text (stray punctuation, a detached period, a swapped
        title ...) almost never occur in human text, but a linear model adds them up with the other
        features and lets a human-looking vocabulary outvote them. The rule (fitted in training, see
        ``training/evidence_rule.py``) takes the larger of the two."""
        rule = self.meta.get("evidence_rule")
        if not rule or value != value or value < rule["at_least"]:
            return 0.0
        return float(rule["p_machine"])


def _fpr_key(fpr) -> str:
    try:
        return f"{float(fpr):g}"
    except (TypeError, ValueError):
        raise ModelError(f"false-positive rate must be a number such as 0.01, got {fpr!r}") from None


def read_meta(path: Path) -> dict:
    path = Path(path)
    meta_path = path / META_FILE
    if not path.is_dir():
        raise ModelError(f"model directory {path} does not exist; pass --model DIR or run make train")
    try:
        meta = json.loads(meta_path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ModelError(f"{meta_path} is missing; a model directory needs meta.json next to {CLASSIFIER_FILE}")
    except (ValueError, UnicodeDecodeError) as e:
        raise ModelError(f"{meta_path} is not valid JSON ({e}); retrain with make train")
    if not isinstance(meta, dict):
        raise ModelError(f"{meta_path} must hold a JSON object")
    missing = [k for k in REQUIRED_META if k not in meta]
    if missing:
        raise ModelError(f"{meta_path} lacks {missing}; retrain with make train")
    if meta["schema_version"] != SCHEMA_VERSION:
        raise ModelError(f"model schema {meta['schema_version']} but this version reads {SCHEMA_VERSION}; "
                         "retrain with make train")
    layers = (meta.get("hidden_probe") or {}).get("layers")
    if isinstance(meta["lm"], dict) and "hidden_layers" not in meta["lm"] and layers is not None:
        meta["lm"] = dict(meta["lm"], hidden_layers=layers)  # written before lm.hidden_layers: its probe's layers
    return meta


SUBMODELS = {"ngram": "ngram", "hidden": "hidden", "spin": "spin", "mt_probe": "mt_probe",
             "mt_ngram": "mt_ngram"}  # meta key -> module (FEATURE, FILE)


def _submodule(key: str):
    import importlib

    return importlib.import_module(f"{__package__}.{SUBMODELS[key]}")


def check_features(meta: dict) -> None:
    from .features import registry

    known = set(registry()) | {_submodule(k).FEATURE for k in SUBMODELS if meta.get(k)}
    if meta.get("spin"):
        from .spin import inputs

        missing = [f for f in inputs(meta) if f not in meta["features"]]
        if missing:
            raise ModelError(f"the model's spin route needs features it does not list: {missing}")
    lacking = [f for f in meta["features"] if f not in known]
    if lacking:
        raise ModelError(f"model needs features this version lacks: {lacking}; retrain with make train")


def load(path: Path | str | None = None) -> Artifact:
    """Load and verify a model directory (default: the shipped model)."""
    path = Path(path) if path is not None else default_model_dir()
    meta = read_meta(path)
    check_features(meta)
    clf_path = path / CLASSIFIER_FILE
    if not clf_path.is_file():
        raise ModelError(f"{clf_path} is missing")
    specs = _stage_specs(meta, path)
    subs = {}
    for key in SUBMODELS:
        sub = meta.get(key)
        if sub is not None and (not isinstance(sub, dict) or set(sub) != {"file", "sha256"}
                                or Path(str(sub["file"])).name != sub["file"]):
            raise ModelError(f"{path / META_FILE}: '{key}' must name a file of this model and its sha256")
        if sub is not None:
            subs[key] = sub
    files = [(clf_path, meta["classifier_sha256"])] + [(path / s["file"], s["sha256"]) for s in specs]
    files += [(path / sub["file"], sub["sha256"]) for sub in subs.values()]
    for file, sha in files:  # every file verifies before any is unpickled
        _verify(file, sha)
    classifier = _unpickle(clf_path)
    stages = [Stage(int(s["tokens"]), list(s["features"]), float(s["low"]), float(s["high"]),
                    _unpickle(path / s["file"])) for s in specs]
    loaded = {key: _unpickle(path / sub["file"]) for key, sub in subs.items()}
    return Artifact(classifier, meta, path, stages, **loaded)


def _stage_specs(meta: dict, path: Path) -> list[dict]:
    """The cascade stages named in meta.json, checked before anything is unpickled."""
    specs = (meta.get("cascade") or {}).get("stages", [])
    known = set(meta["features"])
    for s in specs:
        if not isinstance(s, dict) or not {"tokens", "features", "low", "high", "file", "sha256"} <= set(s):
            raise ModelError(f"{path / META_FILE}: a cascade stage lacks tokens/features/low/high/file/sha256")
        if Path(s["file"]).name != s["file"] or not set(s["features"]) <= known:
            raise ModelError(f"{path / META_FILE}: cascade stage {s.get('file')!r} is not a file of this model "
                             "or uses features the model does not list")
    return specs


def _verify(file: Path, sha256: str) -> None:
    if not file.is_file():
        raise ModelError(f"{file} is missing")
    if sha256_file(file) != sha256:
        raise ModelError(f"{file} does not match the sha256 in meta.json (tampered or mixed up); refusing to load it")


def _unpickle(file: Path):
    import joblib

    try:
        return joblib.load(file)
    except Exception as e:  # unpickling errors come in many types
        raise ModelError(f"could not read {file}: {e}") from e


def save(classifier, meta: dict, out_dir: Path, stages: list[Stage] = (), ngram_model=None,
         hidden_model=None, spin_model=None, mt_probe=None, mt_ngram=None) -> Path:
    """Write a new model directory (refuses to overwrite an existing one)."""
    import joblib

    out_dir = Path(out_dir)
    if out_dir.exists():
        raise ModelError(f"{out_dir} exists; training writes a new directory, never overwrites")
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(dir=out_dir.parent, prefix=".tmp-model-"))
    joblib.dump(classifier, tmp / CLASSIFIER_FILE)
    specs = []
    for k, st in enumerate(stages):
        name = f"stage{k}.joblib"
        joblib.dump(st.classifier, tmp / name)
        specs.append({"tokens": st.tokens, "features": st.features, "low": st.low, "high": st.high, "file": name,
                      "sha256": sha256_file(tmp / name)})
    if specs:
        meta = dict(meta, cascade=dict(meta.get("cascade") or {}, stages=specs))
    for key, sub in (("ngram", ngram_model), ("hidden", hidden_model), ("spin", spin_model), ("mt_probe", mt_probe),
                     ("mt_ngram", mt_ngram)):
        if sub is not None:
            file = _submodule(key).FILE
            joblib.dump(sub, tmp / file, compress=3)
            meta = dict(meta, **{key: {"file": file, "sha256": sha256_file(tmp / file)}})
    meta = dict(meta, schema_version=SCHEMA_VERSION, classifier_sha256=sha256_file(tmp / CLASSIFIER_FILE))
    (tmp / META_FILE).write_text(json.dumps(meta, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    os.replace(tmp, out_dir)
    return out_dir
