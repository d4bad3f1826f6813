"""Convert an old model directory (schema 1 or 2: pickled ``.joblib`` files) into schema 3 (skops files).

    python -m training.convert_model OLD_DIR NEW_DIR

Convert only a model you trust (one you trained, or the one this package shipped): this is the one place
that unpickles a model file, and unpickling a file runs whatever code its author put in it. The sha256
values in ``meta.json`` only show that the files are the ones the directory was written with, not who
wrote it. Every file of the old directory is verified against its sha256 before anything is unpickled; the
fitted objects are written with skops into a new directory (never over an existing one), which must then
load as any model does (``detector.artifact.load``: trusted types only) and give bit-identical outputs to
the old objects on a few hundred random rows (and texts for the n-gram models), or nothing is written.

Schema 1 (two meta.json keys per sub-model) is read as schema 2 first (one ``submodels`` entry per
sub-model, a ``classifier`` entry with its file and sha256); its experiment keys (``ablation``) are dropped.
"""
from __future__ import annotations

import argparse
import json
import shutil
import sys
from pathlib import Path

import numpy as np

from detector import artifact
from detector.errors import DetectorError, ModelError
from detector.submodels import BY_NAME
from detector.submodels.spin import THESAURUS_INPUTS

OLD_SCHEMAS = (1, 2)
OLD_CLASSIFIER_FILE = "classifier.joblib"  # schema 1 named no classifier file: it was always this one
# schema-1 key of the file entry -> (schema-2 sub-model name, schema-1 key of its fitting facts)
OLD_SUBMODELS = {"ngram": ("word_ngram", None), "mt_ngram": ("translation_ngram", "translation_ngram"),
                 "hidden": ("hidden_probe", "hidden_probe"), "mt_probe": ("translation_probe", "translation_probe"),
                 "spin": ("spin_route", "spin_route")}
DROPPED = ("ablation",)
ENTRY_KEYS = ("file", "sha256", "feature")  # written anew by artifact.save
CHECK_ROWS = 300  # random rows (and texts) each converted object must score exactly as the old one


def schema_2_meta(meta: dict) -> dict:
    """A schema-1 ``meta.json`` as schema 2 (the same files under their old names)."""
    subs = {}
    for key, (name, facts) in OLD_SUBMODELS.items():
        if meta.get(key):
            sub = BY_NAME[name]
            extra = dict(meta.get(facts) or {})
            if name == "spin_route":
                extra.setdefault("inputs", list(THESAURUS_INPUTS))  # what routes without a list were fitted on
            elif extra:
                extra = {"fit": extra}
            entry = meta[key] if isinstance(meta[key], dict) else {}
            subs[name] = {**extra, "file": entry.get("file"), "sha256": entry.get("sha256"), "feature": sub.feature}
    drop = set(OLD_SUBMODELS) | {f for _, f in OLD_SUBMODELS.values() if f} | set(DROPPED) | {"classifier_sha256"}
    new_meta = {k: v for k, v in meta.items() if k not in drop}
    layers = (meta.get("hidden_probe") or {}).get("layers")
    if isinstance(meta.get("lm"), dict) and "hidden_layers" not in meta["lm"] and layers is not None:
        new_meta["lm"] = dict(meta["lm"], hidden_layers=layers)  # schema 1 kept its probe's layers there
    new_meta.update(schema_version=2, submodels=subs,
                    classifier={"kind": meta.get("classifier"), "file": OLD_CLASSIFIER_FILE,
                                "sha256": meta.get("classifier_sha256")})
    return new_meta


def _unpickle(file: Path):
    """Unpickle one old model file. Only :func:`convert` calls this, after the file's sha256 verified."""
    import joblib

    try:
        return joblib.load(file)
    except Exception as e:  # unpickling errors come in many types
        raise ModelError(f"could not read {file}: {' '.join(str(e).split())}") from None


