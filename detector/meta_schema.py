"""The shape of ``meta.json``, checked with JSON Schema before any value in it is used.

The schema (``resources/meta.schema.json``, draft 2020-12) lists every key the loader reads and the type
and range of each value: a tampered or hand-edited ``meta.json`` (a threshold that is not a number,
``min_words`` as a string, ``lm`` that is not an object, ...) is refused with one line naming the key,
instead of failing later inside scikit-learn or torch. Cross-references the schema cannot express (a
feature this version lacks, an evidence rule naming an unknown feature) are checked by
:func:`detector.artifact.check_features`.

>>> check_meta({"min_words": "x"}, "m/meta.json")  # doctest: +ELLIPSIS
Traceback (most recent call last):
...
detector.errors.ModelError: m/meta.json: ...
"""
from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path

from .errors import ModelError

SCHEMA_FILE = Path(__file__).parent / "resources" / "meta.schema.json"


@lru_cache(maxsize=1)
def _validator():
    from jsonschema import Draft202012Validator

    schema = json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema)


def required_keys() -> tuple[str, ...]:
    """The keys every ``meta.json`` must have."""
    return tuple(_validator().schema["required"])


def problem(meta) -> str | None:
    """The first thing wrong with ``meta`` as one line (``"key.sub: message"``), or ``None`` if it fits."""
    from jsonschema.exceptions import best_match

    errors = list(_validator().iter_errors(meta))
    missing = sorted(k for e in errors if e.validator == "required" and not e.absolute_path
                     for k in e.validator_value if isinstance(meta, dict) and k not in meta)
    if missing:
        return f"lacks {missing}"
    error = best_match(errors)
    if error is None:
        return None
    where = ".".join(str(p) for p in error.absolute_path) or "the top level"
    message = " ".join(error.message.split())
    if len(message) > 200:
        message = message[:197] + "..."
    return f"{where}: {message}"


def check_meta(meta, meta_path) -> None:
    """Raise :class:`ModelError` naming the first value of ``meta`` that does not fit the schema."""
    found = problem(meta)
    if found is not None:
        raise ModelError(f"{meta_path}: {found}; this is not a model make train wrote (tampered or hand-edited); "
                         "retrain with make train")
