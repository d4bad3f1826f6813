"""Ray Data at cluster scale: an actor pool of detectors (each loads the model once), on CPUs or GPUs.

Needs ``pip install 'detector[ray]'``. Two ways in, both keeping the gate's contract (every input row comes
out kept, rejected with a reason, or errored with a reason; rows in == rows out):

**Datasets with a text column** (Parquet, JSON, anything Ray reads), with :func:`score`::

    import ray
    from detector.integrations.ray import score, split_kept_rejected

    ray.init()                             # or ray.init(address="ray://head:10001") for a running cluster
    scored = score(ray.data.read_parquet("crawl/"), actors=2).materialize()   # score once, then split
    kept, rejected = split_kept_rejected(scored)
    kept.write_parquet("kept/")
    rejected.write_parquet("rejected/")

It adds, one value per row: ``p_machine`` (float; NaN when the row could not be scored), ``verdict``
(``machine`` | ``clean`` | ``too_short`` | ``not_english`` | ``error``), ``keep`` (bool), ``reason`` (``""``
when kept, else ``machine_translated``, ``too_short``, ``not_english``, ``missing_text`` or ``empty_text``)
and ``detector`` (the JSON text of ``Score.annotation()``).

**JSON-lines files as ``detect gate`` reads them** (malformed lines included), with :func:`gate_jsonl`::

    from detector.integrations.ray import gate_jsonl

    counts = gate_jsonl(["crawl/part-0.jsonl.zst", "crawl/part-1.jsonl.zst"], "kept/", "rejected/", actors=2)

Each line is parsed by the gate's own parser and written as the gate writes it (kept lines with a
``detector`` field, rejected ones with a ``reason``; lines that are not JSON objects wrapped with their line
number). The files are read where every worker can see them (a local or shared file system); ``.gz`` and
``.zst`` are verified, so a truncated file fails the run instead of losing its tail.

**GPUs**: ``gpus_per_actor=1`` gives each actor a GPU (``0.25`` packs four actors on one); the LM then runs
there in bf16 (``device="auto"`` picks CUDA where the actor sees one). Without GPUs each actor takes
``cpus_per_actor`` CPUs (default 1); leave a CPU free for Ray's read tasks.

:class:`DetectorBatchScorer` is the callable class under :func:`score`, for ``map_batches`` pipelines of
your own; batches may be ``dict[str, numpy.ndarray]`` or a pandas DataFrame. This module does not import
Ray itself until :func:`score` or :func:`gate_jsonl` is called.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any, Callable

import numpy as np

from ..errors import InputError
from ..policy import DEFAULT_FPR
from ._shared import DetectorSettings, decide_batch, decision_columns, missing_extra

_DTYPES = {"p_machine": np.float64, "keep": bool}  # the other columns are strings (object arrays)


class DetectorBatchScorer:
    """Score the ``text_column`` of each batch and add ``p_machine``, ``verdict``, ``keep``, ``reason``,
    ``detector`` columns. Arguments as for :class:`~detector.api.Detector`, plus ``scorer_factory``: a
    picklable zero-argument callable returning a token scorer (``None`` is the real LM), and ``device``."""

    def __init__(self, model_dir: str | Path | None = None, fpr: float = DEFAULT_FPR, threshold: float | None = None,
                 text_column: str = "text", annotate_only: bool = False,
                 scorer_factory: Callable[[], Any] | None = None, keep_non_english: bool = False,
                 device: str = "auto"):
        settings = DetectorSettings(None if model_dir is None else str(model_dir), fpr, threshold, scorer_factory,
                                    device)
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
        columns = decision_columns(decide_batch(self.detector, texts, self.annotate_only, self.keep_non_english))
        return {name: np.array(values, dtype=_DTYPES.get(name, object)) for name, values in columns.items()}


def split_kept_rejected(ds):
    """``(kept, rejected)``: the rows of a scored Ray dataset with ``keep`` true, and the others (a predicate
    expression, which Ray evaluates with Arrow, where this Ray has them; else a row function)."""
    try:
        from ray.data.expressions import col
    except ImportError:
        return ds.filter(_is_kept), ds.filter(_is_rejected)
    return ds.filter(expr=col("keep")), ds.filter(expr=~col("keep"))


def _is_kept(row: dict[str, Any]) -> bool:
    return bool(row["keep"])


def _is_rejected(row: dict[str, Any]) -> bool:
    return not row["keep"]


class GateLinesScorer:
    """Score raw JSON lines (the rows of :func:`read_jsonl`: ``path``, ``line``, ``raw``) as ``detect gate``
    does, adding ``keep``, ``verdict``, ``reason`` (the gate's slug; ``""`` when kept without one) and
    ``record`` (the line to write, with its ``detector`` field and, when rejected, its ``reason``)."""

    def __init__(self, model_dir: str | Path | None = None, fpr: float = DEFAULT_FPR, threshold: float | None = None,
                 text_field: str = "text", id_field: str = "id", annotate_only: bool = False,
                 scorer_factory: Callable[[], Any] | None = None, keep_non_english: bool = False,
                 device: str = "auto"):
        from ..gate.runner import model_info

        settings = DetectorSettings(None if model_dir is None else str(model_dir), fpr, threshold, scorer_factory,
                                    device)
        self.detector = settings.load()
        self.model_id = model_info(self.detector)["id"]
        self.fields = (text_field, id_field)
        self.annotate_only, self.keep_non_english = annotate_only, keep_non_english

    def __call__(self, batch: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
        from ..gate.records import OUTPUT, parse, route_batch

        records = [parse(int(n), bytes(raw), *self.fields) for n, raw in zip(batch["line"], batch["raw"])]
        texts = [r.text for r in records if r.problem is None]
        results = [(s.verdict, s.annotation()) for s in self.detector.score_many(texts)] if texts else []
        routed = route_batch(records, results, self.detector.threshold, self.model_id, self.annotate_only,
                             True, self.keep_non_english)
        return {"path": batch["path"], "line": batch["line"],
                "keep": np.array([r.dest == OUTPUT for r, _ in routed], dtype=bool),
                "verdict": np.array([v for _, v in routed], dtype=object),
                "reason": np.array([r.reason or "" for r, _ in routed], dtype=object),
                "record": np.array([r.data.decode("utf-8") for r, _ in routed], dtype=object)}


def _ray():
    try:
        import ray
        import ray.data
    except ImportError as e:
        raise missing_extra("ray[data]", "ray") from e
    return ray


def _pool(actors: int, gpus_per_actor: float, cpus_per_actor: float) -> dict[str, Any]:
    """``map_batches`` arguments for an actor pool of ``actors`` detectors."""
    ray = _ray()
    if not isinstance(actors, int) or isinstance(actors, bool) or actors < 1:
        raise InputError(f"actors must be a whole number of at least 1, got {actors!r}")
    for name, value in (("gpus_per_actor", gpus_per_actor), ("cpus_per_actor", cpus_per_actor)):
        if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0:
            raise InputError(f"{name} must be a number of at least 0, got {value!r}")
    return {"compute": ray.data.ActorPoolStrategy(size=actors), "num_gpus": gpus_per_actor or None,
            "num_cpus": cpus_per_actor}


def score(ds, *, actors: int = 1, gpus_per_actor: float = 0, cpus_per_actor: float = 1, batch_size: int = 64,
          **detector_kwargs):
    """``ds`` (a Ray dataset with a text column) scored by ``actors`` detectors, each loading the model once
    (``detector_kwargs``: those of :class:`DetectorBatchScorer`). Lazy, like any Ray dataset:
    ``.materialize()`` it before splitting it with :func:`split_kept_rejected`, or it is scored twice."""
    return ds.map_batches(DetectorBatchScorer, fn_constructor_kwargs=detector_kwargs, batch_size=batch_size,
                          batch_format="numpy", **_pool(actors, gpus_per_actor, cpus_per_actor))


def read_jsonl(paths: str | Path | list):
    """JSON-lines files (a file, a folder of them, or a list) as a Ray dataset of one row per line:
    ``path``, ``line`` (1-based) and ``raw`` (the line's bytes). Lines are read by the gate's reader, on the
    workers, so the files must be where every worker sees them; ``.gz``/``.zst`` are fully verified."""
    ray = _ray()
    files: list[str] = []
    for p in [paths] if isinstance(paths, (str, Path)) else list(paths):
        p = Path(p)
        files += sorted(str(f) for f in p.iterdir() if f.is_file()) if p.is_dir() else [str(p)]
    missing = [f for f in files if not Path(f).is_file()]
    if not files or missing:
        raise InputError(f"no such input file: {missing[0]}" if missing else f"no input files in {paths}")
    return ray.data.from_items([{"path": f} for f in files]).flat_map(_file_lines)


def _file_lines(row: dict[str, Any]) -> list[dict[str, Any]]:
    from ..gate.jsonl import open_lines

    with open_lines(row["path"]) as lines:
        return [{"path": row["path"], "line": n, "raw": raw} for n, raw in enumerate(lines, 1)]


def gate_jsonl(paths: str | Path | list, kept: str | Path, rejected: str | Path, *, actors: int = 1,
               gpus_per_actor: float = 0, cpus_per_actor: float = 1, batch_size: int = 64,
               **detector_kwargs) -> dict[str, int]:
    """``detect gate`` over JSON-lines files on a Ray cluster: kept lines to ``kept/`` and the others (with
    their reasons) to ``rejected/``, as ``.jsonl`` files (Ray names them); returns ``{"lines", "kept",
    "rejected"}`` and the count of each reason. ``detector_kwargs``: those of :class:`GateLinesScorer`."""
    scored = read_jsonl(paths).map_batches(
        GateLinesScorer, fn_constructor_kwargs=detector_kwargs, batch_size=batch_size, batch_format="numpy",
        **_pool(actors, gpus_per_actor, cpus_per_actor)).materialize()
    keep, drop = split_kept_rejected(scored)
    for ds, folder in ((keep, kept), (drop, rejected)):
        ds.write_datasink(_lines_sink(str(folder)))
    counts: dict[str, int] = {"lines": scored.count(), "kept": keep.count(), "rejected": drop.count()}
    for row in scored.groupby("reason").count().take_all():
        if row["reason"]:
            counts[f"reason_{row['reason']}"] = row["count()"]
    return counts


def _lines_sink(folder: str):
    from ray.data.datasource import BlockBasedFileDatasink

    class LinesSink(BlockBasedFileDatasink):
        """Each row's ``record`` as one line of a ``.jsonl`` file."""

        def __init__(self, path: str):
            super().__init__(path, file_format="jsonl")

        def write_block_to_file(self, block, file) -> None:
            for line in block.to_pandas()["record"]:
                file.write(line.encode("utf-8"))

    return LinesSink(folder)
