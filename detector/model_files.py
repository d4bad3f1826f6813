"""The fitted-model files of a model directory: skops files that may name only :data:`TRUSTED_TYPES`.

Reading one never unpickles and never runs code from it: the types its schema names are audited first
(:func:`untrusted_types`: skops's own audit and every node of the schema), skops then builds it with only
those types trusted (:func:`read`), and the object is checked against the slot it fills
(:func:`check_slot`: the classifier, a cascade stage or a sub-model; gradient-boosted trees in bounds).
:func:`dump` refuses to write what :func:`read` would refuse. :mod:`detector.artifact` verifies every
file's sha256 before any of this.
"""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from .errors import ModelError

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
                         "a model directory stores every fitted model with skops") from None
    return sorted(named - set(TRUSTED_TYPES))


def refuse_untrusted(file: Path) -> None:
    bad = untrusted_types(file)
    if bad:
        raise ModelError(f"{file} names types this version does not trust: {bad}; refusing to load it "
                         "(a model file may hold only the types in detector.model_files.TRUSTED_TYPES)")


def read(file: Path):
    """The object in ``file``, built by skops with only :data:`TRUSTED_TYPES` trusted (never unpickled)."""
    import skops.io as sio

    try:
        return sio.load(file, trusted=list(TRUSTED_TYPES))
    except Exception as e:  # skops and numpy raise many types for a damaged file
        raise ModelError(f"could not read {file}: {_one_line(e)}") from None


def check_slot(obj, file: Path, slot: str, need):
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


def dump(obj, file: Path) -> None:
    """Write ``obj`` with skops (deflated), and refuse a type ``load`` would refuse (a new estimator in
    training needs reviewing into :data:`TRUSTED_TYPES` first)."""
    import zipfile

    import skops.io as sio

    sio.dump(obj, file, compression=zipfile.ZIP_DEFLATED, compresslevel=6)
    bad = untrusted_types(file)
    if bad:
        raise ModelError(f"{file.name} would hold types detector.model_files.TRUSTED_TYPES does not list: {bad}; "
                         "review them and add them there first")
