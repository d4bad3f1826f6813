"""The fitted model directory: ``meta.json`` plus the classifier, the cascade's stages and the sub-models.

``meta.json`` (schema 3) carries the schema version, package/scikit-learn versions, the LM's name, file
hash and token budget, the ordered feature names, thresholds (with the false-positive rate and split they
were chosen on), the evidence rule, the cascade's stages, ONE entry per sub-model (``submodels``: the table
in :mod:`detector.submodels`), training-data hashes and held-out metrics.

Loading a model never runs code from it. The fitted models are ``.skops`` files (skops.io: a zip of a JSON
schema and ``.npy`` arrays, read without pickle); nothing is unpickled, ever. Loading checks, in order:
``meta.json``; every file's sha256; every type each file names against :data:`TRUSTED_TYPES` (a file
naming any other type is refused, with the types listed, before any file is loaded); then it loads each
file with only those types trusted and checks that each object is what its slot needs (:func:`_check_slot`),
including the bounds of every gradient-boosted tree, whose node indices scikit-learn follows unchecked.
A process parses the same verified files once: the fitted models are kept by every file's sha256 (checked
again on each load), so a second Detector on an unchanged model skips the parse.
Older directories (schema 1 and 2, pickled ``.joblib`` files) are refused with the command that
converts them (:mod:`training.convert_model`). The format is described in ``docs/model-format.md``.
"""
from __future__ import annotations

import json
import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from . import model_files
from .errors import ModelError
from .meta_schema import check_meta
from .model_files import TRUSTED_TYPES, untrusted_types  # noqa: F401  (part of the API)
from .threads import positive_proba
from .lm.load import file_sha256 as sha256_file

SCHEMA_VERSION = 3
META_FILE = "meta.json"
EXT = ".skops"  # every fitted model's file: skops.io, never a pickle
CLASSIFIER_FILE = f"classifier{EXT}"
CONVERT = "python -m training.convert_model OLD_DIR NEW_DIR"


def default_model_dir() -> Path:
    return Path(__file__).parent / "resources" / "model"


@dataclass
class Stage:
    """One stage of the cascade: a classifier over ``features`` with the LM read to ``tokens`` tokens (0: no
    LM). An early stage lets a text leave when ``p <= low`` (clean) or ``p >= high`` (machine); the final
    stage (``low`` 1, ``high`` 0) decides every text that reaches it."""

    tokens: int
    features: list[str]
    low: float
    high: float
    classifier: object

    def predict_proba(self, X: np.ndarray) -> np.ndarray:
        return positive_proba(self.classifier, X)

    def exits(self, p: float) -> bool:
        return p <= self.low or p >= self.high

    @property
    def final(self) -> bool:
        """The full model's stage (it decides every text that reaches it)."""
        return self.low >= self.high


@dataclass
class Artifact:
    classifier: object
    meta: dict
    path: Path | None = None
    stages: list[Stage] = field(default_factory=list)  # the cascade's early exits, cheapest first
    submodels: dict[str, object] = field(default_factory=dict)  # name (detector.submodels.TABLE) -> fitted model

    @property
    def features(self) -> list[str]:
        return list(self.meta["features"])

    @property
    def min_words(self) -> int:
        return int(self.meta["min_words"])

    @property
    def max_tokens(self) -> int:
        return int(self.meta["lm"]["max_tokens"])

    def predict_proba(self, X: np.ndarray) -> np.ndarray:
        """The classifier's probability per row of the full feature list (before the cascade's final
        combination, :func:`detector.cascade.final_combination`)."""
        return positive_proba(self.classifier, X)

    @property
    def reason_bounds(self) -> dict[str, float]:
        """Per evidence feature, the value above which it is unusual for human text (``meta.json``
        ``reason_bounds``, :mod:`detector.reasons`). A model without them (trained before they existed)
        counts any artifact a handcrafted span feature finds, and never the LM's or the sub-models' evidence."""
        stored = self.meta.get("reason_bounds")
        if stored:
            return {k: float(v) for k, v in stored["features"].items()}
        from .reasons import evidence_reasons

        return {f: 0.0 for r in evidence_reasons() if r.level == "span" for f in r.features
                if not f.startswith("lm.")}

    def final_stage(self) -> Stage:
        """The full model as the cascade's last stage: every feature, the whole LM budget, always decides."""
        return Stage(self.max_tokens, self.features, 1.0, 0.0, self.classifier)

    def bands(self, fpr: float):
        """The thresholds by text length at ``fpr`` (:mod:`detector.bands`): the stored length bands, or the
        one threshold for every length when the model has none."""
        from .bands import Bands

        pooled = self.threshold(fpr)
        return Bands.from_meta(self.meta, _fpr_key(fpr)) or Bands.single(self.min_words, pooled)

    def threshold(self, fpr: float) -> float:
        table = self.meta["thresholds"]
        key = _fpr_key(fpr)
        if key not in table:
            raise ModelError(f"no threshold stored for --fpr {fpr}; this model has {sorted(table)}")
        return float(table[key]["threshold"])


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
        raise ModelError(f"{meta_path} is missing; a model directory needs meta.json next to its classifier")
    except (ValueError, UnicodeDecodeError) as e:
        raise ModelError(f"{meta_path} is not valid JSON ({e}); retrain with make train")
    if not isinstance(meta, dict):
        raise ModelError(f"{meta_path} must hold a JSON object")
    if "schema_version" in meta and meta["schema_version"] != SCHEMA_VERSION:
        raise ModelError(f"{path} has model schema {meta.get('schema_version')!r} but this version reads "
                         f"{SCHEMA_VERSION}; convert it with `{CONVERT}` (only a model you trust: converting "
                         "unpickles it) or retrain with make train")
    check_meta(meta, meta_path)
    return meta