def convert(old: Path, new: Path) -> Path:
    """Write the schema-3 directory ``new`` from the schema-1 or schema-2 directory ``old``: the same fitted
    objects (checked to score identically), stored with skops, with a schema-3 ``meta.json``."""
    old, new = Path(old), Path(new)
    try:
        meta = json.loads((old / artifact.META_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError, UnicodeDecodeError) as e:
        raise ModelError(f"cannot read {old / artifact.META_FILE}: {e}") from None
    version = meta.get("schema_version") if isinstance(meta, dict) else None
    if version not in OLD_SCHEMAS:
        raise ModelError(f"{old} has schema {version!r}; this converts schema 1 and 2 into {artifact.SCHEMA_VERSION}")
    if new.exists():
        raise ModelError(f"{new} exists; converting writes a new directory, never overwrites")
    if version == 1:
        meta = schema_2_meta(meta)
    artifact.check_features(meta)  # sub-model names, features, spin inputs: before anything is unpickled
    specs = artifact._stage_specs(meta, old)
    files = {"classifier": artifact._file_entry(old, "classifier", meta.get("classifier"))}
    files.update({f"stage{k}": artifact._file_entry(old, f"cascade stage {k}", s) for k, s in enumerate(specs)})
    subs = meta.get("submodels") or {}
    files.update({name: artifact._file_entry(old, f"submodels.{name}", e) for name, e in subs.items()})
    for file, sha in files.values():  # every file verifies before any is unpickled
        artifact._verify(file, sha)
    objects = {slot: _unpickle(file) for slot, (file, _) in files.items()}
    stages = [artifact.Stage(int(s["tokens"]), list(s["features"]), float(s["low"]), float(s["high"]),
                             objects[f"stage{k}"]) for k, s in enumerate(specs)]
    extras = {name: {k: v for k, v in entry.items() if k not in ENTRY_KEYS} for name, entry in subs.items()}
    new_meta = {k: v for k, v in meta.items() if k != "schema_version"}
    artifact.save(objects["classifier"], new_meta, new, stages, {n: (objects[n], extras[n]) for n in subs})
    try:
        art = artifact.load(new)  # the result must load as any model does: trusted types only
        loaded = {"classifier": art.classifier, **{f"stage{k}": st.classifier for k, st in enumerate(art.stages)},
                  **art.submodels}
        for slot, obj in objects.items():
            if not same_outputs(obj, loaded[slot], slot, meta):
                raise ModelError(f"{slot}: the converted model does not score exactly as the old one")
    except BaseException:
        shutil.rmtree(new, ignore_errors=True)
        raise
    return new


def same_outputs(old, new, slot: str, meta: dict, n: int = CHECK_ROWS, seed: int = 0) -> bool:
    """Whether ``old`` and ``new`` give bit-identical outputs on ``n`` random inputs of their slot: feature
    rows (some values missing) for the classifier and stages, texts for the n-gram models, vectors of the
    fitted width for the probes and the spin route."""
    rng = np.random.default_rng(seed)
    sub = BY_NAME.get(slot)
    if sub is None:  # the classifier or a stage: predict_proba over rows of its features
        X = rng.normal(size=(n, old.n_features_in_)) * rng.choice([0.1, 1.0, 10.0], size=(n, 1))
        X[rng.random(X.shape) < 0.05] = np.nan
        return np.array_equal(old.predict_proba(X), new.predict_proba(X))
    if sub.reads == "text":
        words = np.array("the of and to a in that is was he for it with as his on be at by I this had not are "
                         "but from or have an they which one you were her all she there would their we him been "
                         ", . ; \" ' ( ) talks ministry officials Monday said resume".split())
        texts = [" ".join(rng.choice(words, size=rng.integers(1, 200))) for _ in range(n)]
        return np.array_equal(old.decision_function(texts), new.decision_function(texts))
    X = rng.normal(size=(n, old.n_features_in_))
    return np.array_equal(old.decision_function(X), new.decision_function(X))


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(
        description="Convert a schema-1 or schema-2 model directory (pickled .joblib files) into schema 3 "
                    "(skops files). Convert only a model you trust: this unpickles the old files, and "
                    "unpickling runs any code a file's author put in it (the sha256 values in meta.json "
                    "only show the files are the ones the directory was written with).")
    ap.add_argument("old", type=Path, help="the old model directory (schema 1 or 2)")
    ap.add_argument("new", type=Path, help="the new directory to write (must not exist)")
    args = ap.parse_args(argv)
    try:
        out = convert(args.old, args.new)
    except (DetectorError, OSError, KeyError, TypeError, ValueError) as e:
        print(f"error: {' '.join(str(e).split())}", file=sys.stderr)
        return 2
    print(f"wrote {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
