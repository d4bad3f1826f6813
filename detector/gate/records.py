"""One JSON-lines record through the gate: parse the raw line, then say where it goes and with what.

A kept record is its input line, byte for byte, with ``, "detector": {...}`` inserted before the
closing brace (:func:`detector.gate.jsonl.splice`); only trailing whitespace and the line break are
normalised (to ``\\n``), and a UTF-8 byte-order mark on line 1 is dropped. The ``detector`` object is
``Score.annotation()`` plus ``model``; a record that could not be scored gets ``p_machine`` null,
verdict ``error`` and its reason in ``reasons`` (the same shape as :mod:`detector.integrations`).

A rejected record is its line with ``detector`` and a top-level ``reason`` inserted the same way. A
line that cannot carry them is wrapped instead: ``{"reason", "line" (1-based), "id" (when the record
has one), "detector" (when scored), "original" (the line as text) or "original_b64" (its raw bytes,
for ``decode_error``)}``, the line without its line break; an id number too large for a float (``1e999``) is written
as its source text, a string, so the rejects stay JSON. Which records are kept is decided by
:mod:`detector.policy`, as for every entry point. Reason slugs, stable and part of the API:

- ``machine_translated``: verdict ``machine`` (machine-translated, round-tripped or spun).
- ``too_short``: fewer words than the model needs; kept, annotated, with ``annotate_only``.
- ``not_english``: verdict ``not_english``; kept, annotated, with ``keep_non_english``.
- ``decode_error``: the line is not UTF-8, or the text holds an escaped lone surrogate (``\\ud800``,
  which no UTF-8 text can hold).
- ``invalid_json``: not one JSON object (malformed, an array or a scalar, or a blank line), or one
  using ``NaN``/``Infinity``, which are not JSON (strict readers refuse the line, Python's reads it).
- ``duplicate_key``: the object names a top-level key twice, so readers disagree on its value (most
  take the last, some the first): it is not scored on a text another reader would not see.
- ``field_conflict``: the record already has a ``detector`` field; it is not scored, so nothing is
  silently overwritten.
- ``missing_text``: the text field is absent or not a string.
- ``empty_text``: the text field is blank.

With ``annotate_only`` nothing is dropped: scored records and records without usable text go to the
output annotated; lines that cannot carry an annotation go to the rejects file if there is one,
otherwise to the output unchanged.
"""
from __future__ import annotations

import base64
import json
import math
from dataclasses import dataclass
from typing import Any

from .. import policy
from ..policy import error_annotation, text_problem  # noqa: F401  (the gate's names for them)
from .jsonl import splice

FIELD, REASON = "detector", "reason"
OUTPUT, REJECTS = "output", "rejects"
_BOM = b"\xef\xbb\xbf"


@dataclass(frozen=True)
class Record:
    """A parsed input line. ``problem`` is the reason slug it cannot be scored, else ``text`` is set."""

    line: int
    raw: bytes
    problem: str | None = None
    text: str | None = None
    id: Any = None
    has_id: bool = False
    is_object: bool = False  # the line holds one JSON object (so it can carry an annotation)
    empty: bool = False  # the object is {}
    has_reason: bool = False  # a top-level "reason" is taken, so a rejection must be wrapped


@dataclass(frozen=True)
class Routed:
    """Where a record goes (``output`` or ``rejects``), the bytes to write, and its reason slug if any."""

    dest: str
    data: bytes
    reason: str | None


def parse(line: int, raw: bytes, text_field: str = "text", id_field: str = "id") -> Record:
    """Classify one raw input line.

    >>> parse(1, b'{"id": 7, "text": ""}').problem, parse(2, b'[1]').problem, parse(3, b'\\xff').problem
    ('empty_text', 'invalid_json', 'decode_error')
    """
    if line == 1 and raw.startswith(_BOM):
        raw = raw[len(_BOM):]
    try:
        obj = _DECODER.decode(raw.decode("utf-8"))
    except UnicodeDecodeError:
        return Record(line, raw, "decode_error")
    except (ValueError, RecursionError):
        return Record(line, raw, "invalid_json")
    if not isinstance(obj, dict):
        return Record(line, raw, "invalid_json")
    facts = dict(id=obj.get(id_field), has_id=id_field in obj, is_object=True, empty=not obj,
                 has_reason=REASON in obj)
    if isinstance(obj, _Repeated):
        return Record(line, raw, "duplicate_key", **facts)
    if FIELD in obj:
        return Record(line, raw, "field_conflict", **facts)
    text = obj.get(text_field)
    problem = text_problem(text)
    return Record(line, raw, problem, text if problem is None else None, **facts)


