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

from .errors import ModelError
from .lm.load import file_sha256 as sha256_file

SCHEMA_VERSION = 3
META_FILE = "meta.json"
EXT = ".skops"  # every fitted model's file: skops.io, never a pickle
CLASSIFIER_FILE = f"classifier{EXT}"
REQUIRED_META = ("schema_version", "package_version", "sklearn_version", "lm", "features", "thresholds",
                 "classifier", "min_words")
CONVERT = "python -m training.convert_model OLD_DIR NEW_DIR"

# Every type a model file may name, and nothing else: what the shipped model (gradient boosting) and
# ``make train`` (either classifier kind, every sub-model) write. skops builds only these (its own default
# list is wider; a file naming anything outside this tuple is refused before it is loaded). A new estimator
# type in training needs a line here after review; ``save`` refuses to write a model ``load`` would refuse.
TRUSTED_TYPES = (
    "builtins.dict", "builtins.list", "builtins.str", "builtins.tuple",
    "numpy.dtype", "numpy.float64", "numpy.ndarray", "numpy.uint64",
    "numpy.random._generator.Generator",
    "sklearn._loss._loss.CyHalfBinomialLoss", "sklearn._loss.link.Interval", "sklearn._loss.link.LogitLink",
    "sklearn._loss.loss.HalfBinomialLoss",
    "sklearn.calibration.CalibratedClassifierCV", "sklearn.calibration._CalibratedClassifier",
    "sklearn.calibration._SigmoidCalibration",
    "sklearn.ensemble._hist_gradient_boosting.binning._BinMapper",
    "sklearn.ensemble._hist_gradient_boosting.gradient_boosting.HistGradientBoostingClassifier",
    "sklearn.ensemble._hist_gradient_boosting.predictor.TreePredictor",
    "sklearn.feature_extraction.text.HashingVectorizer", "sklearn.feature_extraction.text.TfidfTransformer",
    "sklearn.impute._base.SimpleImputer",
    "sklearn.linear_model._logistic.LogisticRegression",
    "sklearn.pipeline.Pipeline",
    "sklearn.preprocessing._data.StandardScaler", "sklearn.preprocessing._label.LabelEncoder",
)
# How skops may build them (its node kinds): no functions, methods, partials or operator objects.
TRUSTED_LOADERS = ("CachedNode", "DictNode", "DTypeNode", "JsonNode", "ListNode", "LossNode", "NdArrayNode", "ObjectNode",
                   "RandomGeneratorNode", "TupleNode", "TypeNode")


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
        return self.classifier.predict_proba(X)[:, 1]

    def exits(self, p: float) -> bool:
        return p <= self.low or p >= self.high


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
        return self.classifier.predict_proba(X)[:, 1]

    def final_stage(self) -> Stage:
        """The full model as the cascade's last stage: every feature, the whole LM budget, always decides."""
        return Stage(self.max_tokens, self.features, 1.0, 0.0, self.classifier)

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
    missing = [k for k in REQUIRED_META if k not in meta]
    if missing:
        raise ModelError(f"{meta_path} lacks {missing}; retrain with make train")
    if meta.get("schema_version") != SCHEMA_VERSION:
        raise ModelError(f"{path} has model schema {meta.get('schema_version')!r} but this version reads "
                         f"{SCHEMA_VERSION}; convert it with `{CONVERT}` (only a model you trust: converting "
                         "unpickles it) or retrain with make train")
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
    for file, _ in files.values():  # ... and names only trusted types, before any is loaded
        _refuse_untrusted(file)
    classifier = _check_slot(_read(files["classifier"][0]), files["classifier"][0], "classifier", meta["features"])
    stages = [Stage(int(s["tokens"]), list(s["features"]), float(s["low"]), float(s["high"]),
                    _check_slot(_read(files[f"stage{k}"][0]), files[f"stage{k}"][0], "stage", s["features"]))
              for k, s in enumerate(specs)]
    return Artifact(classifier, meta, path, stages,
                    {name: _check_slot(_read(files[name][0]), files[name][0], name, subs[name]) for name in subs})


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


def _one_line(e: BaseException) -> str:
    return " ".join(str(e).split()) or type(e).__name__


def _schema_types(schema) -> set[str]:
    """Every type a skops schema names (``module.Class`` of each node; ``module.Class (as Loader)`` where
    the node kind is not in :data:`TRUSTED_LOADERS`). Walked without recursion: nesting cannot overflow."""
    named, todo = set(), [schema]
    while todo:
        node = todo.pop()
        if isinstance(node, dict):
            if "__loader__" in node or "__module__" in node or "__class__" in node:
                loader, module, cls = node.get("__loader__"), node.get("__module__"), node.get("__class__")
                if loader == "CachedNode" and module is None and cls is None:
                    pass  # a reference to a node read earlier in the same file
                elif loader not in TRUSTED_LOADERS:
                    named.add(f"{module}.{cls} (as {loader})")
                else:
                    named.add(f"{module}.{cls}")
            todo.extend(node.values())
        elif isinstance(node, list):
            todo.extend(node)
    return named


