"""Character-level hygiene: mojibake and invisible control characters (scrape damage, not MT evidence).

Registered in the ``hygiene`` family; :func:`detector.features.hygiene.damage_spans` includes them.
"""
from __future__ import annotations

import math
import re

import ftfy
from ftfy.badness import is_bad

from ..spans import Measured, Span, per_1000
from ..text import lines
from . import feature

_MOJIBAKE_TOKEN = re.compile(r"\S*[^\x00-\x7f]\S*")
_CONTROL = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u00ad\u0600-\u0605\u061c\u06dd\u070f\u0890\u0891\u08e2\u180e"
    "\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u206f\ufeff\ufff9-\ufffb\U000e0001\U000e0020-\U000e007f]+"
    "|\r(?!\n)"
)  # Unicode categories Cc and Cf, less \n, \t and the \r of \r\n


@feature("hygiene.mojibake.v1")
def mojibake(text: str) -> Measured:
    """Mis-decoded character sequences per 1,000 characters.

    UTF-8 read as Windows-1252 turns ``don’t`` into ``donâ€™t``; ftfy recognises such sequences
    and can undo them. A token counts when ftfy's encoding fix changes it; U+FFFD (a character lost
    for good in decoding) counts too.

    >>> [s.text_of(t) for t in ["He donâ€™t know."] for s in mojibake(t).spans]
    ['donâ€™t']
    """
    if not text.strip():
        return Measured(math.nan)
    spans = []
    for line in lines(text):
        if line.text.isascii() or not (is_bad(line.text) or "\ufffd" in line.text):
            continue
        for m in _MOJIBAKE_TOKEN.finditer(line.text):
            if "\ufffd" in m.group() or ftfy.fix_encoding(m.group()) != m.group():
                spans.append(Span(line.start + m.start(), line.start + m.end(), "mojibake"))
    return Measured(per_1000(len(spans), len(text)), tuple(spans))


@feature("hygiene.control_chars.v1")
def control_chars(text: str) -> Measured:
    """Control and invisible format characters (not newline or tab) per 1,000 characters.

    Zero-width spaces, soft hyphens, byte-order marks, bidi marks and stray C0/C1 controls are
    left by copying from web pages and PDFs. Joiners inside emoji or non-Latin words, the carriage
    return of ``\\r\\n`` and the tag characters of flag emoji are not counted.

    >>> m = control_chars("Talks\\u200b began.")
    >>> round(m.value, 1), len(m.spans)
    (76.9, 1)
    """
    if not text.strip():
        return Measured(math.nan)
    spans, count = [], 0
    for m in _CONTROL.finditer(text):
        if _exempt_format(text, m.start(), m.end()):
            continue
        spans.append(Span(m.start(), m.end(), "control_chars"))
        count += m.end() - m.start()
    return Measured(per_1000(count, len(text)), tuple(spans))


def _exempt_format(text: str, start: int, end: int) -> bool:
    """Joiners between two non-ASCII characters, and emoji tag sequences after a black flag."""
    run = text[start:end]
    before, after = text[start - 1:start], text[end:end + 1]
    if set(run) <= {"\u200c", "\u200d"}:
        return bool(before and after) and not before.isascii() and not after.isascii()
    return before == "\U0001f3f4" and all("\U000e0020" <= c <= "\U000e007f" for c in run)
