"""What ``detect`` prints: result lines in each format, the progress line, the closing summaries and the
version line. Formatting only: every number and slug comes from :mod:`detector.api` and
:mod:`detector.reasons`.

>>> line_col("one\\ntwo three", 8)
(2, 5)
"""
from __future__ import annotations

import json
import os
import sys
from bisect import bisect_right
from collections import Counter

FORMATS = ("table", "json", "lines")


def line_col(text: str, offset: int) -> tuple[int, int]:
    """1-based line and column (in characters) of ``offset`` in ``text``."""
    starts = [0] + [i + 1 for i, c in enumerate(text) if c == "\n"]
    k = bisect_right(starts, offset) - 1
    return k + 1, offset - starts[k] + 1


def table_line(path: str, res) -> str:
    """``path<TAB>p_machine<TAB>verdict<TAB>reason codes[  hygiene: flags]``."""
    reasons = ", ".join(res.reasons) or "-"
    hygiene = f"  hygiene: {', '.join(res.hygiene_flags)}" if res.hygiene_flags else ""
    p = "-" if res.p_machine != res.p_machine else f"{res.p_machine:.3f}"  # NaN: not_english
    return f"{path}\t{p}\t{res.verdict}\t{reasons}{hygiene}"


def json_line(path: str, text: str, res, with_features: bool) -> str:
    return json.dumps({"path": path, **res.as_dict(text, with_features=with_features)}, ensure_ascii=False)


def lint_lines(path: str, text: str, res) -> list[str]:
    """``path:line:col: code title`` for every span of the listed reasons (each span under its own code), and
    ``path:1:1: code title (whole text)`` for a document-level reason: the convention of compilers, flake8
    and Vale, so that editors and CI annotate the places."""
    from .reasons import DOCUMENT, info

    out, seen = [], set()
    for r in res.explanation:
        if r.info.level == DOCUMENT or not r.spans:
            out.append((0, f"{path}:1:1: {r.code} {r.info.title} (whole text)"))
            continue
        for s in r.spans:
            if s in seen:
                continue
            seen.add(s)
            line, col = line_col(text, s.start)
            out.append((s.start, f"{path}:{line}:{col}: {s.reason} {info(s.reason).title}"))
    return [text for _, text in sorted(out, key=lambda x: x[0])]


def score_summary(verdicts: Counter, seconds: float) -> str:
    n = sum(verdicts.values())
    parts = ", ".join(f"{v} {verdicts[v]}" for v in ("machine", "clean", "too_short", "not_english") if verdicts[v])
    return f"score: {n:,} input{'s' if n != 1 else ''}: {parts or 'none'}; {seconds:.1f} s"


def reasons_markdown() -> list[str]:
    """The table as Markdown: ``docs/reasons.md`` is this output (a test keeps them equal)."""
    from .reasons import TABLE

    heads = {"evidence": "## Evidence of machine origin\n\nListed for a text only when its evidence is unusual for "
                         "human text (over the model's `reason_bounds`), strongest first.",
             "hygiene": "## Hygiene: scrape damage\n\nReported apart (`hygiene`); never evidence of machine origin.",
             "gate": "## Gate and pipeline reasons\n\nThe `reason` of a rejected record (`detect gate`, "
                     "`Detector.filter`, datatrove, Ray, `datasets`)."}
    out, group = [], None
    for r in TABLE:
        if r.group != group:
            group = r.group
            out += ["", heads[group], "", "| code | title | points at | what it means | evidence features |",
                    "|---|---|---|---|---|"]
        where = "the whole text" if r.level == "document" else "spans"
        feats = ", ".join(f"`{f}`" for f in r.features) or "-"
        out.append(f"| `{r.code}` | {r.title} | {where} | {r.description} | {feats} |")
    return out


def reasons_table(as_json: bool) -> list[str]:
    from .reasons import TABLE

    if as_json:
        return [json.dumps({"code": r.code, "group": r.group, "level": r.level, "title": r.title,
                            "description": r.description, "features": list(r.features)}, ensure_ascii=False)
                for r in TABLE]
    out, group = [], None
    width = max(len(r.code) for r in TABLE)
    for r in TABLE:
        if r.group != group:
            group = r.group
            out.append(("" if not out else "\n") + {"evidence": "Evidence of machine origin (listed only when "
                                                    "unusual for human text):", "hygiene": "Hygiene (scrape "
                                                    "damage; not evidence of machine origin):",
                                                    "gate": "Gate and pipeline reasons:"}[group])
        level = "whole text" if r.level == "document" else "spans"
        out.append(f"  {r.code:<{width}}  {r.title} [{level}]: {r.description}")
    return out


def version_line() -> str:
    """The package, the shipped model and its LM, read from ``meta.json`` (nothing is loaded)."""
    from . import __version__
    from .artifact import META_FILE, default_model_dir

    try:
        meta = json.loads((default_model_dir() / META_FILE).read_text(encoding="utf-8"))
        model = f"model sha256:{meta['classifier']['sha256'][:16]} ({meta['created'][:10]})"
        lm = f"LM {meta['lm']['name']} sha256:{meta['lm']['sha256'][:16]}, {meta['lm']['max_tokens']} tokens"
    except (OSError, ValueError, KeyError, TypeError):
        model, lm = "model: none shipped or unreadable", "LM: unknown"
    return f"detector {__version__}; {model}; {lm}"


class Progress:
    """A progress line on stderr (tqdm), shown only when stderr is a terminal. ``total`` known: a bar with ETA."""

    def __init__(self, total: int | None, unit: str):
        self._bar = None
        self.total, self.unit = total, unit

    def update(self, n: int = 1, postfix: str = "") -> None:
        from tqdm import tqdm

        if self._bar is None:
            self._bar = tqdm(total=self.total, unit=self.unit, file=sys.stderr, ncols=columns(), leave=False)
        self._bar.update(n)
        if postfix:
            self._bar.set_postfix_str(postfix, refresh=True)

    def close(self) -> None:
        if self._bar is not None:
            self._bar.close()


def columns() -> int:
    """stderr's terminal width (a terminal that reports none, or 0, counts as 100 columns; tqdm would draw
    nothing there)."""
    try:
        return os.get_terminal_size(sys.stderr.fileno()).columns or 100
    except (OSError, ValueError):
        return 100