def check_features(meta: dict) -> None:
    from . import submodels
    from .features import registry

    subs = meta.get("submodels") or {}
    unknown = sorted(set(subs) - set(submodels.BY_NAME))
    if unknown:
        raise ModelError(f"meta.json names sub-models this version lacks: {unknown}; known: {sorted(submodels.BY_NAME)}")
    for name, entry in subs.items():
        if not isinstance(entry, dict) or entry.get("feature") != submodels.BY_NAME[name].feature:
            raise ModelError(f"meta.json: sub-model {name!r} must fill feature {submodels.BY_NAME[name].feature!r}; "
                             "retrain with make train")
    known = set(registry()) | {submodels.BY_NAME[name].feature for name in subs}
    spin = subs.get(submodels.SPIN.name)
    if spin:
        if not isinstance(spin.get("inputs"), list) or not spin["inputs"]:
            raise ModelError("meta.json: the spin route must list its input features (submodels.spin_route.inputs)")
        missing = [f for f in spin["inputs"] if f not in meta["features"]]
        if missing:
            raise ModelError(f"the model's spin route needs features it does not list: {missing}")
    rule = meta.get("evidence_rule")
    if rule is not None and (not isinstance(rule, dict) or rule.get("feature") not in registry()
                             or registry()[rule["feature"]].needs_lm):
        raise ModelError("meta.json: the evidence rule must name a text feature this version has; retrain with make train")
    lacking = [f for f in meta["features"] if f not in known]
    if lacking:
        raise ModelError(f"model needs features this version lacks: {lacking}; retrain with make train")


def _file_entry(path: Path, key: str, entry) -> tuple[Path, str]:
    """The file and sha256 a meta.json entry names, checked to be a plain file name of this directory."""
    if not isinstance(entry, dict) or not isinstance(entry.get("file"), str) or not isinstance(entry.get("sha256"), str) \
            or Path(entry["file"]).name != entry["file"]:
        raise ModelError(f"{path / META_FILE}: '{key}' must name a file of this model and its sha256")
    return path / entry["file"], entry["sha256"]


