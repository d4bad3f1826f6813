"""What the engine adapters share: the detector settings they ship to workers, and one decision per record.

Which records are kept is decided by :mod:`detector.policy`, as for every entry point. A record whose text
is missing (``None``, not a string) or blank is not scored: it gets verdict ``error`` and the reason
``missing_text`` or ``empty_text`` instead of raising, so that one bad row cannot fail a whole shard.
"""
from __future__ import annotations

import json
import math
from dataclasses import dataclass
from typing import Any, Callable

from .. import policy
from ..errors import DetectorError


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
    fake scorer class); ``None`` means the real language model, on ``device`` (``auto``: CUDA when the
    worker sees a GPU, else the CPU).
    """

    model_dir: str | None = None
    fpr: float = policy.DEFAULT_FPR
    threshold: float | None = None
    scorer_factory: Callable[[], Any] | None = None
    device: str = "auto"

    def __post_init__(self):
        from ..lm.device import check

        object.__setattr__(self, "device", check(self.device))  # a typo fails where the step is built

    def load(self):
        from ..api import Detector

        scorer = self.scorer_factory() if self.scorer_factory is not None else None
        return Detector(self.model_dir, fpr=self.fpr, scorer=scorer, threshold=self.threshold, device=self.device)


class LoadsDetector:
    """A pipeline step that builds its :class:`~detector.api.Detector` from ``self.settings`` on first use,
    in the process that runs it, and never pickles a loaded one (not to workers, not into a cache hash)."""

    _detector = None

    @property
    def detector(self):
        """The :class:`~detector.api.Detector`, loaded on first use in this process."""
        if self._detector is None:
            self._detector = self.settings.load()
        return self._detector

    def __getstate__(self) -> dict[str, Any]:
        state = self.__dict__.copy()
        state["_detector"] = None
        return state


@dataclass(frozen=True)
class Decision:
    """One record's outcome: ``reason`` is ``""`` when kept; ``p_machine`` is NaN for errors."""

    keep: bool
    reason: str
    verdict: str  # machine | clean | too_short | error
    p_machine: float
    annotation: dict[str, Any]  # JSON-serialisable; None for p_machine on errors


def decide_batch(detector, values: list[Any], annotate_only: bool = False,
                 keep_non_english: bool = False) -> list[Decision]:
    """Decide every value with :meth:`Detector.filter <detector.api.Detector.filter>` (so by
    :mod:`detector.policy`, as ``detect gate`` does): one ``score_many`` call for the good values, an error
    decision in place for the bad ones."""
    verdicts = detector.filter(values, annotate_only=annotate_only, batch_size=max(1, len(values)),
                               keep_non_english=keep_non_english)
    return [_decision(v, detector.threshold) for _, v in verdicts]


def decision_columns(decisions: list[Decision]) -> dict[str, list]:
    """The columns a dataset engine adds, one value per decision (Ray and Hugging Face ``datasets`` alike):
    ``p_machine`` (NaN when not scored or not English), ``verdict``, ``keep``, ``reason`` (``""`` when kept)
    and ``detector`` (the annotation as JSON text)."""
    return {
        "p_machine": [math.nan if d.p_machine is None else float(d.p_machine) for d in decisions],
        "verdict": [d.verdict for d in decisions],
        "keep": [bool(d.keep) for d in decisions],
        "reason": [d.reason for d in decisions],
        "detector": [json.dumps(d.annotation) for d in decisions],
    }


def _decision(v, threshold: float) -> Decision:
    reason = "" if v.keep else v.reason
    if v.score is None:
        return Decision(v.keep, reason, policy.ERROR_VERDICT, math.nan, policy.error_annotation(v.reasons[0], threshold))
    return Decision(v.keep, reason, v.score.verdict, v.score.p_machine, v.score.annotation())
