"""The word n-gram model: a linear classifier over hashed word unigrams and bigrams.

It learns the word-choice and word-order habits machine translation leaves behind (for example, more
"of the" constructions) from the training corpus, costs a millisecond or two per article, and needs no LM. Its logit is one input of the main classifier (``ngram.word_logit.v1``) and of the
cascade's first stage. It is trained with the classifier (``make train``) and stored in the model
directory (``ngram.joblib``, sha256-checked like the classifier). When it drives a ``machine`` verdict
the reason is ``machine_wording``.
"""
from __future__ import annotations

import numpy as np

from .measure import Measured

FEATURE = "ngram.word_logit.v1"
FILE = "ngram.joblib"
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


def logits(model, texts: list[str]) -> np.ndarray:
    return model.decision_function([t[:MAX_CHARS] for t in texts]) if texts else np.zeros(0)


def measure(model, text: str) -> Measured:
    """The logit, without spans: its heaviest word pairs are common ones ("of the", "in the") whose
    excess frequency is the signal, so they would make poor evidence to show."""
    return Measured(float(logits(model, [text])[0]))