class _Repeated(dict):
    """An object that named a key twice (``json`` keeps the last value)."""


class SourceNumber(str):
    """A JSON number no float can hold (``1e999``), kept as its source text."""


def _object(pairs: list[tuple[str, Any]]) -> dict:
    obj = dict(pairs)
    return obj if len(obj) == len(pairs) else _Repeated(obj)


def _number(text: str) -> float | SourceNumber:
    value = float(text)
    return value if math.isfinite(value) else SourceNumber(text)


def _not_json(name: str):
    raise ValueError(f"{name} is not JSON")


_DECODER = json.JSONDecoder(object_pairs_hook=_object, parse_float=_number, parse_constant=_not_json)


def route(record: Record, annotation: dict[str, Any] | None, annotate_only: bool, has_rejects: bool,
          keep_non_english: bool = False) -> Routed:
    """Decide one record. ``annotation`` is the ``detector`` object: the score's, or an error annotation
    for records without usable text; ``None`` for lines that cannot carry one."""
    problem = record.problem
    if not record.is_object or problem in ("field_conflict", "duplicate_key"):
        if annotate_only and not has_rejects:
            return Routed(OUTPUT, record.raw if record.raw.endswith(b"\n") else record.raw + b"\n", problem)
        return Routed(REJECTS, _wrapped(record, problem), problem)
    if problem is not None:
        if annotate_only:
            return Routed(OUTPUT, splice(record.raw, [(FIELD, annotation)], record.empty), problem)
        return Routed(REJECTS, _wrapped(record, problem), problem)
    outcome = policy.decide(annotation["verdict"], annotate_only, keep_non_english)
    reason = outcome.reason
    if outcome.keep:
        return Routed(OUTPUT, splice(record.raw, [(FIELD, annotation)], record.empty), reason)
    if record.has_reason:
        return Routed(REJECTS, _wrapped(record, reason, annotation), reason)
    return Routed(REJECTS, splice(record.raw, [(FIELD, annotation), (REASON, reason)], record.empty), reason)


def route_batch(records: list[Record], results, threshold: float, model_id: str | None, annotate_only: bool,
                has_rejects: bool, keep_non_english: bool = False) -> list[tuple[Routed, str]]:
    """Route every record of a batch: ``results`` holds ``(verdict, annotation)`` of the records without a
    problem, in order. Returns ``(routed, verdict)`` per record (verdict ``error`` for records not scored).
    ``detect gate`` and the Ray integration both write what this returns."""
    scored = iter(results)
    out = []
    for record in records:
        if record.problem is None:
            verdict, annotation = next(scored)
            if model_id is not None:
                annotation = {**annotation, "model": model_id}
        else:
            verdict, annotation = policy.ERROR_VERDICT, error_annotation(record.problem, threshold, model_id)
        out.append((route(record, annotation, annotate_only, has_rejects, keep_non_english), verdict))
    return out


def _wrapped(record: Record, reason: str, annotation: dict[str, Any] | None = None) -> bytes:
    out: dict[str, Any] = {"reason": reason, "line": record.line}
    if record.has_id:
        out["id"] = record.id
    if annotation is not None:
        out[FIELD] = annotation
    line = record.raw.removesuffix(b"\n").removesuffix(b"\r")
    if record.problem == "decode_error" and not _is_utf8(line):
        out["original_b64"] = base64.b64encode(line).decode("ascii")
    else:
        out["original"] = line.decode("utf-8")
    # backslashreplace: an id read as a lone surrogate is written back as read (NaN cannot be read)
    return json.dumps(out, ensure_ascii=False, allow_nan=False).encode("utf-8", "backslashreplace") + b"\n"


def _is_utf8(raw: bytes) -> bool:
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True
