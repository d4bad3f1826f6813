"""``detect``: a thin command line over :mod:`detector.api`. No detection logic lives here.

Exit codes: 0 nothing flagged, 1 something flagged (``score``; ``gate`` with ``--fail-on-flag``),
2 usage or runtime error; ``gate`` stopped by a signal exits 128 + its number (130 SIGINT, 143 SIGTERM,
129 SIGHUP) after saying how to resume.
"""
from __future__ import annotations

import os
import signal
import sys
from contextlib import contextmanager
from pathlib import Path
from typing import List, Optional

import typer

from .cli_io import EXIT_ERROR, EXIT_FLAGGED, EXIT_OK, fail, main, one_stdin, read_input, shown  # noqa: F401
from .errors import DetectorError
from .policy import DEFAULT_FPR

DEVICE_HELP = "Where the LM runs: auto (CUDA when available), cpu, cuda or cuda:N."

app = typer.Typer(add_completion=False, no_args_is_help=True,
                  help="Detect machine-translated, round-tripped and spun English prose.")


def _version(value: bool) -> None:
    if value:
        from .cli_output import version_line

        typer.echo(version_line())
        raise typer.Exit(EXIT_OK)


@app.callback()
def _root(version: bool = typer.Option(False, "--version", is_eager=True, callback=_version,
                                       help="Print the package, model and LM versions and exit.")) -> None:
    """Detect machine-translated, round-tripped and spun English prose (exit 0 ok, 1 flagged, 2 error)."""


@app.command()
def score(
    paths: List[str] = typer.Argument(None, help="Files to score; '-' reads stdin (the default)."),
    as_json: bool = typer.Option(False, "--json", help="One JSON object per input (the same as --format json)."),
    fmt: str = typer.Option("table", "--format", help="table (path, p_machine, verdict, reasons), json (one "
                            "object per input) or lines (path:line:col: code title, one per flagged place)."),
    features: bool = typer.Option(False, "--features", help="Include every feature value (with --json)."),
    model: Optional[Path] = typer.Option(None, "--model", help="Model directory (default: the shipped model)."),
    fpr: float = typer.Option(DEFAULT_FPR, "--fpr", help="Operating point: target false-positive rate (0.001, 0.01, 0.05)."),
    no_fail: bool = typer.Option(False, "--no-fail", help="Exit 0 even when an input is flagged."),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="No progress line and no closing summary on stderr."),
    device: str = typer.Option("auto", "--device", help=DEVICE_HELP),
):
    """Score texts: p_machine, verdict and the reasons for it. Each result is printed as soon as it is
    done; with several inputs a progress line (on a terminal) and a one-line summary go to stderr.

    Example: detect score article.txt other.txt --json
    """
    import time
    from collections import Counter

    from . import cli_output as out

    fmt = "json" if as_json else fmt
    if fmt not in out.FORMATS:
        fail(f"--format must be one of {', '.join(out.FORMATS)}, got {fmt!r}")
    paths = paths or ["-"]
    one_stdin(paths)
    texts = [read_input(p) for p in paths]  # every input is read (and checked) before any result
    started, verdicts = time.monotonic(), Counter()
    progress = out.Progress(len(paths), " files") if len(paths) > 1 and not quiet and sys.stderr.isatty() else None
    try:
        from .api import Detector

        detector = Detector(model, fpr=fpr, device=device)
        k = 0
        while k < len(texts):
            # as many texts as the LM reads in one pass (one on the CPU; known once the model has loaded)
            step = max(1, min(32, int(getattr(detector.scorer, "batch_size", 1) or 1)))
            chunk = detector.score_many(texts[k:k + step], with_features=features)
            for path, text, res in zip(paths[k:k + step], texts[k:k + step], chunk):
                _print_score(out, fmt, shown(path), text, res, features)
                verdicts[res.verdict] += 1
            if progress is not None:
                progress.update(len(chunk), f"{verdicts['machine']} machine")
            k += step
    except DetectorError as e:
        fail(str(e))
    finally:
        if progress is not None:
            progress.close()
    if not quiet and len(paths) > 1:
        typer.echo(out.score_summary(verdicts, time.monotonic() - started), err=True)
    raise typer.Exit(EXIT_FLAGGED if verdicts["machine"] and not no_fail else EXIT_OK)


