"""The translation n-gram model: the word n-gram model (:mod:`detector.ngram`) fitted on MT against human
translation only.

The general n-gram model learns machine against human over every kind, where round trips and spins
dominate. Fitted on the WMT records alone it learns the habits that separate system output from
professional translation of the same sources: dev AUROC 0.781 against 0.708 for the general model, test
0.735 against 0.690 (one-off comparison, session 13; ``make train`` logs its dev figures). On the bundled
corpus it also learns from every other MT system's output of the train documents (session 14,
``training.corpus.build.translation_extra``): dev 0.812, test 0.750 alone (shipped s14a). Its logit is
``ngram.mt_logit.v1``, stored as ``mt_ngram.joblib`` (sha256-checked). It needs no LM, so the cascade's
text-only stage reads it too. When it drives a ``machine`` verdict the reason is ``machine_wording``.
A model trained without WMT records has none.
"""
from __future__ import annotations

from .ngram import logits, make_model, measure  # noqa: F401  (same input, same linear model)

FEATURE = "ngram.mt_logit.v1"
FILE = "mt_ngram.joblib"
C_GRID = (3.0, 10.0, 30.0, 100.0)  # chosen on dev (training.ngram_fit.fit_translation)
