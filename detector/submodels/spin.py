"""The spin route: an article spinner's thesaurus swaps as evidence of their own.

The classifier weighs every feature against every machine kind at once, so a human translation that
reads like machine translation can outscore a spun article whose only tell is two or three swapped
words. Swaps a language model would undo by many nats (``lm.synonym_*``, :mod:`detector.features.lm.thesaurus`)
are rare in human writing of any kind, so they get a route of their own: a small logistic regression
on those and on the LM's generic signs of a swapped word (:data:`GENERIC_INPUTS`: the probes only know
WordNet's synonyms), fitted on train (spun vs human texts; ``make train``), gives ``q``, the probability that a text was spun,
and the final probability is the noisy-OR ``1 - (1 - p)(1 - q)`` of the classifier's ``p`` and ``q``.
It applies where the LM read the full budget (the last cascade stage); the model directory stores it as
``spin_route.skops`` (sha256-checked), and its inputs in ``meta.json``. Its reasons are the ``synonym_swap``
spans.
"""
from __future__ import annotations

import numpy as np

# The thesaurus probes (WordNet) and, since the probes miss a spinner with another thesaurus, the LM's
# generic signs of a swapped word: content-word spikes and odd collocations, whatever the thesaurus.
THESAURUS_INPUTS = ("lm.synonym_gap_top3.v1", "lm.synonym_gap_max.v1", "lm.synonym_swaps.v1", "lm.synonym_swap_rate.v1")
GENERIC_INPUTS = ("lm.spike_rate.v1", "lm.collocation_odd.v1", "lm.std_nll.v1", "lm.nll_top5_mean.v1",
                  "lm.rank_over1000.v1", "lm.nll_p95.v1", "lm.sentence_max_nll.v1")
INPUTS = THESAURUS_INPUTS + GENERIC_INPUTS  # what make train fits the route on; a model lists its own in meta
C = 0.1  # chosen on dev spun vs human (0.991 at 0.1, 0.990 at 1.0)


def inputs(entry: dict) -> list[str]:
    """The route's input features, as its ``meta.json`` entry (``submodels.spin_route``) lists them (the
    artifact's loader checks the list is there)."""
    return list(entry["inputs"])


def make_model():
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    return make_pipeline(StandardScaler(), LogisticRegression(C=C, max_iter=2000))


def _clean(X: np.ndarray) -> np.ndarray:
    return np.nan_to_num(np.asarray(X, np.float64), nan=0.0, posinf=0.0, neginf=0.0)


def fit(X: np.ndarray, spun: np.ndarray):
    """Fit on rows of the route's inputs (:data:`INPUTS`) for spun (1) and human (0) texts."""
    return make_model().fit(_clean(X), np.asarray(spun, int))


def probability(model, X: np.ndarray) -> np.ndarray:
    """q for each row of ``X`` (the same for a row alone as inside any batch)."""
    from scipy.special import expit

    from .probe import logits

    return expit(logits(model, _clean(X))) if len(X) else np.zeros(0)


def combine(p: np.ndarray, q: np.ndarray) -> np.ndarray:
    """Noisy-OR of two probabilities.

    >>> combine(np.array([0.0, 0.5, 0.9]), np.array([0.0, 0.5, 0.0])).tolist()
    [0.0, 0.75, 0.9]
    """
    return 1.0 - (1.0 - np.asarray(p, np.float64)) * (1.0 - np.asarray(q, np.float64))
