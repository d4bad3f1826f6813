"""What happens to a record, decided once for every entry point: ``detect gate``, ``Detector.filter``, the
datatrove step and the Ray and ``datasets`` scorers all call :func:`decide` (and :func:`text_problem` first).

A quality gate for English ingestion keeps only ``clean`` texts. Reason slugs, stable and part of the API:

- ``machine_translated``: verdict ``machine`` (machine-translated, round-tripped or spun);
- ``too_short``: fewer words than the model needs to decide;
- ``not_english``: verdict ``not_english``; kept instead with ``keep_non_english`` (``--keep-non-english``),
  for pipelines that route other languages elsewhere themselves;
- the reasons a value cannot be scored at all (verdict ``error``): ``missing_text`` (absent or not a
  string), ``empty_text`` (blank), ``decode_error`` (not Unicode text: a lone surrogate). The gate adds
  ``invalid_json``, ``duplicate_key`` and ``field_conflict`` for lines it cannot read as one record
  (:mod:`detector.gate.records`).

``annotate_only`` keeps everything (the reason is still reported).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

DEFAULT_FPR = 0.01  # the default operating point: a stored threshold's target false-positive rate
MACHINE_REASON = "machine_translated"
TOO_SHORT, NOT_ENGLISH = "too_short", "not_english"
ERROR_VERDICT = "error"
TEXT_PROBLEMS = ("missing_text", "empty_text", "decode_error")


@dataclass(frozen=True)
class Outcome:
    """Keep the record or not, and the reason slug (``None`` for a clean text)."""

    keep: bool
    reason: str | None


def text_problem(value: Any) -> str | None:
    """The reason slug a value cannot be scored as text, or ``None`` if it can.

    >>> text_problem(None), text_problem(" \\n"), text_problem("\\ud800"), text_problem("Talks ended.")
    ('missing_text', 'empty_text', 'decode_error', None)
    """
    if not isinstance(value, str):
        return "missing_text"
    if not value.strip():
        return "empty_text"
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return "decode_error"
    return None


def reason_for(verdict: str) -> str | None:
    """The reason slug of a verdict (``None`` for ``clean``).

    >>> [reason_for(v) for v in ("clean", "machine", "too_short", "not_english")]
    [None, 'machine_translated', 'too_short', 'not_english']
    """
    if verdict == "machine":
        return MACHINE_REASON
    return None if verdict == "clean" else verdict


def decide(verdict: str, annotate_only: bool = False, keep_non_english: bool = False,
           problem: str | None = None) -> Outcome:
    """Keep or reject a record scored with ``verdict``, or one whose text has ``problem`` (verdict ``error``).

    >>> decide("clean"), decide("machine"), decide("not_english")
    (Outcome(keep=True, reason=None), Outcome(keep=False, reason='machine_translated'), Outcome(keep=False, reason='not_english'))
    >>> decide("not_english", keep_non_english=True), decide("too_short", annotate_only=True)
    (Outcome(keep=True, reason='not_english'), Outcome(keep=True, reason='too_short'))
    >>> decide("error", problem="empty_text")
    Outcome(keep=False, reason='empty_text')
    """
    reason = problem if problem is not None else reason_for(verdict)
    keep = (annotate_only or reason is None
            or (keep_non_english and problem is None and verdict == NOT_ENGLISH))
    return Outcome(keep, reason)


def error_annotation(problem: str, threshold: float, model: str | None = None) -> dict[str, Any]:
    """The ``detector`` annotation of a record that could not be scored (the shape of ``Score.annotation()``)."""
    out = {"p_machine": None, "verdict": ERROR_VERDICT, "threshold": round(threshold, 6), "reasons": [problem],
           "hygiene": []}
    if model is not None:
        out["model"] = model
    return out
