"""Hugging Face ``datasets``: score a text column with ``Dataset.map(..., batched=True)``, then filter on ``keep``.

Needs ``pip install 'detector[datasets]'``. The keep/reject decision is :mod:`detector.policy`'s, as for
``detect gate``, datatrove and Ray; the columns are those of the Ray scorer::

    from datasets import load_dataset
    from detector.integrations.hf import DetectorBatchScorer, split_kept_rejected

    ds = load_dataset("json", data_files="crawl/*.jsonl", split="train")
    scored = ds.map(DetectorBatchScorer(fpr=0.01), batched=True, batch_size=64)   # every row comes out
    kept, rejected = split_kept_rejected(scored)                                     # Dataset.filter on keep

It adds, one value per row: ``p_machine`` (float; NaN when the row could not be scored or is not English),
``verdict`` (``machine`` | ``clean`` | ``too_short`` | ``not_english`` | ``error``), ``keep`` (bool),
``reason`` (``""`` when kept, else ``machine_translated``, ``too_short``, ``not_english``, ``missing_text``
or ``empty_text``) and ``detector`` (the JSON text of ``Score.annotation()``). A row whose text is missing
(``None``, not a string) or blank is not scored: verdict ``error`` with its reason, never an exception.

The detector (and its LM) loads on the first batch, once per process, and is never pickled: with
``num_proc=N`` each of the N processes loads it once. ``datasets`` caches ``map`` results under a hash of
the scorer, which holds its settings and the model's ``meta.json`` hash, so a retrained model or another
threshold is never served from a stale cache. This module does not import ``datasets`` at all.
"""
from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any, Callable

from ..errors import InputError
from ..policy import DEFAULT_FPR
from ._shared import DetectorSettings, LoadsDetector, decide_batch, decision_columns

COLUMNS = ("p_machine", "verdict", "keep", "reason", "detector")


class DetectorBatchScorer(LoadsDetector):
    """A ``Dataset.map(..., batched=True)`` function: the new columns ``p_machine``, ``verdict``, ``keep``,
    ``reason``, ``detector`` for the ``text_column`` of each batch. Arguments as for
    :class:`~detector.api.Detector`, plus ``scorer_factory`` (a picklable zero-argument callable returning a
    token scorer; ``None`` is the real LM) and ``device``."""

    def __init__(self, model_dir: str | Path | None = None, fpr: float = DEFAULT_FPR, threshold: float | None = None,
                 text_column: str = "text", annotate_only: bool = False,
                 scorer_factory: Callable[[], Any] | None = None, keep_non_english: bool = False,
                 device: str = "auto"):
        self.settings = DetectorSettings(None if model_dir is None else str(model_dir), fpr, threshold,
                                         scorer_factory, device)
        self.model = _model_hash(self.settings.model_dir)
        self.text_column = text_column
        self.annotate_only = annotate_only
        self.keep_non_english = keep_non_english

    def __call__(self, batch) -> dict[str, list]:
        columns = list(batch.keys())
        if self.text_column not in columns:
            raise InputError(f"no text column {self.text_column!r} in the dataset; columns are {columns}; "
                             f"pass text_column=...")
        taken = [c for c in COLUMNS if c in columns]
        if taken:
            raise InputError(f"the dataset already has the columns {taken} that the detector adds; nothing is "
                             f"overwritten: drop them first with ds.remove_columns({taken})")
        texts = batch[self.text_column]
        if texts is None or isinstance(texts, (str, bytes)) or not hasattr(texts, "__len__"):
            raise InputError("expected a batch (a column of texts), got one row; "
                             "call Dataset.map(scorer, batched=True)")
        return decision_columns(decide_batch(self.detector, list(texts), self.annotate_only,
                                             self.keep_non_english))


def score(ds, *, batch_size: int = 64, num_proc: int | None = None, **detector_kwargs):
    """``ds`` (a ``datasets.Dataset`` or ``IterableDataset`` with a text column) with the detector's columns
    added, scored ``batch_size`` rows at a time (in ``num_proc`` processes, each loading the model once).
    ``detector_kwargs``: those of :class:`DetectorBatchScorer`."""
    extra = {} if num_proc is None else {"num_proc": num_proc}
    return ds.map(DetectorBatchScorer(**detector_kwargs), batched=True, batch_size=batch_size, **extra)


def split_kept_rejected(ds):
    """``(kept, rejected)``: the rows of a scored dataset with ``keep`` true, and the others (``Dataset.filter``)."""
    return (ds.filter(_kept, input_columns="keep", batched=True),
            ds.filter(_rejected, input_columns="keep", batched=True))


def _kept(keep: list) -> list[bool]:
    return [bool(k) for k in keep]


def _rejected(keep: list) -> list[bool]:
    return [not k for k in keep]


def _model_hash(model_dir: str | None) -> str:
    """The sha256 of the model's ``meta.json`` (which names every fitted file's sha256); a missing or broken
    model directory fails here, where the step is built."""
    from ..artifact import META_FILE, default_model_dir, read_meta

    path = default_model_dir() if model_dir is None else Path(model_dir)
    read_meta(path)
    return hashlib.sha256((path / META_FILE).read_bytes()).hexdigest()
