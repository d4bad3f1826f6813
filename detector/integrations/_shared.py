"""What the engine adapters share: the detector settings they ship to workers, and one decision per record.

A record whose text is missing (``None``, not a string) or blank is not scored: it gets verdict
``error`` and the reason ``missing_text`` or ``empty_text`` instead of raising, so that one bad row
cannot fail a whole shard.

>>> text_problem(None), text_problem("  "), text_problem("Talks ended.")
('missing_text', 'empty_text', None)
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Callable

from ..errors import DetectorError

MACHINE_REASON = "machine_translated"  # why a flagged record is dropped
ERROR_VERDICT = "error"


class MissingExtraError(DetectorError, ImportError):
    """An optional integration's engine is not installed."""


def missing_extra(package: str, extra: str) -> MissingExtraError:
    """The error for an engine that is not installed, naming the extra that installs it."""
    return MissingExtraError(f"{package} is not installed, and detector.integrations.{extra} needs it; "
                             f"install it with: pip install 'detector[{extra}]'")


@dataclass(frozen=True)
class DetectorSettings:
    """Everything needed to build a :class:`~detector.api.Detector` on a worker; cheap to pickle.

    ``scorer_factory`` is a picklable zero-argument callable returning a token scorer (tests pass a
    fake scorer class); ``None`` means the real language model.
    """

    model_dir: str | None = None
    fpr: float = 0.01
    threshold: float | None = None
    scorer_factory: Callable[[], Any] | None = None

    def load(self):
        from ..api import Detector

        scorer = self.scorer_factory() if self.scorer_factory is not None else None
        return Detector(self.model_dir, fpr=self.fpr, scorer=scorer, threshold=self.threshold)


@dataclass(frozen=True)
class Decision:
    """One record's outcome: ``reason`` is ``""`` when kept; ``p_machine`` is NaN for errors."""

    keep: bool
    reason: str
    verdict: str  # machine | clean | too_short | error
    p_machine: float
    annotation: dict[str, Any]  # JSON-serialisable; None for p_machine on errors


def text_problem(value: Any) -> str | None:
    """The reason slug a value cannot be scored as text, or ``None`` if it can."""
    if not isinstance(value, str):
        return "missing_text"
    if not value.strip():
        return "empty_text"
    if any("\ud800" <= c <= "\udfff" for c in value):
        return "decode_error"  # a lone surrogate: not Unicode text (the gate's reason for the same)
    return None


def decide_batch(detector, values: list[Any], annotate_only: bool = False) -> list[Decision]:
    """Score the good values in one ``score_many`` call; bad values get an error decision, in place."""
    problems = [text_problem(v) for v in values]
    scores = iter(detector.score_many([str(v) for v, p in zip(values, problems) if p is None]))
    return [_scored(next(scores), annotate_only) if p is None else _failed(p, detector.threshold, annotate_only)
            for p in problems]


def _scored(score, annotate_only: bool) -> Decision:
    keep = annotate_only or score.verdict == "clean"  # the same rule as detect gate: too_short is rejected
    reason = "" if keep else (MACHINE_REASON if score.flagged else score.verdict)
    return Decision(keep, reason, score.verdict, score.p_machine, score.annotation())


def _failed(problem: str, threshold: float, annotate_only: bool) -> Decision:
    annotation = {"p_machine": None, "verdict": ERROR_VERDICT, "threshold": round(threshold, 6),
                  "reasons": [problem], "hygiene": []}
    return Decision(annotate_only, "" if annotate_only else problem, ERROR_VERDICT, math.nan, annotation)
