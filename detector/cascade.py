"""The cascade: ONE path from texts to decisions, used by the Python API, the CLI, ``detect gate``, the
pipeline integrations and ``make eval``/``make bench``.

The stages, in order, cheapest first:

1. **language**: a text that is clearly not English gets verdict ``not_english`` and no score;
2. **text features**: the registered text-only features and the sub-models that read text (n-gram models);
3. **evidence rule**: several different kinds of artifact set a floor on p_machine (:func:`evidence_floor`);
4. **early exit**: each of the model's early stages (``meta.json`` cascade.stages) lets a text leave when it
   is sure; a text under ``min_words`` leaves at the first stage as ``too_short`` (the LM never reads it);
5. **LM**: the token scorer reads the remaining texts up to the model's budget; the LM features and the
   sub-models that read token scores (hidden-state probes) are computed;
6. **final combination**: the classifier over every feature, the spin route's noisy-OR
   (:mod:`detector.submodels.spin`), the evidence floor, then the verdict at the threshold.

Everything here is computed first and decided afterwards; nothing is printed.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from .spans import Measured

MAX_FEATURE_CHARS = 50_000  # handcrafted features read this prefix (~8,000 words); the LM reads its own budget
VERDICTS = ("machine", "clean", "too_short", "not_english")


@dataclass
class Decision:
    """One text's way through the cascade."""

    p: float  # p_machine; NaN for not_english (no meaningful score exists)
    verdict: str  # machine | clean | too_short | not_english
    words: int
    language: Any  # detector.language.Language, or None when the text is too short to tell
    lm_tokens: int = 0  # LM tokens the decision read (0: decided without the LM)
    stage: Any = None  # the artifact Stage that decided (None for not_english)
    measured: dict[str, Measured] | None = None  # every feature computed on the way, with spans
    floor: float = 0.0  # the evidence rule's floor on p (0: none)
    threshold: float | None = None  # the threshold of the text's length band (None: too_short, abstained)


def verdict(p: float, words: int, min_words: int, threshold: float | None) -> str:
    """The verdict for a score: too_short under ``min_words`` whatever p is, or where the text's length band
    has no threshold (``None``: the model abstains at that length), else machine at p >= threshold.

    >>> verdict(0.99, 10, 30, 0.9), verdict(0.99, 40, 30, 0.9), verdict(0.2, 40, 30, 0.9), verdict(0.99, 40, 30, None)
    ('too_short', 'machine', 'clean', 'too_short')
    """
    if words < min_words or threshold is None:
        return "too_short"
    return "machine" if p >= threshold else "clean"


def evidence_floor(rule: dict | None, value: float) -> float:
    """The p_machine floor the evidence rule sets for a text whose rule feature is ``value`` (0 if none).

    Several *different* kinds of artifact in one text (stray punctuation, a detached period, a swapped
    title ...) almost never occur in human text, but a linear model adds them up with the other features
    and lets a human-looking vocabulary outvote them. The rule (fitted in ``training/evidence_rule.py``)
    takes the larger of the two.

    >>> rule = {"feature": "evidence.kinds_hit.v1", "at_least": 3, "p_machine": 0.99}
    >>> evidence_floor(rule, 3.0), evidence_floor(rule, 2.0), evidence_floor(rule, math.nan), evidence_floor(None, 5.0)
    (0.99, 0.0, 0.0, 0.0)
    """
    if not rule or value != value or value < rule["at_least"]:
        return 0.0
    return float(rule["p_machine"])


def measure(artifact, text: str, scores=None) -> dict[str, Measured]:
    """The features of one cascade step: without ``scores`` the text-only features and the sub-models that
    read text; with the LM's token ``scores`` the LM features and the sub-models that read token scores."""
    from . import submodels
    from .features import compute, registry

    lm = scores is not None
    out = compute(text[:MAX_FEATURE_CHARS], scores, only=[n for n, s in registry().items() if s.needs_lm == lm])
    for sub in submodels.TABLE:
        model = artifact.submodels.get(sub.name)
        if model is not None and sub.reads == ("lm" if lm else "text"):
            out[sub.feature] = sub.measure(model, text, scores)
    return out


