"""The fitted sub-models whose outputs are features, in ONE table that the artifact and the cascade loop over.

Each entry names the sub-model (its key under ``submodels`` in ``meta.json`` and its file,
``<name>.skops``), the feature its output fills, and what it reads:

- ``text``: the text itself (the n-gram models; no LM, so the cascade's first stage can use them);
- ``lm``: the LM's token scores (the hidden-state probes; only where the LM read the full budget);
- ``route``: the final model's feature row (the spin route: combined with the classifier's probability in
  the cascade's last stage, reported as a feature, never a classifier input).

Adding a sub-model is one row here, its fitting in ``training/``, and nothing else.

>>> [s.name for s in TABLE]
['word_ngram', 'translation_ngram', 'hidden_probe', 'translation_probe', 'spin_route']
>>> by_feature("ngram.mt_logit.v1").name
'translation_ngram'
"""
from __future__ import annotations

import importlib
import math
from dataclasses import dataclass

from ..spans import Measured


@dataclass(frozen=True)
class SubModel:
    name: str  # key in meta.json "submodels"; its file is <name>.skops
    feature: str  # the feature its output fills
    reads: str  # "text" | "lm" | "route"
    kind: str  # the module of detector.submodels that implements it: ngram | probe | spin

    @property
    def file(self) -> str:
        return f"{self.name}.skops"

    def module(self):
        return importlib.import_module(f"{__name__}.{self.kind}")

    def measure(self, model, text: str, scores=None) -> Measured:
        """This sub-model's output for one text (``scores``: the LM's token scores, for ``lm`` readers)."""
        if self.reads == "text":
            return self.module().measure(model, text)
        if self.reads == "lm":
            return self.module().measure(model, scores) if scores is not None else Measured(math.nan)
        raise ValueError(f"{self.name} reads the final feature row; the cascade applies it")


TABLE = (
    SubModel("word_ngram", "ngram.word_logit.v1", "text", "ngram"),
    SubModel("translation_ngram", "ngram.mt_logit.v1", "text", "ngram"),
    SubModel("hidden_probe", "lm.hidden_logit.v1", "lm", "probe"),
    SubModel("translation_probe", "lm.mt_logit.v1", "lm", "probe"),
    SubModel("spin_route", "lm.spin_probability.v1", "route", "spin"),
)
BY_NAME = {s.name: s for s in TABLE}
SPIN = BY_NAME["spin_route"]


def by_feature(feature: str) -> SubModel:
    return next(s for s in TABLE if s.feature == feature)


def features() -> list[str]:
    """Every feature a sub-model can fill (the classifier inputs among them and the spin route's report)."""
    return [s.feature for s in TABLE]