def untrusted_types(file: Path) -> list[str]:
    """The types ``file`` (a skops file) names that are not in :data:`TRUSTED_TYPES`: skops's own audit
    (:func:`skops.io.get_untrusted_types`) and every node of its schema. Reads the schema only; builds
    nothing."""
    import zipfile

    import skops.io as sio

    try:
        named = set(sio.get_untrusted_types(file=file))
        with zipfile.ZipFile(file) as z:
            named |= _schema_types(json.loads(z.read("schema.json")))
    except Exception as e:  # not a zip, no schema, bad JSON, nesting too deep: one message for all
        raise ModelError(f"could not read {file}: not a skops model file ({_one_line(e)}); "
                         f"a schema-{SCHEMA_VERSION} model stores every fitted model with skops") from None
    return sorted(named - set(TRUSTED_TYPES))


def _refuse_untrusted(file: Path) -> None:
    bad = untrusted_types(file)
    if bad:
        raise ModelError(f"{file} names types this version does not trust: {bad}; refusing to load it "
                         "(a model file may hold only the types in detector.artifact.TRUSTED_TYPES)")


def _read(file: Path):
    """The object in ``file``, built by skops with only :data:`TRUSTED_TYPES` trusted (never unpickled)."""
    import skops.io as sio

    try:
        return sio.load(file, trusted=list(TRUSTED_TYPES))
    except Exception as e:  # skops and numpy raise many types for a damaged file
        raise ModelError(f"could not read {file}: {_one_line(e)}") from None


def _check_slot(obj, file: Path, slot: str, need):
    """``obj`` if it is what ``slot`` needs, else a one-line ModelError: the classifier or a stage
    (``need``: its features), a binary classifier over that many columns with ``predict_proba`` and every
    gradient-boosted tree in bounds; a sub-model (``need``: its meta.json entry), the pipeline its module's
    ``make_model`` builds, fitted, binary, and for the spin route over its listed inputs."""
    try:
        problem = _slot_problem(obj, slot, need)
    except Exception as e:  # an attribute of the wrong type or shape: the file is not a model of this slot
        problem = f"unusable ({_one_line(e)})"
    if problem:
        raise ModelError(f"{file} is not a model for its slot ({slot}): {problem}; retrain with make train")
    return obj


def _slot_problem(obj, slot: str, need) -> str | None:
    from sklearn.pipeline import Pipeline

    from . import submodels

    if slot in ("classifier", "stage"):
        if not callable(getattr(obj, "predict_proba", None)):
            return f"{type(obj).__name__} has no predict_proba"
        if len(getattr(obj, "classes_", ())) != 2:
            return "not a fitted binary classifier"
        if getattr(obj, "n_features_in_", None) != len(need):
            return f"it reads {getattr(obj, 'n_features_in_', None)} features, meta.json lists {len(need)}"
        return _trees_problem(obj, len(need))
    sub = submodels.BY_NAME[slot]
    want = [type(step) for step in sub.module().make_model()]
    if not isinstance(obj, Pipeline) or [type(step) for step in obj] != want:
        return f"{type(obj).__name__} is not a pipeline of {[t.__name__ for t in want]}"
    lr = obj[-1]
    if len(getattr(lr, "classes_", ())) != 2 or np.shape(getattr(lr, "coef_", None))[:1] != (1,):
        return "not a fitted binary logistic regression"
    if np.shape(lr.coef_) != (1, lr.n_features_in_) or np.shape(lr.intercept_) != (1,):
        return "coefficients of the wrong shape"
    if sub.reads != "text":
        scaler = obj[0]
        if not (np.shape(scaler.mean_) == np.shape(scaler.scale_) == (lr.n_features_in_,)):
            return "its scaler does not match its coefficients"
    if sub is submodels.SPIN and lr.n_features_in_ != len(need["inputs"]):
        return f"it reads {lr.n_features_in_} features, meta.json lists {len(need['inputs'])} inputs"
    return None


