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
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .errors import ModelError
from .lm import file_sha256 as sha256_file

SCHEMA_VERSION = 1
CLASSIFIER_FILE = "classifier.joblib"
META_FILE = "meta.json"
REQUIRED_META = ("schema_version", "package_version", "sklearn_version", "lm", "features", "thresholds",
                 "classifier_sha256", "min_words")


def default_model_dir() -> Path:
    return Path(__file__).parent / "resources" / "model"


@dataclass
class Artifact:
    classifier: object
    meta: dict
    path: Path | None = None

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
    return meta


def check_features(meta: dict) -> None:
    from .features import registry

    known = registry()
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
    if sha256_file(clf_path) != meta["classifier_sha256"]:
        raise ModelError(f"{clf_path} does not match the sha256 in meta.json (tampered or mixed up); "
                         "refusing to load it")
    import joblib

    try:
        classifier = joblib.load(clf_path)
    except Exception as e:  # unpickling errors come in many types
        raise ModelError(f"could not read {clf_path}: {e}") from e
    return Artifact(classifier, meta, path)


def save(classifier, meta: dict, out_dir: Path) -> Path:
    """Write a new model directory (refuses to overwrite an existing one)."""
    import joblib

    out_dir = Path(out_dir)
    if out_dir.exists():
        raise ModelError(f"{out_dir} exists; training writes a new directory, never overwrites")
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(dir=out_dir.parent, prefix=".tmp-model-"))
    joblib.dump(classifier, tmp / CLASSIFIER_FILE)
    meta = dict(meta, schema_version=SCHEMA_VERSION, classifier_sha256=sha256_file(tmp / CLASSIFIER_FILE))
    (tmp / META_FILE).write_text(json.dumps(meta, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    os.replace(tmp, out_dir)
    return out_dir
