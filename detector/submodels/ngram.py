"""The n-gram sub-models: linear classifiers over hashed word unigrams and bigrams.

**Word n-gram model** (``word_ngram``, feature ``ngram.word_logit.v1``): a linear classifier over hashed word unigrams and bigrams.

It learns the word-choice and word-order habits machine translation leaves behind (for example, more
"of the" constructions) from the training corpus, costs a millisecond or two per article, and needs no LM. Its logit is one input of the main classifier (``ngram.word_logit.v1``) and of the
cascade's first stage. It is trained with the classifier (``make train``) and stored in the model
directory (``word_ngram.skops``, sha256-checked like the classifier). When its logit is unusual for human text the
reason ``machine_wording`` is listed (:mod:`detector.reasons`).

**Translation n-gram model** (``translation_ngram``, feature ``ngram.mt_logit.v1``): the same pipeline fitted
on MT against human translation only, with twice the hashed features and idf weights. The general model
learns machine against human over every kind, where round trips and spins dominate; fitted on the WMT
records alone (plus every other MT system's output of the train documents) it learns the habits that
separate system output from professional translation of the same sources (dev AUROC 0.845 against 0.708
for the general model; ``make train`` logs its dev figures). A model trained without WMT records has none.
"""
from __future__ import annotations

import numpy as np

from ..spans import Measured

N_FEATURES = 2 ** 18
MAX_CHARS = 50_000  # the prefix it reads, as the handcrafted features
TOKEN_PATTERN = r"(?u)\b\w+\b|[^\w\s]"


def make_model(C: float = 10.0, n_features: int = N_FEATURES, use_idf: bool = False):
    """The unfitted pipeline: hashed 1-2-grams, sublinear tf (times idf when ``use_idf``), l2 norm, balanced
    logistic regression."""
    from sklearn.feature_extraction.text import HashingVectorizer, TfidfTransformer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline

    return make_pipeline(
        HashingVectorizer(ngram_range=(1, 2), n_features=n_features, alternate_sign=False, lowercase=False,
                          norm=None, token_pattern=TOKEN_PATTERN),
        TfidfTransformer(sublinear_tf=True, use_idf=use_idf),
        LogisticRegression(C=C, max_iter=3000, class_weight="balanced"))


TRANSLATION_C_GRID = (3.0, 10.0, 30.0, 100.0)  # chosen on dev (training.ngram_fit.fit_translation)
TRANSLATION_N_FEATURES = 2 ** 19  # with idf weights: dev AUROC 0.812 -> 0.845 at C=30 (docs/eval/history.md)


def make_translation_model(C: float = 10.0):
    """The word n-gram pipeline with twice the hashed features (fewer collisions among the ~6,000 WMT
    training texts' n-grams) and idf weights (n-grams every text has count for less)."""
    return make_model(C, n_features=TRANSLATION_N_FEATURES, use_idf=True)


def logits(model, texts: list[str]) -> np.ndarray:
    return model.decision_function([t[:MAX_CHARS] for t in texts]) if texts else np.zeros(0)


def measure(model, text: str) -> Measured:
    """The logit, without spans: its heaviest word pairs are common ones ("of the", "in the") whose
    excess frequency is the signal, so they would make poor evidence to show."""
    return Measured(float(logits(model, [text])[0]))
