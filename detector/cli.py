"""``detect``: a thin command line over :mod:`detector.api`. No detection logic lives here.

Exit codes: 0 nothing flagged, 1 something flagged (``score``), 2 usage or runtime error.
"""
from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import List, Optional

import typer

from .errors import DetectorError

app = typer.Typer(add_completion=False, no_args_is_help=True,
                  help="Detect machine-translated, round-tripped and spun English prose.")
EXIT_OK, EXIT_FLAGGED, EXIT_ERROR = 0, 1, 2


@app.callback()
def _root() -> None:
    """Detect machine-translated, round-tripped and spun English prose (exit 0 ok, 1 flagged, 2 error)."""


def fail(message: str) -> None:
    typer.echo(f"error: {message}", err=True)
    raise typer.Exit(EXIT_ERROR)


def read_input(path: str) -> str:
    """Read a file (or stdin for ``-``) as UTF-8; errors become one-line messages."""
    try:
        data = sys.stdin.buffer.read() if path == "-" else Path(path).read_bytes()
    except OSError as e:
        fail(f"cannot read {path}: {e.strerror or e}")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as e:
        fail(f"{path} is not valid UTF-8 (byte {e.start}); convert it first, e.g. iconv -f latin1 -t utf-8")


@app.command()
def score(
    paths: List[str] = typer.Argument(None, help="Files to score; '-' reads stdin (the default)."),
    as_json: bool = typer.Option(False, "--json", help="One JSON object per input."),
    features: bool = typer.Option(False, "--features", help="Include every feature value (with --json)."),
    model: Optional[Path] = typer.Option(None, "--model", help="Model directory (default: the shipped model)."),
    fpr: float = typer.Option(0.01, "--fpr", help="Operating point: target false-positive rate (0.001, 0.01, 0.05)."),
    no_fail: bool = typer.Option(False, "--no-fail", help="Exit 0 even when an input is flagged."),
):
    """Score texts: p_machine, verdict and the reasons for it.

    Example: detect score article.txt other.txt --json
    """
    paths = paths or ["-"]
    texts = [read_input(p) for p in paths]
    try:
        from .api import Detector

        detector = Detector(model, fpr=fpr)
        results = detector.score_many(texts)
    except DetectorError as e:
        fail(str(e))
    for path, text, res in zip(paths, texts, results):
        if as_json:
            typer.echo(json.dumps({"path": path, **res.as_dict(text, with_features=features)}, ensure_ascii=False))
        else:
            reasons = ", ".join(res.reasons) or "-"
            hygiene = f"  hygiene: {', '.join(res.hygiene_flags)}" if res.hygiene_flags else ""
            typer.echo(f"{path}\t{res.p_machine:.3f}\t{res.verdict}\t{reasons}{hygiene}")
    flagged = any(r.flagged for r in results)
    raise typer.Exit(EXIT_FLAGGED if flagged and not no_fail else EXIT_OK)


def main() -> None:
    app()


if __name__ == "__main__":
    main()
