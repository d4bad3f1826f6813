"""The pre-ingest quality gate: stream JSON lines through the detector and keep or reject each record.

:func:`run_gate` reads the input one line at a time, scores the text of each record in batches (in
this process, or in worker processes that each build their own detector), and writes every line to
exactly one of the output and the rejects file, in input order (the per-record rules are in
:mod:`detector.gate.records`). It returns a :class:`GateReport` and never prints.

Outputs are written to ``<path>.partial`` and renamed when the run succeeds. When both outputs are
files, ``<output>.checkpoint.json`` is rewritten after every batch, once the partial files are
fsynced: lines done, a sha256 of them, the partial files' sizes and the counts so far. With
``resume=True`` the partial files are cut back to those sizes and the lines done are skipped (their
sha256 checked), so an interrupted run finishes byte-identical to an uninterrupted one. Without it,
any earlier partial files and checkpoint are discarded.

Before anything is opened for writing, every path is checked against every other (and their
companions), and each output is locked for the whole run (:mod:`detector.gate.paths`). A run that
stops early (a signal: :class:`GateInterrupted`; a dead worker: :class:`~detector.gate.workers.WorkerDied`;
an input that turns out truncated or unreadable) leaves the partial files and the checkpoint of the
last finished batch, and its error says how many lines are done and how to resume.
"""
from __future__ import annotations

import hashlib
import os
import signal
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator

from ..errors import DetectorError, InputError, OutputError
from . import paths
from .jsonl import STDIO, Sink, open_lines, read_json, write_json_atomic
from .workers import score_batches
from .records import OUTPUT, REJECTS, Record, parse, route_batch

CHECKPOINT_VERSION = 2  # 2: not_english rejected by default (detector.policy); a version-1 run cannot resume
COUNTERS = ("input_lines", "kept", "rejected", "errors", "elapsed_seconds")


@dataclass(frozen=True)
class GateOptions:
    """How records are read and batched. ``workers`` > 1 scores in that many processes."""

    text_field: str = "text"
    id_field: str = "id"
    annotate_only: bool = False
    batch_size: int = 16
    workers: int = 1
    resume: bool = False
    keep_non_english: bool = False  # keep not_english records (annotated) instead of rejecting them


@dataclass
class GateReport:
    """Counts for one run (a resumed run includes the lines done before the interruption)."""

    model: dict[str, str]
    threshold: float
    input_lines: int = 0
    kept: int = 0  # lines written to the output
    rejected: int = 0  # lines written to the rejects file
    errors: int = 0  # lines that could not be scored
    verdicts: Counter = field(default_factory=Counter)  # machine | clean | too_short | error
    reasons: Counter = field(default_factory=Counter)  # reason slug -> records, rejected or (annotate-only) kept
    elapsed_seconds: float = 0.0
    resumed_at_line: int = 0
    input_fraction: float | None = None  # share of the input file read (None: stdin, size unknown); not saved

    @property
    def eta_seconds(self) -> float | None:
        """Seconds left at this run's speed, when the input's size is known."""
        f, lines = self.input_fraction, self.input_lines - self.resumed_at_line
        if not f or f >= 1.0 or lines <= 0 or self.elapsed_seconds <= 0:
            return None
        return self.elapsed_seconds * (1.0 - f) / f

    @property
    def records_per_second(self) -> float:
        return self.input_lines / self.elapsed_seconds if self.elapsed_seconds > 0 else 0.0

    def add(self, record: Record, verdict: str, dest: str, reason: str | None) -> None:
        self.input_lines += 1
        self.kept += dest == OUTPUT
        self.rejected += dest != OUTPUT
        self.errors += record.problem is not None
        self.verdicts[verdict] += 1
        if reason:
            self.reasons[reason] += 1

    def counts(self) -> dict[str, Any]:
        return {**{k: getattr(self, k) for k in COUNTERS}, "verdicts": dict(self.verdicts),
                "reasons": dict(self.reasons)}

    def restore(self, counts: dict[str, Any], line: int) -> None:
        for k in COUNTERS:
            setattr(self, k, counts[k])
        self.verdicts, self.reasons = Counter(counts["verdicts"]), Counter(counts["reasons"])
        self.resumed_at_line = line

    def as_dict(self) -> dict[str, Any]:
        return {**self.counts(), "records_per_second": round(self.records_per_second, 3),
                "elapsed_seconds": round(self.elapsed_seconds, 3), "resumed_at_line": self.resumed_at_line,
                "model": self.model, "threshold": round(self.threshold, 6)}


