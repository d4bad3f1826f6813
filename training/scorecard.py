"""The end of ``make train``: the new model's held-out figures beside the shipped model's.

Both columns are the ``metrics`` each model's ``meta.json`` stores (dev and test, TPR and FPR at the
model's own 1% operating point). A figure is only comparable where both were measured on the same
records, which the ``training_data`` hashes tell; the table says when they were not.
"""
from __future__ import annotations

import json

HELD_OUT = ("test", "dev")


def shipped_meta() -> dict | None:
    """The shipped model's ``meta.json``, or None when it cannot be read."""
    from detector.artifact import default_model_dir

    try:
        return json.loads((default_model_dir() / "meta.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def _cell(metrics: dict | None, key: str) -> str:
    if metrics is None or key not in metrics:
        return "-"
    value = metrics[key]
    return "n/a" if value is None else f"{value:.4f}" if isinstance(value, float) else str(value)


def _same_records(new: dict, shipped: dict, split: str) -> bool:
    a, b = (m.get("training_data", {}).get(split, {}).get("sha256") for m in (new, shipped))
    return a is not None and a == b


def scorecard(new: dict, shipped: dict | None) -> str:
    """A plain-text table: one row per held-out figure, the new model's and the shipped model's columns.

    >>> new = {"metrics": {"test": {"n": 3, "auroc_all": 0.9}}, "training_data": {"test": {"sha256": "a"}}}
    >>> print(scorecard(new, {"metrics": {"test": {"n": 5, "auroc_all": 0.95, "tpr_mt": 0.5}},
    ...                       "training_data": {"test": {"sha256": "b"}}}))
    held-out figure   new model   shipped model
    test n                    3               5
    test auroc_all       0.9000          0.9500
    test tpr_mt               -          0.5000
    note: the two test columns were measured on different records (3 and 5): not a like-for-like comparison
    """
    rows = [("held-out figure", "new model", "shipped model")]
    notes = []
    for split in HELD_OUT:
        mine = new.get("metrics", {}).get(split)
        theirs = (shipped or {}).get("metrics", {}).get(split)
        keys = list(mine or {}) + [k for k in (theirs or {}) if k not in (mine or {})]
        keys.sort(key=lambda k: k != "n")  # the number of records first, then each model's own order
        rows += [(f"{split} {k}", _cell(mine, k), _cell(theirs, k)) for k in keys]
        if keys and shipped is not None and not _same_records(new, shipped, split):
            notes.append(f"note: the two {split} columns were measured on different records "
                         f"({_cell(mine, 'n')} and {_cell(theirs, 'n')}): not a like-for-like comparison")
    if shipped is None:
        notes.append("note: the shipped model's meta.json could not be read")
    width = [max(len(r[i]) for r in rows) for i in range(3)]
    lines = [f"{a:<{width[0]}}   {b:>{width[1]}}   {c:>{width[2]}}".rstrip() for a, b, c in rows]
    return "\n".join(lines + notes)

