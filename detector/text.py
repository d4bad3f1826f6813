"""Text helpers: decoding checks, paragraph and sentence segmentation with character offsets.

Everything returns offsets into the string it was given, so spans map back to the caller's text.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from .errors import InputError

_SURROGATE = re.compile("[\ud800-\udfff]")
_WORD = re.compile(r"[^\W_]+(?:['’][^\W_]+)*", re.UNICODE)
_PARA = re.compile(r"[^\n]+(?:\n(?!\s*\n)[^\n]+)*")
_LINE = re.compile(r"[^\n]*\S[^\n]*")
# A sentence ends at . ! ? (plus closing quotes/brackets) followed by whitespace and a capital,
# a digit or an opening quote, or at a line break.
_SENT_END = re.compile(r"""[.!?]+["'”’)\]]*(?=\s+["'“‘(\[]?[A-Z0-9À-ÖØ-ÞΑ-ΩА-Я])|\n""")
_ABBREV = frozenset(
    "mr mrs ms dr prof st sen rep gov gen col lt sgt capt jr sr inc ltd co corp vs etc jan feb mar apr "
    "aug sep sept oct nov dec u.s u.k u.n e.g i.e a.m p.m dept est fig mt ft".split()
)


@dataclass(frozen=True)
class Segment:
    start: int
    end: int
    text: str


def ensure_text(value) -> str:
    """Return ``value`` if it is a ``str`` of Unicode text; bytes, other types and strings holding a lone
    surrogate (``"\\udcff"``, as ``surrogateescape`` decoding leaves; no tokenizer reads them) raise
    :class:`InputError`.

    >>> ensure_text(b"\\xff".decode("utf-8", "surrogateescape"))  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    detector.errors.InputError: the text holds a lone surrogate (U+DCFF at 0), which is not Unicode text; ...
    """
    if isinstance(value, str):
        bad = _SURROGATE.search(value)
        if bad:
            raise InputError(f"the text holds a lone surrogate (U+{ord(bad.group()):04X} at {bad.start()}), which is "
                             "not Unicode text; decode it with errors='replace' (or 'strict'), not 'surrogateescape'")
        return value
    if isinstance(value, (bytes, bytearray)):
        raise InputError("got bytes where text was expected; decode it first (e.g. data.decode('utf-8'))")
    raise InputError(f"expected text (str), got {type(value).__name__}")


def words(text: str) -> list[re.Match]:
    """Word matches (letters/digits, inner apostrophes kept)."""
    return list(_WORD.finditer(text))


def word_count(text: str) -> int:
    return sum(1 for _ in _WORD.finditer(text))


def lines(text: str) -> list[Segment]:
    """Non-blank lines with offsets."""
    return [Segment(m.start(), m.end(), m.group()) for m in _LINE.finditer(text)]


def paragraphs(text: str) -> list[Segment]:
    """Blocks separated by blank lines (a single newline stays inside a paragraph)."""
    return [Segment(m.start(), m.end(), m.group()) for m in _PARA.finditer(text) if m.group().strip()]


def _is_abbreviation(text: str, end: int) -> bool:
    """True when the period at ``end - 1`` closes a known abbreviation or an initial ("J.")."""
    start = end - 1
    while start > 0 and (text[start - 1].isalpha() or text[start - 1] == "."):
        start -= 1
    token = text[start:end - 1].lower()
    return token in _ABBREV or (len(token) == 1 and token.isalpha())


@lru_cache(maxsize=64)
def sentences(text: str) -> tuple[Segment, ...]:
    """Sentences with offsets; whitespace around them is excluded."""
    out: list[Segment] = []
    start = 0
    for m in _SENT_END.finditer(text):
        end = m.end()
        if m.group() != "\n" and m.group()[0] == "." and _is_abbreviation(text, m.start() + 1):
            continue
        _append(out, text, start, end)
        start = end
    _append(out, text, start, len(text))
    return tuple(out)


def _append(out: list[Segment], text: str, start: int, end: int) -> None:
    chunk = text[start:end]
    stripped = chunk.strip()
    if stripped:
        s = start + (len(chunk) - len(chunk.lstrip()))
        out.append(Segment(s, s + len(stripped), stripped))
