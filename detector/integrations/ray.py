"""A callable class for Ray Data's ``map_batches``: score every row, never drop one.

Needs ``pip install 'detector[ray]'``. Each actor builds the detector (and loads its language model)
once, in ``__init__``; every batch then goes through one ``Detector.score_many`` call::

    import ray
    from detector.integrations.ray import DetectorBatchScorer, split_kept_rejected

    scored = ray.data.read_json("crawl/").map_batches(
        DetectorBatchScorer,
        fn_constructor_kwargs={"fpr": 0.01, "text_column": "text"},
        batch_size=64,
        concurrency=2,                     # actors, each with its own model
    ).materialize()                        # score once, then split
    kept, rejected = split_kept_rejected(scored)
    kept.write_json("kept/")
    rejected.write_json("rejected/")

Added columns, one value per input row (rows in == rows out):

- ``p_machine``: float in [0, 1]; NaN when the row could not be scored.
- ``verdict``: ``machine`` | ``clean`` | ``too_short`` | ``error``.
- ``keep``: bool; False for flagged and too-short rows and for errors, unless ``annotate_only``.
- ``reason``: ``""`` when kept, else ``machine_translated``, ``too_short``, ``missing_text`` (null or not a string)
  or ``empty_text`` (blank).
- ``detector``: the JSON text of ``Score.annotation()`` (for errors: ``p_machine`` null, the reason in
  ``reasons``).

Batches may be ``dict[str, numpy.ndarray]`` (Ray's default) or a pandas DataFrame
(``batch_format="pandas"``). Each actor reserves one CPU: leave one for Ray's read tasks, or pass
``num_cpus=0.5`` when running as many actors as cores. This module does not import Ray itself.
"""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Callable

import numpy as np

from ..errors import InputError
from ..policy import DEFAULT_FPR
from ._shared import DetectorSettings, decide_batch


class DetectorBatchScorer:
    """Score the ``text_column`` of each batch and add ``p_machine``, ``verdict``, ``keep``, ``reason``,
    ``detector`` columns. Arguments as for :class:`~detector.api.Detector`, plus ``scorer_factory``: a
    picklable zero-argument callable returning a token scorer (``None`` is the real LM)."""

    def __init__(self, model_dir: str | Path | None = None, fpr: float = DEFAULT_FPR, threshold: float | None = None,
                 text_column: str = "text", annotate_only: bool = False,
                 scorer_factory: Callable[[], Any] | None = None, keep_non_english: bool = False):
        settings = DetectorSettings(None if model_dir is None else str(model_dir), fpr, threshold, scorer_factory)
        self.detector = settings.load()
        self.text_column = text_column
        self.annotate_only = annotate_only
        self.keep_non_english = keep_non_english

    def __call__(self, batch):
        if hasattr(batch, "assign") and hasattr(batch, "columns"):  # a pandas DataFrame
            return batch.assign(**self._columns(self._texts(batch, list(batch.columns))))
        if isinstance(batch, dict):
            return {**batch, **self._columns(self._texts(batch, list(batch)))}
        raise InputError(f"expected a batch as dict[str, numpy.ndarray] or pandas.DataFrame, got "
                         f"{type(batch).__name__}; pass batch_format='numpy' or 'pandas' to map_batches")

    def _texts(self, batch, columns: list[str]) -> list[Any]:
        if self.text_column not in columns:
            raise InputError(f"no text column {self.text_column!r} in the batch; columns are {columns}; "
                             f"pass text_column=... in fn_constructor_kwargs")
        return list(batch[self.text_column])

    def _columns(self, texts: list[Any]) -> dict[str, np.ndarray]:
        decisions = decide_batch(self.detector, texts, self.annotate_only, self.keep_non_english)
        return {
            "p_machine": np.array([d.p_machine for d in decisions], dtype=np.float64),
            "verdict": np.array([d.verdict for d in decisions], dtype=object),
            "keep": np.array([d.keep for d in decisions], dtype=bool),
            "reason": np.array([d.reason for d in decisions], dtype=object),
            "detector": np.array([json.dumps(d.annotation) for d in decisions], dtype=object),
        }


def split_kept_rejected(ds):
    """``(kept, rejected)``: the rows of a scored Ray dataset with ``keep`` true, and the others."""
    return ds.filter(_is_kept), ds.filter(_is_rejected)


def _is_kept(row: dict[str, Any]) -> bool:
    return bool(row["keep"])


def _is_rejected(row: dict[str, Any]) -> bool:
    return not row["keep"]
