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
from .language import Language
from .measure import Measured, Span
from .text import ensure_text, word_count

FAMILY_REASONS = {"lm": "lm_surprisal", "punct": "punctuation_damage", "names": "name_title_inconsistency",
                  "lexical": "unidiomatic_wording", "ngram": "machine_wording"}
MAX_REASONS = 5
MAX_FEATURE_CHARS = 50_000  # handcrafted features read this prefix (~8,000 words); the LM reads its own budget


@dataclass(frozen=True)
class Score:
    """The detector's judgement on one text. Spans are offsets into the text as given."""

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
               "language": self.language.as_dict() if self.language else None, "reasons": list(self.reasons),
               "spans": [s.as_dict(text) for s in self.spans],
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
    """Scores texts: a language check, the handcrafted features, then the LM only where needed.

    ``Detector()`` loads the shipped model; ``Detector(model_dir, fpr=0.001)`` another model or
    operating point; ``scorer=`` swaps the token scorer (tests use a fast fake). With ``cascade=True``
    (the default) a text leaves at the first stage of the model's cascade that is sure of it (cheap
    features only, then a short LM prefix); ``cascade=False`` reads every text with the full LM budget.
    """

    def __init__(self, model_dir: str | Path | None = None, fpr: float = 0.01, scorer=None,
                 threshold: float | None = None, threads: int | None = None, cascade: bool = True):
        from . import model

        self.artifact = model.load(model_dir)
        self.threshold = float(threshold) if threshold is not None else self.artifact.threshold(fpr)
        if not 0.0 <= self.threshold <= 1.0:
            raise InputError(f"threshold must be within [0, 1], got {self.threshold}")
        self.min_words = int(self.artifact.meta["min_words"])
        self.max_tokens = int(self.artifact.meta["lm"]["max_tokens"])
        if scorer is None:
            from .lm import LMScorer

            scorer = LMScorer.for_model(self.artifact.meta["lm"], threads=threads)
        self.scorer = scorer
        final = model.Stage(self.max_tokens, self.artifact.features, 1.0, 0.0, self.artifact.classifier)
        self.stages = (self.artifact.stages if cascade else []) + [final]  # the last stage always decides

    def score(self, text: str, with_features: bool = False) -> Score:
        return self.score_many([text], with_features)[0]

    def score_many(self, texts: Iterable[str], with_features: bool = False) -> list[Score]:
        """Score each text. ``with_features`` also computes the LM features of texts that left the
        cascade early (for reporting only; their p_machine and verdict do not change)."""
        from .language import check

        texts = [ensure_text(t) for t in texts]
        langs = [check(t) for t in texts]
        words = [word_count(t) for t in texts]
        todo = [i for i, lang in enumerate(langs) if lang is None or lang.english]
        short = {i for i in todo if words[i] < self.min_words}  # too_short whatever p is: the first stage
        #                                                        decides, so the LM never reads them
        measured = {i: self._measure(texts[i], None) for i in todo}
        decided: dict[int, tuple[float, int, Any]] = {}  # text -> (p, LM tokens read, stage)
        read = dict.fromkeys(todo, 0)  # LM tokens scored so far per text (the budget or the whole text, if shorter)
        for stage in self.stages:
            pending = [i for i in todo if i not in decided]
            if not pending:
                break
            if stage.tokens:
                for i, ts in zip(pending, self.scorer.score_many([texts[i] for i in pending], max_tokens=stage.tokens)):
                    measured[i].update(self._measure(texts[i], ts))
                    read[i] = len(ts)
            rows = np.vstack([self._row(measured[i], stage.features) for i in pending])
            ps = stage.predict_proba(rows)  # one call per batch
            if stage is self.stages[-1]:
                q = self.artifact.spin_probability(rows)
                ps = self.artifact.spin_route(ps, rows, q)
                self._report_spin(pending, q, measured)
            for i, p in zip(pending, np.clip(ps, 0.0, 1.0)):
                p = max(float(p), self._evidence_floor(measured[i]))
                if stage is self.stages[-1] or stage.exits(p) or i in short:
                    decided[i] = (p, read[i], stage)
        if with_features:
            early = [i for i in todo if decided[i][2].tokens < self.max_tokens]
            for i, ts in zip(early, self.scorer.score_many([texts[i] for i in early]) if early else []):
                measured[i].update(self._measure(texts[i], ts))
        return [self._judge(words[i], measured[i], *decided[i], langs[i]) if i in decided
                else self._foreign(words[i], langs[i]) for i in range(len(texts))]

    def filter(self, items: Iterable, text_of: Callable[[Any], str] = lambda x: x, annotate_only: bool = False,
               batch_size: int = 16) -> Iterator[tuple[Any, Verdict]]:
        """Yield ``(item, Verdict)`` for every item, in order; ``keep`` is False for flagged, too-short and
        non-English items (as in ``detect gate``) unless ``annotate_only``."""
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

    def _measure(self, text: str, token_scores) -> dict[str, Measured]:
        """The LM features (given token scores) or else the text-only ones, with the sub-models' logits
        (the n-gram models' from the text, the hidden-state probes' from the token scores)."""
        from . import hidden, mt_ngram, mt_probe, ngram
        from .features import compute, registry

        names = [n for n, spec in registry().items() if spec.needs_lm == (token_scores is not None)]
        out = compute(text[:MAX_FEATURE_CHARS], token_scores, only=names)
        if token_scores is None and self.artifact.ngram is not None:
            out[ngram.FEATURE] = ngram.measure(self.artifact.ngram, text)
        if token_scores is None and self.artifact.mt_ngram is not None:
            out[mt_ngram.FEATURE] = mt_ngram.measure(self.artifact.mt_ngram, text)
        if token_scores is not None and self.artifact.hidden is not None:
            out[hidden.FEATURE] = hidden.measure(self.artifact.hidden, token_scores)
        if token_scores is not None and self.artifact.mt_probe is not None:
            out[mt_probe.FEATURE] = mt_probe.measure(self.artifact.mt_probe, token_scores)
        return out

    @staticmethod
    def _report_spin(pending: list[int], q: np.ndarray | None, measured: dict) -> None:
        """Record the spin route's probability among each text's features (reporting only)."""
        if q is None:
            return
        from .spin import FEATURE

        for i, value in zip(pending, q):
            measured[i][FEATURE] = Measured(float(value))

    @staticmethod
    def _row(measured: dict[str, Measured], names: list[str]) -> np.ndarray:
        return np.array([[measured[f].value if f in measured else math.nan for f in names]], dtype=float)

    def _evidence_floor(self, measured: dict[str, Measured]) -> float:
        rule = self.artifact.meta.get("evidence_rule")
        return self.artifact.evidence_floor(measured[rule["feature"]].value) if rule else 0.0

    def _judge(self, words: int, measured: dict[str, Measured], p: float, tokens: int, stage, language) -> Score:
        from .features import registry

        verdict = "too_short" if words < self.min_words else ("machine" if p >= self.threshold else "clean")
        fams = {n: s.family for n, s in registry().items()}
        spans = _spans(measured, fams, evidence=True)
        hygiene = _spans(measured, fams, evidence=False)
        pushes = self._family_push(self._row(measured, stage.features), p, stage) if verdict == "machine" else []
        names = list(registry()) + [f for f in self.artifact.features if f not in registry()]
        if self.artifact.spin is not None:
            from .spin import FEATURE as SPIN

            names.append(SPIN)
        values = {name: measured[name].value if name in measured else math.nan for name in names}
        return Score(p, verdict, self.threshold, words, _reasons(spans, pushes), spans,
                     tuple(sorted({s.reason for s in hygiene})), hygiene, values, language, tokens)

    def _foreign(self, words: int, language) -> Score:
        return Score(math.nan, "not_english", self.threshold, words, ("not_english", language.reason), (),
                     (), (), {}, language, 0)

    def _family_push(self, x: np.ndarray, p: float, stage) -> list[tuple[float, str]]:
        """How much p_machine falls when each family's features are reset to their training medians."""
        medians = self.artifact.meta.get("feature_medians", {})
        variants, reasons = [], []
        for fam, reason in FAMILY_REASONS.items():
            cols = [i for i, f in enumerate(stage.features) if f.startswith(fam + ".")]
            if not cols:
                continue
            x2 = x.copy()
            for i in cols:
                x2[0, i] = medians.get(stage.features[i], math.nan)
            variants.append(x2)
            reasons.append(reason)
        if not variants:
            return []
        pushed = stage.predict_proba(np.vstack(variants))  # one call for every family
        return sorted(((p - float(q), r) for q, r in zip(pushed, reasons)), reverse=True)


def _prob(p: float) -> float | None:
    return None if math.isnan(p) else round(p, 6)


def _spans(measured: dict[str, Measured], families: dict[str, str], evidence: bool) -> tuple[Span, ...]:
    keep = {s for name, m in measured.items() if (families.get(name) != "hygiene") == evidence for s in m.spans}
    return tuple(sorted(keep))


def _reasons(spans: tuple[Span, ...], pushes: list[tuple[float, str]]) -> tuple[str, ...]:
    counts: dict[str, int] = {}
    for s in spans:
        counts[s.reason] = counts.get(s.reason, 0) + 1
    ranked = sorted(counts, key=lambda r: -counts[r])
    ranked += [r for push, r in pushes if push > 0.05 and r not in ranked]
    return tuple(ranked[:MAX_REASONS])
