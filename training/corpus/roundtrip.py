"""Round trips English -> pivot -> English with Apertium (rule-based MT, Debian packages).

Only Spanish and Catalan pivots (``PIVOTS``) make corpus records; Galician, Esperanto and Serbo-Croatian
(``EVAL_PIVOTS``) are kept out of the corpus for the never-seen-generator check (``training/experiments/unseen_eval.py``).
Those five are every pivot Debian's Apertium packages translate both ways with English (the Basque,
Icelandic and Macedonian pairs go into English only).
"""
from __future__ import annotations

import re
import shutil
import subprocess

PIVOTS = {"spa": ("eng-spa", "spa-eng"), "cat": ("eng-cat", "cat-eng")}
EVAL_PIVOTS = {"glg": ("en-gl", "gl-en"), "epo": ("en-eo", "eo-en"), "hbs": ("eng-hbs", "hbs-eng")}
MODES = {**PIVOTS, **EVAL_PIVOTS}
PACKAGES = {"spa": "apertium-eng-spa", "cat": "apertium-eng-cat", "glg": "apertium-en-gl", "epo": "apertium-eo-en",
            "hbs": "apertium-hbs-eng"}
_MARK = "@@@ {} @@@"
_MARK_RE = re.compile(r"^\s*@@@ (\d+) @@@\s*$", re.M)
_APERTIUM_MARKS = re.compile(r"(?<![\w@])[*#@](?=\w)")


class ApertiumMissing(RuntimeError):
    pass


def available(pivot: str = "spa") -> bool:
    if shutil.which("apertium") is None:
        return False
    modes = subprocess.run(["apertium", "-l"], capture_output=True, text=True).stdout.split()
    return all(m in modes for m in MODES[pivot])


def _run(pair: str, text: str) -> str:
    proc = subprocess.run(["apertium", "-u", pair], input=text, capture_output=True, text=True, check=True)
    return proc.stdout


def clean_output(text: str) -> str:
    """Drop Apertium's unknown-word marks and the double spaces it leaves where words vanish."""
    text = _APERTIUM_MARKS.sub("", text)
    return re.sub(r"[ \t]{2,}", " ", text).strip()


def translate(paragraphs: list[str], pair: str) -> list[str]:
    out = [clean_output(p) for p in _run(pair, "\n\n".join(paragraphs)).split("\n\n")]
    if len(out) != len(paragraphs):  # Apertium merged or split a block: go paragraph by paragraph
        out = [clean_output(_run(pair, p)) for p in paragraphs]
    return out


def round_trip_many(docs: list[list[str]], pivot: str) -> list[list[str]]:
    """Round-trip many documents (lists of paragraphs) through ``pivot`` in two Apertium calls."""
    if not available(pivot):
        raise ApertiumMissing(f"apertium with {MODES[pivot]} is not installed; "
                              f"run: apt-get install apertium {PACKAGES[pivot]}")
    there, back = MODES[pivot]
    blob = "\n\n".join(_MARK.format(i) + "\n\n" + "\n\n".join(paras) for i, paras in enumerate(docs))
    result = _run(back, _run(there, blob))
    pieces = _MARK_RE.split(result)[1:]
    by_index = {int(pieces[k]): pieces[k + 1] for k in range(0, len(pieces), 2)}
    out = []
    for i, paras in enumerate(docs):
        got = [clean_output(p) for p in re.split(r"\n\s*\n", by_index.get(i, "")) if p.strip()]
        if len(got) != len(paras):  # structure lost in the batch: redo this document alone
            got = translate(translate(paras, there), back)
        out.append(got)
    return out
