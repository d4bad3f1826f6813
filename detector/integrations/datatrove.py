"""A datatrove filter step that drops machine-translated or spun documents before ingest.

Needs ``pip install 'detector[datatrove]'``. Use it like any datatrove filter::

    from datatrove.executor import LocalPipelineExecutor
    from datatrove.pipeline.readers import JsonlReader
    from datatrove.pipeline.writers import JsonlWriter
    from detector.integrations.datatrove import DetectorFilter

    LocalPipelineExecutor(pipeline=[
        JsonlReader("crawl/"),
        DetectorFilter(fpr=0.01, exclusion_writer=JsonlWriter("rejected/")),
        JsonlWriter("kept/"),
    ], tasks=8, workers=2).run()

Every document it sees gets ``metadata["detector"]`` (``Score.annotation()``: ``p_machine``,
``verdict``, ``threshold``, ``reasons``, ``hygiene``). Flagged documents are dropped with the reason
``machine_translated``, too short ones with ``too_short``, non-English ones with ``not_english`` (kept
with ``keep_non_english=True``), blank documents with ``empty_text`` (verdict ``error``): the rule of
every entry point (:mod:`detector.policy`). datatrove copies the
reason into ``metadata["filter_reason"]`` only for documents it hands to an ``exclusion_writer``, and
counts each reason as the stat ``dropped_<reason>``. ``annotate_only=True`` keeps everything.

The detector (and its language model) loads on the first batch, once per task, not when the step is
built, so the pipeline pickles cheaply to executors.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any, Callable

from ..policy import DEFAULT_FPR
from ._shared import DetectorSettings, LoadsDetector, decide_batch, missing_extra

try:
    from datatrove.pipeline.filters.base_filter import BaseFilter
except ImportError as e:  # pragma: no cover - exercised only without the extra
    raise missing_extra("datatrove", "datatrove") from e


class DetectorFilter(LoadsDetector, BaseFilter):
    """Keep documents the detector does not flag; annotate every document it scores.

    Args:
        model_dir: a fitted model directory; ``None`` for the shipped model.
        fpr: the stored operating point (target false-positive rate) that sets the threshold.
        threshold: an explicit threshold in [0, 1], overriding ``fpr``.
        annotate_only: annotate but keep every document.
        keep_non_english: keep ``not_english`` documents (annotated) instead of dropping them.
        batch_size: documents per ``Detector.score_many`` call.
        exclusion_writer: a datatrove writer that receives the dropped documents.
        scorer_factory: picklable zero-argument callable returning a token scorer; ``None`` is the real LM.
        device: where the LM runs in each task: ``auto`` (CUDA when the task sees a GPU), ``cpu``, ``cuda[:N]``.
    """

    name = "🕵 Detector"

    def __init__(self, model_dir: str | Path | None = None, fpr: float = DEFAULT_FPR, threshold: float | None = None,
                 annotate_only: bool = False, batch_size: int = 16, exclusion_writer=None,
                 scorer_factory: Callable[[], Any] | None = None, keep_non_english: bool = False,
                 device: str = "auto"):
        super().__init__(exclusion_writer=exclusion_writer, batch_size=batch_size)
        self.settings = DetectorSettings(None if model_dir is None else str(model_dir), fpr, threshold,
                                         scorer_factory, device)
        self.annotate_only = annotate_only
        self.keep_non_english = keep_non_english

    def filter(self, doc) -> bool | tuple[bool, str]:
        return self.filter_batch([doc])[0]

    def filter_batch(self, batch: list) -> list[bool | tuple[bool, str]]:
        decisions = decide_batch(self.detector, [doc.text for doc in batch], self.annotate_only,
                                 self.keep_non_english)
        results: list[bool | tuple[bool, str]] = []
        for doc, decision in zip(batch, decisions):
            doc.metadata["detector"] = decision.annotation
            self.stat_update(f"verdict_{decision.verdict}")
            results.append(True if decision.keep else (False, decision.reason))
        return results
