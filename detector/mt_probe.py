"""The translation probe: the hidden-state probe's linear model, fitted on MT against human translation only.

The hidden-state probe (:mod:`detector.hidden`) learns machine against human over every kind, and round
trips and spins dominate what it learns. Fitted on the WMT records alone (system output against
professional translations of the same sources), the same mean hidden states rank MT above human
translation better: dev 0.740 against 0.663 for the general probe at the same C (one-off comparison,
session 13; ``make train`` logs its own). Its logit is the feature ``lm.mt_logit.v1``, stored as
``mt_probe.joblib`` (sha256-checked); like the general probe it reads the full LM budget and has no spans.
A model trained without WMT records has no translation probe.
"""
from __future__ import annotations

from .hidden import logits, make_model, measure, vector  # noqa: F401  (same input, same linear model)

FEATURE = "lm.mt_logit.v1"
FILE = "mt_probe.joblib"
KINDS = ("mt", "human_translation")  # the training rows: machine translation (1) against human (0)