@dataclass
class _Batch:
    first_line: int
    records: list[Record]
    input_sha256: str  # of every input line up to the end of this batch


def model_info(detector) -> dict[str, str]:
    """The model's directory, classifier sha256, and the short id written into each annotation."""
    sha = detector.artifact.meta["classifier"]["sha256"]
    return {"id": f"sha256:{sha[:16]}", "path": str(detector.artifact.path), "classifier_sha256": sha}


def check_paths(input: str, output: str, rejects: str | None, options: GateOptions,
                stats: str | Path | None = None) -> None:
    """Refuse option combinations that would lose, clobber or mix records, before anything is read or
    written (:mod:`detector.gate.paths`)."""
    if options.batch_size < 1 or options.workers < 1:
        raise InputError(f"batch size and workers must be at least 1, got {options.batch_size} and {options.workers}")
    if rejects is None and not options.annotate_only:
        raise InputError("a rejects file is required unless annotate-only: rejected records must go somewhere")
    if output == STDIO and rejects == STDIO:
        raise InputError("output and rejects must differ, both are stdout")
    if options.resume and STDIO in (output, rejects):
        raise InputError("resuming needs the output and rejects to be files, not stdout")
    paths.check_distinct(paths.roles(input, output, rejects, None if stats is None else str(stats)))


class GateInterrupted(KeyboardInterrupt):
    """The run was stopped by a signal (``signum``); the message says what was kept and how to resume."""

    def __init__(self, signum: int = signal.SIGINT, message: str = ""):
        super().__init__(message or f"interrupted by {signal.Signals(signum).name}")
        self.signum = signum


def run_gate(input: str, output: str, rejects: str | None, detector_factory: Callable[[], Any],
             options: GateOptions = GateOptions(), stats: str | Path | None = None,
             progress: Callable[[GateReport], None] | None = None) -> GateReport:
    """Gate ``input`` (a path or ``-``) into ``output`` and ``rejects`` (paths or ``-``; ``rejects`` may be
    ``None`` with ``annotate_only``). ``detector_factory`` is a picklable zero-argument callable that
    returns a :class:`~detector.api.Detector` (workers call it too). ``stats`` receives
    :meth:`GateReport.as_dict` as JSON; ``progress`` is called after every batch."""
    check_paths(input, output, rejects, options, stats)
    if stats is not None and not os.access(Path(stats).parent, os.W_OK):
        raise OutputError(f"cannot write the stats file {stats}: its directory is missing or read-only")
    with paths.locked([str(p) for p in (output, rejects, stats) if p is not None and p != STDIO]):
        report = _run(input, output, rejects, detector_factory, options, progress)
        if stats is not None:
            write_json_atomic(stats, {"input": input, "output": output, "rejects": rejects, **report.as_dict()})
    return report


def _run(input: str, output: str, rejects: str | None, detector_factory: Callable[[], Any], options: GateOptions,
         progress: Callable[[GateReport], None] | None) -> GateReport:
    with open_lines(input) as lines:
        detector = detector_factory()
        report = GateReport(model_info(detector), detector.threshold)
        checkpoint = paths.checkpoint_path(output, rejects)
        checkpoint = None if checkpoint is None else Path(checkpoint)
        settings = {"input": input, "output": output, "rejects": rejects, "text_field": options.text_field,
                    "id_field": options.id_field, "annotate_only": options.annotate_only,
                    "batch_size": options.batch_size, "threshold": detector.threshold, "model": report.model["id"],
                    **({"keep_non_english": True} if options.keep_non_english else {})}
        state = _restore(checkpoint, settings, options.resume)
        sinks = _open_sinks(output, rejects, state["sizes"] if state else {})
        saved = None  # lines the checkpoint on disk holds, once the input is known to match it
        try:
            digest, started = hashlib.sha256(), time.monotonic()
            done = saved = _skip(lines, state, digest, report)
            before = report.elapsed_seconds
            batches = _batches(lines, done + 1, digest, options)
            for batch, results in score_batches(batches, detector, detector_factory, options.workers):
                _write(batch, results, sinks, report, options, rejects is not None)
                report.elapsed_seconds = before + time.monotonic() - started
                if checkpoint is not None:
                    _save(checkpoint, settings, batch, sinks, report)
                    saved = batch.records[-1].line
                if progress is not None:
                    report.input_fraction = lines.fraction()
                    progress(report)
            report.elapsed_seconds = before + time.monotonic() - started
            for sink in sinks.values():
                sink.commit()
        except KeyboardInterrupt as e:
            signum = getattr(e, "signum", signal.SIGINT)
            raise GateInterrupted(signum, f"interrupted by {signal.Signals(signum).name}; "
                                  f"{_resumable(checkpoint, saved or 0)}") from None
        except DetectorError as e:
            if saved is None:
                raise
            raise type(e)(f"{e}; {_resumable(checkpoint, saved)}") from None
        finally:
            for sink in sinks.values():
                sink.close()
    if checkpoint is not None:
        checkpoint.unlink(missing_ok=True)
    return report