def _print_score(out, fmt: str, path: str, text: str, res, features: bool) -> None:
    if fmt == "json":
        typer.echo(out.json_line(path, text, res, features))
    elif fmt == "lines":
        for line in out.lint_lines(path, text, res):
            typer.echo(line)
    else:
        typer.echo(out.table_line(path, res))


@app.command("reasons")
def reasons_cmd(as_json: bool = typer.Option(False, "--json", help="One JSON object per reason."),
                markdown: bool = typer.Option(False, "--markdown", help="The table as Markdown (docs/reasons.md).")):
    """List every reason code with its title and what it means (the table the JSON and HTML read).

    Example: detect reasons --json
    """
    from .cli_output import reasons_markdown, reasons_table

    for line in (reasons_markdown() if markdown else reasons_table(as_json)):
        typer.echo(line)
    raise typer.Exit(EXIT_OK)


@app.command()
def gate(
    input: str = typer.Option("-", "--input", "-i", help="JSON lines to gate (.gz/.zst by name); '-' is stdin."),
    output: str = typer.Option("-", "--output", "-o", help="Kept records, with a 'detector' field; '-' is stdout."),
    rejects: Optional[str] = typer.Option(None, "--rejects", help="Rejected records, each with a 'reason' "
                                          "(required unless --annotate-only)."),
    text_field: str = typer.Option("text", "--text-field", help="The record field holding the text."),
    id_field: str = typer.Option("id", "--id-field", help="The record field copied into error rejects as 'id'."),
    fpr: Optional[float] = typer.Option(None, "--fpr", help="Operating point: target false-positive rate "
                                        "(0.001, 0.01, 0.05; default 0.01)."),
    threshold: Optional[float] = typer.Option(None, "--threshold", help="Flag at p_machine >= T instead of --fpr."),
    annotate_only: bool = typer.Option(False, "--annotate-only", help="Annotate every record; reject nothing."),
    keep_non_english: bool = typer.Option(False, "--keep-non-english",
                                          help="Keep not_english records (annotated) instead of rejecting them."),
    workers: int = typer.Option(1, "--workers", help="Scoring processes, each with its own model."),
    batch_size: int = typer.Option(16, "--batch-size", help="Input lines per batch (and per checkpoint)."),
    stats: Optional[Path] = typer.Option(None, "--stats", help="Write counts, speed and the model id as JSON."),
    resume: bool = typer.Option(False, "--resume", help="Continue an interrupted run from its checkpoint."),
    fail_on_flag: bool = typer.Option(False, "--fail-on-flag", help="Exit 1 if any record was flagged machine."),
    model: Optional[Path] = typer.Option(None, "--model", help="Model directory (default: the shipped model)."),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="No progress line on stderr (shown only on a terminal)."),
    device: str = typer.Option("auto", "--device", help=DEVICE_HELP + " With --workers N on one GPU, the N "
                               "processes share it (each with its own copy of the LM)."),
):
    """Gate JSON lines before ingest: keep clean records, set machine-made ones aside, annotate both.

    Kept records are written as read plus a 'detector' field; the others go to --rejects with a reason.

    Exit 0 ok (even with rejects), 1 something flagged machine (with --fail-on-flag), 2 error,
    130/143 stopped by SIGINT/SIGTERM (resume with --resume).

    Example: detect gate --input crawl.jsonl.zst --output kept.jsonl.zst --rejects rejected.jsonl.gz --stats stats.json
    """
    if rejects is None and not annotate_only:
        fail("--rejects FILE is required unless --annotate-only")
    if fpr is not None and threshold is not None:
        fail("give --fpr or --threshold, not both")
    if workers < 1 or batch_size < 1:
        fail("--workers and --batch-size must be at least 1")
    from functools import partial

    from .api import Detector
    from .gate import GateOptions, run_gate

    threads = max(1, (os.cpu_count() or 1) // workers) if workers > 1 else None  # no oversubscription
    from .lm.device import check as check_device

    try:
        device = check_device(device)
    except DetectorError as e:
        fail(str(e))
    factory = partial(Detector, model, fpr=DEFAULT_FPR if fpr is None else fpr, threshold=threshold, threads=threads,
                      device=device)
    options = GateOptions(text_field, id_field, annotate_only, batch_size, workers, resume, keep_non_english)
    progress = None if quiet or not sys.stderr.isatty() else _Progress()
    try:
        with _signals_interrupt():
            try:
                report = run_gate(input, output, rejects, factory, options, stats=stats, progress=progress)
            finally:  # the progress line ends before any message
                if progress is not None:
                    progress.close()
    except DetectorError as e:
        fail(str(e))
    except OSError as e:
        fail(f"{e.filename or 'i/o'}: {e.strerror or e}")
    except KeyboardInterrupt as e:  # SIGINT, or SIGTERM/SIGHUP through _signals_interrupt: exit 128 + signal
        signum = getattr(e, "signum", signal.SIGINT)
        typer.echo(f"error: {e or 'interrupted before any record was written; rerun the same command'}", err=True)
        raise typer.Exit(128 + signum)
    typer.echo(_summary(report), err=True)
    raise typer.Exit(EXIT_FLAGGED if fail_on_flag and report.verdicts["machine"] else EXIT_OK)


@contextmanager
def _signals_interrupt():
    """SIGTERM and SIGHUP stop a gate the way Ctrl-C does: the current batch is abandoned, the checkpoint of
    the last finished one stays, and the run can be resumed."""
    from .gate import GateInterrupted

    def stop(signum, frame):
        raise GateInterrupted(signum)

    previous = {sig: signal.signal(sig, stop) for sig in (signal.SIGTERM, signal.SIGHUP)}
    try:
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def _output_columns() -> int:
    from .cli_output import columns

    return columns()


class _Progress:
    """The gate's progress line on stderr (tqdm): share of the input read and ETA when its size is known,
    records/s, kept and rejected so far."""

    def __init__(self):
        self._bar = None

    def __call__(self, report) -> None:
        from tqdm import tqdm

        if self._bar is None:
            known = report.input_fraction is not None
            self._bar = tqdm(total=100 if known else None, unit="%" if known else " batches", file=sys.stderr,
                             ncols=_output_columns(), nrows=24, leave=True,
                             bar_format="{l_bar}{bar}| {elapsed}<{remaining}{postfix}" if known else
                             "{elapsed}{postfix}")
        if report.input_fraction is not None:
            self._bar.n = round(100 * report.input_fraction, 1)
        self._bar.set_postfix_str(f"{report.input_lines:,} lines, {report.kept:,} kept, {report.rejected:,} "
                                  f"rejected, {report.records_per_second:.1f} records/s", refresh=True)

    def close(self) -> None:
        if self._bar is not None:
            self._bar.close()


def _summary(report) -> str:
    reasons = ", ".join(f"{r} {n:,}" for r, n in report.reasons.most_common()) or "none"
    return (f"gate: {report.input_lines:,} lines: {report.kept:,} kept, {report.rejected:,} rejected; "
            f"reasons: {reasons}; {report.elapsed_seconds:.1f} s, {report.records_per_second:.1f} records/s; "
            f"model {report.model['id']}, threshold {report.threshold:.4f}")


from .cli_reports import compare_cmd, explain_cmd  # noqa: E402  (the report commands)

app.command("compare")(compare_cmd)
app.command("explain")(explain_cmd)

if __name__ == "__main__":
    main()
