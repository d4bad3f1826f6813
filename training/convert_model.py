"""Convert a schema-1 model directory (two meta.json keys per sub-model) into schema 2 (one ``submodels``
entry per sub-model, a ``classifier`` entry with its file and sha256).

    python -m training.convert_model OLD_DIR NEW_DIR

Every file of the old directory is verified against its old sha256 before anything is unpickled; the
fitted objects are written unchanged into a new directory (never over an existing one), so the converted
model scores exactly as the old one did. Schema-1 keys that described experiments (``ablation``) are
dropped.
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile
from pathlib import Path

from detector import artifact
from detector.errors import DetectorError, ModelError
from detector.submodels import BY_NAME
from detector.submodels.spin import THESAURUS_INPUTS

# schema-1 key of the file entry -> (schema-2 sub-model name, schema-1 key of its fitting facts)
OLD_SUBMODELS = {"ngram": ("word_ngram", None), "mt_ngram": ("translation_ngram", "translation_ngram"),
                 "hidden": ("hidden_probe", "hidden_probe"), "mt_probe": ("translation_probe", "translation_probe"),
                 "spin": ("spin_route", "spin_route")}
DROPPED = ("ablation",)


def convert(old: Path, new: Path) -> Path:
    """Write ``new`` from the schema-1 directory ``old``: the same files, byte for byte (so the same sha256
    values and model id), under their schema-2 names, with a schema-2 ``meta.json``."""
    meta = json.loads((old / artifact.META_FILE).read_text(encoding="utf-8"))
    if meta.get("schema_version") != 1:
        raise ModelError(f"{old} has schema {meta.get('schema_version')!r}; this converts schema 1 only")
    if new.exists():
        raise ModelError(f"{new} exists; converting writes a new directory, never overwrites")
    stages = (meta.get("cascade") or {}).get("stages", [])
    copies = {artifact.CLASSIFIER_FILE: (old / artifact.CLASSIFIER_FILE, meta["classifier_sha256"])}
    copies.update({s["file"]: (old / s["file"], s["sha256"]) for s in stages})
    subs = {}
    for key, (name, facts) in OLD_SUBMODELS.items():
        if meta.get(key):
            sub = BY_NAME[name]
            copies[sub.file] = (old / meta[key]["file"], meta[key]["sha256"])
            extra = dict(meta.get(facts) or {})
            if name == "spin_route":
                extra.setdefault("inputs", list(THESAURUS_INPUTS))  # what routes without a list were fitted on
            elif extra:
                extra = {"fit": extra}
            subs[name] = {**extra, "file": sub.file, "sha256": meta[key]["sha256"], "feature": sub.feature}
    for src, sha in copies.values():
        artifact._verify(src, sha)
    drop = set(OLD_SUBMODELS) | {f for _, f in OLD_SUBMODELS.values() if f} | set(DROPPED) | {"classifier_sha256"}
    new_meta = {k: v for k, v in meta.items() if k not in drop}
    layers = (meta.get("hidden_probe") or {}).get("layers")
    if isinstance(meta.get("lm"), dict) and "hidden_layers" not in meta["lm"] and layers is not None:
        new_meta["lm"] = dict(meta["lm"], hidden_layers=layers)  # schema 1 kept its probe's layers there
    new_meta.update(schema_version=artifact.SCHEMA_VERSION, submodels=subs,
                    classifier={"kind": meta["classifier"], "file": artifact.CLASSIFIER_FILE,
                                "sha256": meta["classifier_sha256"]})
    new.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(dir=new.parent, prefix=".tmp-model-"))
    for name, (src, _) in copies.items():
        shutil.copyfile(src, tmp / name)
    (tmp / artifact.META_FILE).write_text(json.dumps(new_meta, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    os.replace(tmp, new)
    artifact.load(new)  # the result must load and verify
    return new


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description="Convert a schema-1 model directory to schema 2.")
    ap.add_argument("old", type=Path)
    ap.add_argument("new", type=Path)
    args = ap.parse_args(argv)
    try:
        out = convert(args.old, args.new)
    except (DetectorError, OSError, KeyError, ValueError) as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    print(f"wrote {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