def _resumable(checkpoint: Path | None, saved: int) -> str:
    if checkpoint is None:
        return "an output is stdout, so the run cannot be resumed: rerun it from the start"
    if not saved:
        return "no batch was finished: rerun the same command"
    return f"the first {saved:,} lines are done ({checkpoint}): rerun the same command with --resume to continue"


def _open_sinks(output: str, rejects: str | None, sizes: dict[str, int]) -> dict[str, Sink]:
    sinks = {OUTPUT: Sink(output, sizes.get(OUTPUT))}
    if rejects is not None:
        try:
            sinks[REJECTS] = Sink(rejects, sizes.get(REJECTS))
        except Exception:
            sinks[OUTPUT].close()
            raise
    return sinks


def _restore(checkpoint: Path | None, settings: dict, resume: bool) -> dict | None:
    if checkpoint is None:
        return None
    if not resume:
        checkpoint.unlink(missing_ok=True)
        return None
    state = read_json(checkpoint)
    if state is None:
        return None  # nothing to resume: start from the beginning
    if state.get("version") != CHECKPOINT_VERSION or state.get("settings") != settings:
        changed = sorted(k for k in settings if state.get("settings", {}).get(k) != settings[k])
        raise InputError(f"{checkpoint} was written with other settings ({', '.join(changed) or 'version'}); "
                         "rerun with the same options, or without --resume to start over")
    return state


def _skip(lines: Iterator[bytes], state: dict | None, digest, report: GateReport) -> int:
    """Consume the lines a checkpoint says are done, check they are the same lines, restore the counts."""
    if not state:
        return 0
    done = 0
    for raw in lines:
        digest.update(raw)
        done += 1
        if done == state["lines"]:
            break
    if done < state["lines"] or digest.hexdigest() != state["input_sha256"]:
        raise InputError(f"the input differs from the interrupted run's first {state['lines']} lines; "
                         "rerun without --resume to start over")
    report.restore(state["counts"], done)
    return done


def _batches(lines: Iterable[bytes], first: int, digest, options: GateOptions) -> Iterator[_Batch]:
    records: list[Record] = []
    for number, raw in enumerate(lines, first):
        digest.update(raw)
        records.append(parse(number, raw, options.text_field, options.id_field))
        if len(records) == options.batch_size:
            yield _Batch(records[0].line, records, digest.hexdigest())
            records = []
    if records:
        yield _Batch(records[0].line, records, digest.hexdigest())


def _write(batch: _Batch, results: list[tuple[str, dict]], sinks: dict[str, Sink], report: GateReport,
           options: GateOptions, has_rejects: bool) -> None:
    """Route every record of a batch (``results`` holds the scored ones' verdicts and annotations, in order)."""
    chunks: dict[str, list[bytes]] = {dest: [] for dest in sinks}
    for record, (routed, verdict) in zip(batch.records, route_batch(
            batch.records, results, report.threshold, report.model["id"], options.annotate_only, has_rejects,
            options.keep_non_english)):
        chunks[routed.dest].append(routed.data)
        report.add(record, verdict, routed.dest, routed.reason)
    for dest, sink in sinks.items():
        sink.write(b"".join(chunks[dest]))
        sink.sync()


def _save(checkpoint: Path, settings: dict, batch: _Batch, sinks: dict[str, Sink], report: GateReport) -> None:
    write_json_atomic(checkpoint, {
        "version": CHECKPOINT_VERSION, "settings": settings, "lines": batch.records[-1].line,
        "input_sha256": batch.input_sha256, "sizes": {dest: sink.size for dest, sink in sinks.items()},
        "counts": report.counts()})