def row(measured: dict[str, Measured], names: list[str]) -> np.ndarray:
    """One feature row in the order of ``names`` (NaN where a feature was not computed)."""
    return np.array([[measured[f].value if f in measured else math.nan for f in names]], dtype=float)


def final_combination(artifact, p: np.ndarray, X: np.ndarray) -> tuple[np.ndarray, np.ndarray | None]:
    """The classifier's probabilities ``p`` on the full model's rows ``X`` combined with the spin route (a
    noisy-OR), and the route's own probabilities (None when the model has no spin route)."""
    from .submodels import SPIN, spin

    model = artifact.submodels.get(SPIN.name)
    if model is None:
        return p, None
    cols = [artifact.features.index(f) for f in spin.inputs(artifact.meta["submodels"][SPIN.name])]
    q = spin.probability(model, np.asarray(X)[:, cols])
    return spin.combine(p, q), q


def run(texts: list[str], artifact, scorer, threshold, early_exits: bool = True,
        with_features: bool = False) -> list[Decision]:
    """Decide every text against ``threshold``: one number for every length, or :class:`detector.bands.Bands`
    (a threshold per length band; a band without one abstains, and its texts leave unread by the LM).
    ``early_exits=False`` sends every (English, long enough) text to the full model; ``with_features`` also
    computes the LM features of texts decided without the full LM budget (for reporting only: their p and
    verdict do not change)."""
    from .bands import Bands
    from .language import check
    from .text import word_count

    bands = threshold if isinstance(threshold, Bands) else Bands.single(artifact.min_words, threshold)
    langs = [check(t) for t in texts]
    words = [word_count(t) for t in texts]
    out: list[Decision | None] = [None] * len(texts)
    todo = []
    for i, lang in enumerate(langs):
        if lang is not None and not lang.english:
            out[i] = Decision(math.nan, "not_english", words[i], lang)
        else:
            todo.append(i)
    measured = {i: measure(artifact, texts[i]) for i in todo}
    rule = artifact.meta.get("evidence_rule")
    floor = {i: evidence_floor(rule, measured[i][rule["feature"]].value) if rule else 0.0 for i in todo}
    final = artifact.final_stage()
    stages = (artifact.stages if early_exits else []) + [final]
    read = dict.fromkeys(todo, 0)  # LM tokens scored so far per text (the budget, or the whole text if shorter)
    for stage in stages:
        pending = [i for i in todo if out[i] is None]
        if not pending:
            break
        if stage.tokens:
            for i, ts in zip(pending, scorer.score_many([texts[i] for i in pending], max_tokens=stage.tokens)):
                measured[i].update(measure(artifact, texts[i], ts))
                read[i] = len(ts)
        X = np.vstack([row(measured[i], stage.features) for i in pending])
        ps = stage.predict_proba(X)  # one call per batch
        if stage is final:
            ps, q = final_combination(artifact, ps, X)
            if q is not None:  # the spin route's probability is reported among the features
                from .submodels import SPIN

                for i, value in zip(pending, q):
                    measured[i][SPIN.feature] = Measured(float(value))
        for i, p in zip(pending, np.clip(ps, 0.0, 1.0)):
            p = max(float(p), floor[i])
            t = bands.threshold(words[i])
            if stage is final or stage.exits(p) or words[i] < artifact.min_words or t is None:
                out[i] = Decision(p, verdict(p, words[i], artifact.min_words, t), words[i], langs[i],
                                  read[i], stage, measured[i], floor[i], t)
    if with_features:
        _report_lm_features(artifact, scorer, texts, [i for i in todo if out[i].stage.tokens < final.tokens], measured)
    return out  # type: ignore[return-value]


def _report_lm_features(artifact, scorer, texts: list[str], early: list[int], measured: dict) -> None:
    if early:
        for i, ts in zip(early, scorer.score_many([texts[i] for i in early])):
            measured[i].update(measure(artifact, texts[i], ts))
