"""What users import: :class:`Detector`, :class:`Score`, :class:`Verdict`.

>>> from detector import Detector          # cheap: nothing is loaded yet
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from os import PathLike
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator

import numpy as np

from . import policy
from .bands import Bands
from .cascade import MAX_FEATURE_CHARS  # noqa: F401  (part of the API)
from .errors import InputError, ModelError
from .language import Language
from .policy import DEFAULT_FPR
from .reasons import Reason
from .sentence_evidence import SentenceEvidence
from .spans import Span
from .text import ensure_text

MAX_REASONS = 5  # reason codes in ``Score.reasons`` and the pipelines' annotation (the strongest)


@dataclass(frozen=True)
class Score:
    """The detector's judgement on one text. Spans are offsets into the text as given.

    ``explanation`` lists the reasons (:mod:`detector.reasons`) whose evidence is unusual for human text,
    strongest first, each with its spans; ``reasons`` are their codes (at most :data:`MAX_REASONS`) and
    ``spans`` all their spans; ``sentences`` the sentences those spans fall in."""

    p_machine: float  # NaN (null in JSON) for not_english: no meaningful score exists
    verdict: str  # machine | clean | too_short | not_english
    threshold: float
    words: int
    reasons: tuple[str, ...]
    spans: tuple[Span, ...]
    hygiene_flags: tuple[str, ...]
    hygiene_spans: tuple[Span, ...]
    features: dict[str, float] = field(default_factory=dict, repr=False)
    language: Language | None = None  # None when the text is too short to tell
    lm_tokens: int = 0  # LM tokens the decision read: at most the budget, fewer for a shorter text (0: decided
    #                     on the handcrafted features alone)
    explanation: tuple[Reason, ...] = ()
    sentences: tuple[SentenceEvidence, ...] = ()

    @property
    def flagged(self) -> bool:
        return self.verdict == "machine"

    def annotation(self) -> dict[str, Any]:
        """The compact record annotation pipelines attach (the gate's ``detector`` field)."""
        return {"p_machine": _prob(self.p_machine), "verdict": self.verdict, "threshold": round(self.threshold, 6),
                "reasons": list(self.reasons), "hygiene": list(self.hygiene_flags)}

    def as_dict(self, text: str, with_features: bool = False) -> dict[str, Any]:
        out = {"p_machine": _prob(self.p_machine), "verdict": self.verdict, "threshold": round(self.threshold, 6),
               "words": self.words, "lm_tokens": self.lm_tokens,
               "language": self.language.as_dict() if self.language else None,
               "reasons": [r.as_dict(text) for r in self.explanation],
               "spans": [s.as_dict(text) for s in self.spans],
               "sentences": [s.as_dict() for s in self.sentences],
               "hygiene": {"flags": list(self.hygiene_flags), "spans": [s.as_dict(text) for s in self.hygiene_spans]}}
        if with_features:
            out["features"] = {k: (None if math.isnan(v) else v) for k, v in self.features.items()}
        return out


@dataclass(frozen=True)
class Verdict:
    """A pipeline decision (:func:`detector.policy.decide`): keep or not, the reason slug for it (``None`` for a
    clean text), the score (``None`` when the text could not be scored) and the score's reasons."""

    keep: bool
    score: Score | None
    reasons: tuple[str, ...]
    reason: str | None = None


class Detector:
    """Scores texts through the cascade (:mod:`detector.cascade`): a language check, the handcrafted features,
    then the LM only where needed.

    ``Detector()`` loads the shipped model; ``Detector(model_dir, fpr=0.001)`` another model or
    operating point; ``scorer=`` swaps the token scorer (tests use a fast fake). With ``cascade=True``
    (the default) a text leaves at the first stage of the model's cascade that is sure of it;
    ``cascade=False`` reads every text with the full LM budget. ``device`` is where the LM runs: ``auto``
    (the default: CUDA when torch sees a GPU, else the CPU), ``cpu``, ``cuda`` or ``cuda:N``; on CUDA its
    weights are bf16 and its statistics fp32 (:mod:`detector.lm.device`).
    """

    def __init__(self, model_dir: str | Path | None = None, fpr: float = DEFAULT_FPR, scorer=None,
                 threshold: float | None = None, threads: int | None = None, cascade: bool = True,
                 device: str | None = "auto"):
        from . import artifact
        from .lm import device as devices

        device = devices.check(device)

        if model_dir is not None and not isinstance(model_dir, (str, PathLike)):
            raise ModelError(f"model_dir must be a path to a model directory (str or Path), got {type(model_dir).__name__}")
        if threads is not None and (not isinstance(threads, int) or isinstance(threads, bool) or threads < 1):
            raise InputError(f"threads must be a whole number of at least 1 (or None for the default), got {threads!r}")
        if threshold is None:
            _number("fpr", fpr)
        self.artifact = artifact.load(model_dir)
        self.threshold = _number("threshold", threshold) if threshold is not None else self.artifact.threshold(fpr)
        if not 0.0 <= self.threshold <= 1.0:
            raise InputError(f"threshold must be within [0, 1], got {self.threshold}")
        self.min_words = self.artifact.min_words
        # thresholds by text length (detector.bands); a threshold the caller chose holds at every length
        self.bands = Bands.single(self.min_words, self.threshold) if threshold is not None else self.artifact.bands(fpr)
        self.max_tokens = self.artifact.max_tokens
        if scorer is None:
            from .lm import LMScorer

            if device.startswith("cuda"):  # asked for CUDA: say now if there is none, not at the first long text
                devices.resolve(device)

            scorer = LMScorer.for_model(self.artifact.meta["lm"], threads=threads, device=device)
        self.scorer = scorer
        self.early_exits = cascade

    def score(self, text: str, with_features: bool = False) -> Score:
        return self.score_many([text], with_features)[0]

    def score_many(self, texts: Iterable[str], with_features: bool = False) -> list[Score]:
        """Score each text. ``with_features`` also computes the LM features of texts that left the
        cascade early (for reporting only; their p_machine and verdict do not change)."""
        from . import cascade

        if isinstance(texts, (str, bytes, bytearray)):
            raise InputError("score_many takes a list of texts, not one text (it would score each character); "
                             "use score(text) for one, or score_many([text])")
        try:
            texts = [ensure_text(t) for t in texts]
        except TypeError:
            raise InputError(f"score_many takes a list of texts, got {type(texts).__name__}") from None
        decisions = cascade.run(texts, self.artifact, self.scorer, self.bands, self.early_exits, with_features)
        return [self._score(d, t) for d, t in zip(decisions, texts)]

    def filter(self, items: Iterable, text_of: Callable[[Any], Any] = lambda x: x, annotate_only: bool = False,
               batch_size: int = 16, keep_non_english: bool = False) -> Iterator[tuple[Any, Verdict]]:
        """Yield ``(item, Verdict)`` for every item, in order, kept or rejected by :mod:`detector.policy` (the
        rule of ``detect gate``): only ``clean`` texts are kept unless ``annotate_only``; ``not_english`` ones
        too with ``keep_non_english``. An item whose text is missing (``text_of`` finds none, or not a string),
        blank or not Unicode text gets a verdict with no score and the reason ``missing_text`` / ``empty_text``
        / ``decode_error`` instead of failing the batch."""
        if isinstance(items, (str, bytes, bytearray)) or not isinstance(items, Iterable):
            raise InputError(f"filter takes an iterable of records, got {type(items).__name__}")
        if not callable(text_of):
            raise InputError(f"text_of must be a function from a record to its text, got {type(text_of).__name__}")
        if not isinstance(batch_size, int) or isinstance(batch_size, bool) or batch_size < 1:
            raise InputError(f"batch_size must be a whole number of at least 1, got {batch_size!r}")
        batch: list = []
        for item in items:
            batch.append(item)
            if len(batch) >= batch_size:
                yield from self._decide(batch, text_of, annotate_only, keep_non_english)
                batch = []
        if batch:
            yield from self._decide(batch, text_of, annotate_only, keep_non_english)

    def _decide(self, batch, text_of, annotate_only, keep_non_english):
        values = [_text_of(text_of, i) for i in batch]
        problems = [policy.text_problem(v) for v in values]
        scores = iter(self.score_many([v for v, p in zip(values, problems) if p is None]))
        for item, problem in zip(batch, problems):
            score = next(scores) if problem is None else None
            outcome = policy.decide(score.verdict if score else policy.ERROR_VERDICT, annotate_only,
                                    keep_non_english, problem)
            yield item, Verdict(outcome.keep, score, score.reasons if score else (problem,), outcome.reason)

    def _score(self, d, text: str) -> Score:
        from .reasons import explain
        from .sentence_evidence import by_sentence

        if d.verdict == "not_english":
            found = tuple(Reason(c, math.nan, (), ()) for c in ("not_english", d.language.reason))
            return Score(math.nan, "not_english", self.threshold, d.words, tuple(r.code for r in found), (),
                         (), (), {}, d.language, 0, found)
        from .features import registry
        from .submodels import SPIN

        fams = {n: s.family for n, s in registry().items()}
        found = explain(self.artifact, d.stage, d.measured, d.floor)
        spans = tuple(sorted({s for r in found for s in r.spans}))
        hygiene = tuple(sorted({s for n, m in d.measured.items() if fams.get(n) == "hygiene" for s in m.spans}))
        names = list(registry()) + [f for f in self.artifact.features if f not in registry()]
        if SPIN.name in self.artifact.submodels:
            names.append(SPIN.feature)
        values = {name: d.measured[name].value if name in d.measured else math.nan for name in names}
        threshold = self.threshold if d.threshold is None else d.threshold  # the text's band's, if it has one
        return Score(d.p, d.verdict, threshold, d.words, tuple(r.code for r in found[:MAX_REASONS]), spans,
                     tuple(sorted({s.reason for s in hygiene})), hygiene, values, d.language, d.lm_tokens, found,
                     by_sentence(text, found))


def _text_of(text_of: Callable[[Any], Any], item) -> Any:
    """The record's text, or ``None`` (reason ``missing_text``) when ``text_of`` cannot find one in it."""
    try:
        return text_of(item)
    except (KeyError, IndexError, TypeError, AttributeError):
        return None


def _number(name: str, value) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float, np.floating, np.integer)) or math.isnan(value):
        raise InputError(f"{name} must be a number, got {value!r}")
    return float(value)


def _prob(p: float) -> float | None:
    return None if math.isnan(p) else round(p, 6)
