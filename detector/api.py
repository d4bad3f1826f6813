"""What users import: :class:`Detector`, :class:`Score`, :class:`Verdict`.

>>> from detector import Detector          # cheap: nothing is loaded yet
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator

import numpy as np

from .errors import InputError
from .measure import Measured, Span
from .text import ensure_text, word_count

FAMILY_REASONS = {"lm": "lm_surprisal", "punct": "punctuation_damage", "names": "name_title_inconsistency",
                  "lexical": "unidiomatic_wording"}
MAX_REASONS = 5
MAX_FEATURE_CHARS = 50_000  # handcrafted features read this prefix (~8,000 words); the LM reads its own budget


@dataclass(frozen=True)
class Score:
    """The detector's judgement on one text. Spans are offsets into the text as given."""

    p_machine: float
    verdict: str  # machine | clean | too_short
    threshold: float
    words: int
    reasons: tuple[str, ...]
    spans: tuple[Span, ...]
    hygiene_flags: tuple[str, ...]
    hygiene_spans: tuple[Span, ...]
    features: dict[str, float] = field(default_factory=dict, repr=False)

    @property
    def flagged(self) -> bool:
        return self.verdict == "machine"

    def annotation(self) -> dict[str, Any]:
        """The compact record annotation pipelines attach (the gate's ``detector`` field)."""
        return {"p_machine": round(self.p_machine, 6), "verdict": self.verdict, "threshold": round(self.threshold, 6),
                "reasons": list(self.reasons), "hygiene": list(self.hygiene_flags)}

    def as_dict(self, text: str, with_features: bool = False) -> dict[str, Any]:
        out = {"p_machine": round(self.p_machine, 6), "verdict": self.verdict, "threshold": round(self.threshold, 6),
               "words": self.words, "reasons": list(self.reasons), "spans": [s.as_dict(text) for s in self.spans],
               "hygiene": {"flags": list(self.hygiene_flags), "spans": [s.as_dict(text) for s in self.hygiene_spans]}}
        if with_features:
            out["features"] = {k: (None if math.isnan(v) else v) for k, v in self.features.items()}
        return out


@dataclass(frozen=True)
class Verdict:
    """A pipeline decision: keep or not, with the score and the reasons."""

    keep: bool
    score: Score
    reasons: tuple[str, ...]


class Detector:
    """Scores texts with the LM scorer, the handcrafted features and the fitted classifier.

    ``Detector()`` loads the shipped model; ``Detector(model_dir, fpr=0.001)`` another model or
    operating point; ``scorer=`` swaps the token scorer (tests use a fast fake).
    """

    def __init__(self, model_dir: str | Path | None = None, fpr: float = 0.01, scorer=None,
                 threshold: float | None = None, threads: int | None = None):
        from . import model

        self.artifact = model.load(model_dir)
        self.threshold = float(threshold) if threshold is not None else self.artifact.threshold(fpr)
        if not 0.0 <= self.threshold <= 1.0:
            raise InputError(f"threshold must be within [0, 1], got {self.threshold}")
        self.min_words = int(self.artifact.meta["min_words"])
        if scorer is None:
            from .lm import LMScorer

            scorer = LMScorer(max_tokens=int(self.artifact.meta["lm"]["max_tokens"]), threads=threads)
        self.scorer = scorer

    def score(self, text: str) -> Score:
        return self.score_many([text])[0]

    def score_many(self, texts: Iterable[str]) -> list[Score]:
        texts = [ensure_text(t) for t in texts]
        token_scores = self.scorer.score_many(texts) if texts else []
        return [self._judge(t, s) for t, s in zip(texts, token_scores)]

    def filter(self, items: Iterable, text_of: Callable[[Any], str] = lambda x: x, annotate_only: bool = False,
               batch_size: int = 16) -> Iterator[tuple[Any, Verdict]]:
        """Yield ``(item, Verdict)`` for every item, in order; ``keep`` is False for flagged and
        too-short items (as in ``detect gate``) unless ``annotate_only``."""
        batch: list = []
        for item in items:
            batch.append(item)
            if len(batch) >= batch_size:
                yield from self._decide(batch, text_of, annotate_only)
                batch = []
        if batch:
            yield from self._decide(batch, text_of, annotate_only)

    def _decide(self, batch, text_of, annotate_only):
        for item, score in zip(batch, self.score_many([text_of(i) for i in batch])):
            yield item, Verdict(annotate_only or score.verdict == "clean", score, score.reasons)

    def _judge(self, text: str, token_scores) -> Score:
        from .features import compute, registry

        measured = compute(text[:MAX_FEATURE_CHARS], token_scores)
        values = {name: m.value for name, m in measured.items()}
        x = np.array([[values.get(f, math.nan) for f in self.artifact.features]], dtype=float)
        p = float(np.clip(self.artifact.predict_proba(x)[0], 0.0, 1.0))
        words = word_count(text)
        verdict = "too_short" if words < self.min_words else ("machine" if p >= self.threshold else "clean")
        fams = {n: s.family for n, s in registry().items()}
        spans = _spans(measured, fams, evidence=True)
        hygiene = _spans(measured, fams, evidence=False)
        reasons = _reasons(spans, self._family_push(x, p) if verdict == "machine" else [])
        return Score(p, verdict, self.threshold, words, reasons, spans,
                     tuple(sorted({s.reason for s in hygiene})), hygiene, values)

    def _family_push(self, x: np.ndarray, p: float) -> list[tuple[float, str]]:
        """How much p_machine falls when each family's features are reset to their training medians."""
        medians = self.artifact.meta.get("feature_medians", {})
        out = []
        for fam, reason in FAMILY_REASONS.items():
            cols = [i for i, f in enumerate(self.artifact.features) if f.startswith(fam + ".")]
            if not cols:
                continue
            x2 = x.copy()
            for i in cols:
                x2[0, i] = medians.get(self.artifact.features[i], math.nan)
            out.append((p - float(self.artifact.predict_proba(x2)[0]), reason))
        return sorted(out, reverse=True)


def _spans(measured: dict[str, Measured], families: dict[str, str], evidence: bool) -> tuple[Span, ...]:
    keep = {s for name, m in measured.items() if (families[name] != "hygiene") == evidence for s in m.spans}
    return tuple(sorted(keep))


def _reasons(spans: tuple[Span, ...], pushes: list[tuple[float, str]]) -> tuple[str, ...]:
    counts: dict[str, int] = {}
    for s in spans:
        counts[s.reason] = counts.get(s.reason, 0) + 1
    ranked = sorted(counts, key=lambda r: -counts[r])
    ranked += [r for push, r in pushes if push > 0.05 and r not in ranked]
    return tuple(ranked[:MAX_REASONS])