def load(path: Path | str | None = None) -> Artifact:
    """Load and verify a model directory (default: the shipped model). Nothing in it is unpickled and no
    code from it runs: see the module docstring for the checks, in order."""
    path = Path(path) if path is not None else default_model_dir()
    meta = read_meta(path)
    check_features(meta)
    specs = _stage_specs(meta, path)
    files = {"classifier": _file_entry(path, "classifier", meta["classifier"])}
    files.update({f"stage{k}": _file_entry(path, f"cascade stage {k}", s) for k, s in enumerate(specs)})
    subs = meta.get("submodels") or {}
    files.update({name: _file_entry(path, f"submodels.{name}", entry) for name, entry in subs.items()})
    for file, sha in files.values():  # every file verifies ...
        _verify(file, sha)
    key = json.dumps([sorted((slot, sha) for slot, (_, sha) in files.items()), meta["features"], specs, subs],
                     sort_keys=True, default=str)
    if key not in _LOADED:  # the same verified bytes, read before in this process: parsed once
        for file, _ in files.values():  # ... and names only trusted types, before any is loaded
            model_files.refuse_untrusted(file)
        classifier = model_files.check_slot(model_files.read(files["classifier"][0]), files["classifier"][0], "classifier", meta["features"])
        stages = [model_files.check_slot(model_files.read(files[f"stage{k}"][0]), files[f"stage{k}"][0], "stage", s["features"])
                  for k, s in enumerate(specs)]
        fitted = {name: model_files.check_slot(model_files.read(files[name][0]), files[name][0], name, subs[name]) for name in subs}
        while len(_LOADED) >= _CACHE_SIZE:
            _LOADED.pop(next(iter(_LOADED)))
        _LOADED[key] = (classifier, stages, fitted)
    classifier, stage_models, fitted = _LOADED[key]
    stages = [Stage(int(s["tokens"]), list(s["features"]), float(s["low"]), float(s["high"]), model)
              for s, model in zip(specs, stage_models)]
    return Artifact(classifier, meta, path, stages, dict(fitted))


_CACHE_SIZE = 4
# Fitted models already parsed in this process, by the sha256 of every file and the meta entries their checks
# read: a second Detector on the same verified files skips the (slow) skops parse. Fitted models are only
# ever read (predict), so Artifacts share them; each gets its own freshly read meta.
_LOADED: dict[str, tuple] = {}


def _stage_specs(meta: dict, path: Path) -> list[dict]:
    """The cascade stages named in meta.json, checked before any file is read."""
    specs = (meta.get("cascade") or {}).get("stages", [])
    known = set(meta["features"])
    for s in specs:
        if not isinstance(s, dict) or not {"tokens", "features", "low", "high", "file", "sha256"} <= set(s):
            raise ModelError(f"{path / META_FILE}: a cascade stage lacks tokens/features/low/high/file/sha256")
        if not set(s["features"]) <= known:
            raise ModelError(f"{path / META_FILE}: cascade stage {s.get('file')!r} uses features the model does not list")
    return specs


def _verify(file: Path, sha256: str) -> None:
    if not file.is_file():
        raise ModelError(f"{file} is missing")
    if sha256_file(file) != sha256:
        raise ModelError(f"{file} does not match the sha256 in meta.json (tampered or mixed up); refusing to load it")


def save(classifier, meta: dict, out_dir: Path, stages: list[Stage] = (), submodels: dict | None = None) -> Path:
    """Write a new model directory (refuses to overwrite an existing one). ``submodels`` maps a sub-model's
    name to ``(fitted model, its meta.json entry without file/sha256/feature)``."""
    import shutil

    from .submodels import BY_NAME

    out_dir = Path(out_dir)
    if out_dir.exists():
        raise ModelError(f"{out_dir} exists; training writes a new directory, never overwrites")
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(dir=out_dir.parent, prefix=".tmp-model-"))
    try:
        model_files.dump(classifier, tmp / CLASSIFIER_FILE)
        kind = meta["classifier"]["kind"] if isinstance(meta.get("classifier"), dict) else meta.get("classifier")
        meta = dict(meta, classifier={"kind": kind, "file": CLASSIFIER_FILE, "sha256": sha256_file(tmp / CLASSIFIER_FILE)})
        specs = []
        for k, st in enumerate(stages):
            name = f"stage{k}{EXT}"
            model_files.dump(st.classifier, tmp / name)
            specs.append({"tokens": st.tokens, "features": st.features, "low": st.low, "high": st.high, "file": name,
                          "sha256": sha256_file(tmp / name)})
        if specs:
            meta["cascade"] = dict(meta.get("cascade") or {}, stages=specs)
        entries = {}
        for name, (model, extra) in (submodels or {}).items():
            sub = BY_NAME[name]
            model_files.dump(model, tmp / sub.file)
            entries[name] = {**(extra or {}), "file": sub.file, "sha256": sha256_file(tmp / sub.file),
                             "feature": sub.feature}
        meta = dict(meta, submodels=entries, schema_version=SCHEMA_VERSION)
        (tmp / META_FILE).write_text(json.dumps(meta, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    os.replace(tmp, out_dir)
    return out_dir