def _trees_problem(obj, n_features: int) -> str | None:
    """Every fitted HistGradientBoostingClassifier inside ``obj`` (the calibrated classifier's estimators)
    reads ``n_features`` columns and has trees whose node indices stay in bounds: scikit-learn's predictor
    follows ``left``/``right`` and reads column ``feature_idx`` without checks, so a crafted file could
    read out of bounds or loop forever. Children come after their parent (as the grower numbers them),
    split features are columns of the input, and no split is categorical (training uses none)."""
    from sklearn.ensemble import HistGradientBoostingClassifier
    from sklearn.ensemble._hist_gradient_boosting.common import PREDICTOR_RECORD_DTYPE
    from sklearn.ensemble._hist_gradient_boosting.predictor import TreePredictor

    found, checked = [], set()
    _collect(obj, (HistGradientBoostingClassifier, TreePredictor), found)
    for gbm in (o for o in found if isinstance(o, HistGradientBoostingClassifier) and hasattr(o, "_predictors")):
        if gbm.n_features_in_ != n_features:  # an unfitted one (CalibratedClassifierCV's template) has no trees
            return f"gradient boosting over {gbm.n_features_in_} features, meta.json lists {n_features}"
        categorical = [gbm.is_categorical_, gbm._bin_mapper.is_categorical_]
        if any(c is not None and np.asarray(c).any() for c in categorical) or gbm._preprocessor is not None:
            return "gradient boosting with categorical features"
        for tree in (t for iteration in gbm._predictors for t in iteration):
            if not isinstance(tree, TreePredictor):
                return "gradient boosting with a tree of the wrong type"
            nodes = tree.nodes
            if not isinstance(nodes, np.ndarray) or nodes.dtype != PREDICTOR_RECORD_DTYPE or nodes.ndim != 1 \
                    or not len(nodes):
                return "a tree whose nodes are not scikit-learn's records"
            split, at = nodes["is_leaf"] == 0, np.arange(len(nodes))
            for child in ("left", "right"):
                k = nodes[child][split].astype(np.int64)
                if np.any(k <= at[split]) or np.any(k >= len(nodes)):
                    return "a tree whose node indices are out of bounds"
            f = nodes["feature_idx"][split]
            if np.any(f < 0) or np.any(f >= n_features):
                return "a tree that splits on a feature it does not read"
            if np.any(nodes["is_categorical"] != 0):
                return "a tree with a categorical split (training uses none)"
            checked.add(id(tree))
    if any(isinstance(o, TreePredictor) and id(o) not in checked for o in found):
        return "a tree outside gradient boosting"
    return None


def _collect(obj, types: tuple, found: list, seen: set | None = None) -> None:
    """Every object of ``types`` reachable from ``obj`` through lists, tuples, dicts and the attributes of
    scikit-learn objects."""
    seen = set() if seen is None else seen
    todo = [obj]
    while todo:
        o = todo.pop()
        if id(o) in seen or isinstance(o, (str, bytes, int, float, bool, np.ndarray, np.generic)) or o is None:
            continue
        seen.add(id(o))
        if isinstance(o, types):
            found.append(o)
        if isinstance(o, dict):
            todo.extend(o.values())
        elif isinstance(o, (list, tuple)):
            todo.extend(o)
        elif type(o).__module__.startswith("sklearn.") and hasattr(o, "__dict__"):  # estimators and their parts
            todo.extend(vars(o).values())


def _dump(obj, file: Path) -> None:
    """Write ``obj`` with skops (deflated), and refuse a type ``load`` would refuse (a new estimator in
    training needs reviewing into :data:`TRUSTED_TYPES` first)."""
    import zipfile

    import skops.io as sio

    sio.dump(obj, file, compression=zipfile.ZIP_DEFLATED, compresslevel=6)
    bad = untrusted_types(file)
    if bad:
        raise ModelError(f"{file.name} would hold types detector.artifact.TRUSTED_TYPES does not list: {bad}; "
                         "review them and add them there first")


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
        _dump(classifier, tmp / CLASSIFIER_FILE)
        kind = meta["classifier"]["kind"] if isinstance(meta.get("classifier"), dict) else meta.get("classifier")
        meta = dict(meta, classifier={"kind": kind, "file": CLASSIFIER_FILE, "sha256": sha256_file(tmp / CLASSIFIER_FILE)})
        specs = []
        for k, st in enumerate(stages):
            name = f"stage{k}{EXT}"
            _dump(st.classifier, tmp / name)
            specs.append({"tokens": st.tokens, "features": st.features, "low": st.low, "high": st.high, "file": name,
                          "sha256": sha256_file(tmp / name)})
        if specs:
            meta["cascade"] = dict(meta.get("cascade") or {}, stages=specs)
        entries = {}
        for name, (model, extra) in (submodels or {}).items():
            sub = BY_NAME[name]
            _dump(model, tmp / sub.file)
            entries[name] = {**(extra or {}), "file": sub.file, "sha256": sha256_file(tmp / sub.file),
                             "feature": sub.feature}
        meta = dict(meta, submodels=entries, schema_version=SCHEMA_VERSION)
        (tmp / META_FILE).write_text(json.dumps(meta, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    os.replace(tmp, out_dir)
    return out_dir
