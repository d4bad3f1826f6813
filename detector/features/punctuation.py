"""Punctuation features: stray, doubled and detached marks, and broken quotations.

Round-trip machine translation re-attaches punctuation to the wrong tokens: a sentence-final period
lands before a verb (``Interfax. reported.``), a quotation closes mid-sentence (``partners.” Will not
discuss``) and leftover marks trail a paragraph (``done.” ,``). Edited human news almost never shows
these, so each feature is the rate of one kind of rare event, with a span per event. Rates are per
1,000 characters of the input; every span points into the caller's original text.
"""
from __future__ import annotations

import math
import re

from ..spans import Measured, Span, per_1000
from ..text import paragraphs
from . import feature

_ELLIPSIS = re.compile(r"\.(?:[ \t]*\.){2,}|…")
# Whitespace, then a mark that is not the start of a number, a domain, an ellipsis or an emoticon.
_SPACE_BEFORE = re.compile(r"(?<=\S)[ \t]+[,.;:?!](?![\w.()\-])")
_SPACED_MARKS = re.compile(r"[.,;:!?][ \t]+[.,;:](?![\w.])")
_ADJACENT_MARKS = re.compile(r"(?<!\.)(?:[,;:][,.;:]|\.[,;:]|\.\.)(?![\w.])")
_QUOTE_MARK = re.compile(r"([.,;:!?]?)([”’\"'])([ \t]*)([,.;:])(?![\w.])")
_DETACHED = re.compile(r"(?<![.\s])\.[ \t]+([a-z][\w’'\-]*)((?:[.,;:](?![\w.]))?)")
_DQUOTE = re.compile(r"[“”\"]")
_LOWER_NEXT = re.compile(r"[ \t][a-z]")
_SENTENCE_END_BEFORE = re.compile(r"[.!?…][”’\"']?[ \t]+$")
_WORD_CHARS = re.compile(r"[^\W_]")
_ENTITY_BEFORE = re.compile(r"&#?\w{2,8}$")  # "caf&#233;," is an HTML entity, not a doubled mark
# Tokens that end in a period without ending a sentence ("vs. the", "Calif. on", "approx. five").
_ABBREVIATIONS = frozenset(
    """mr mrs ms mx dr prof rev hon st ste mt ft jr sr messrs sen rep gov gen col lt sgt capt cmdr adm
    maj pres supt det insp inc ltd co corp bros assn dept univ intl govt pty llc plc vs v etc cf viz al
    approx ca est esp incl excl resp no nos fig figs vol ch sec art para pp p ed eds op cit ibid tel ext
    misc ref avg max min hr hrs yr yrs mo wk oz lb lbs in sq pt qt gal tsp tbsp doz cub ave blvd rd hwy
    jan feb mar apr jun jul aug sep sept oct nov dec mon tue tues wed thu thur thurs fri sat sun
    ala ariz ark calif colo conn del fla ga ill ind kan ky la md mass mich minn miss mont neb nev
    okla ore pa tenn vt va wash wis wyo""".split()
)
_MAX_FRAGMENT = 200  # a broken-quote span reaches back to the previous closing quote if this near
_OPEN_BEFORE = "([{—–-/"
_CLOSE_AFTER = ".,;:!?)]}—–-/…"


def _word_start(text: str, end: int) -> int:
    """Start of the token (letters, digits, inner periods and apostrophes) that ends at ``end``."""
    start = end
    while start > 0 and (_WORD_CHARS.match(text[start - 1]) or text[start - 1] in ".’'-"):
        start -= 1
    while start < end and not _WORD_CHARS.match(text[start]):
        start += 1
    return start


def _is_abbreviation(token: str) -> bool:
    """True for "U.S", "e.g", initials, numbers and known abbreviations (period stripped)."""
    return "." in token or len(token) <= 1 or token.isdigit() or token.lower() in _ABBREVIATIONS


def _entity_end(text: str, i: int) -> bool:
    """True when the mark at ``i`` is the ``;`` closing an HTML entity such as ``&#233;``."""
    return text[i] == ";" and _ENTITY_BEFORE.search(text, max(0, i - 10), i) is not None


def _ellipsis_positions(text: str) -> set[int]:
    return {i for m in _ELLIPSIS.finditer(text) for i in range(m.start(), m.end())}


@feature("punct.space_before.v1")
def space_before(text: str) -> Measured:
    """Whitespace before , . ; : ? ! per 1,000 characters (reason ``stray_punctuation``).

    Round trips leave marks detached from their words (``done.” ,``, ``Stefanishyna. .``); edited
    English attaches them. Ellipses, decimals (``.5``) and domains (``.com``) are not counted.

    >>> m = space_before("Talks ended , then .")
    >>> [s.text_of("Talks ended , then .") for s in m.spans]
    [' ,', ' .']
    """
    if not text.strip():
        return Measured(math.nan)
    skip = _ellipsis_positions(text)
    spans = tuple(
        Span(m.start(), m.end(), "stray_punctuation")
        for m in _SPACE_BEFORE.finditer(text)
        if m.end() - 1 not in skip
    )
    return Measured(per_1000(len(spans), len(text)), spans)


@feature("punct.repeated_mark.v1")
def repeated_mark(text: str) -> Measured:
    """Doubled sentence marks (``. .``, ``, ,``, ``,.``, ``said..``) per 1,000 characters.

    Reason ``stray_punctuation``. Translation systems keep the source's final mark and add their
    own. Ellipses and abbreviation-then-mark (``U.S.,``, ``etc.;``) are not counted.

    >>> t = "It was said by Olga Stefanishyna. . Then more,, later."
    >>> [s.text_of(t) for s in repeated_mark(t).spans]
    ['Stefanishyna. .', 'more,,']
    """
    if not text.strip():
        return Measured(math.nan)
    skip = _ellipsis_positions(text)
    found = []
    for m in _SPACED_MARKS.finditer(text):
        if m.start() not in skip and m.end() - 1 not in skip and not _entity_end(text, m.start()):
            found.append((_word_start(text, m.start()), m.end()))
    for m in _ADJACENT_MARKS.finditer(text):
        if _entity_end(text, m.start()):
            continue
        start = _word_start(text, m.start())
        if m.group()[0] == "." and _is_abbreviation(text[start:m.start()]):
            continue
        found.append((start, m.end()))
    spans = tuple(sorted(Span(s, e, "stray_punctuation") for s, e in found))
    return Measured(per_1000(len(spans), len(text)), spans)


@feature("punct.quote_then_mark.v1")
def quote_then_mark(text: str) -> Measured:
    """A closing quote followed by a stray mark, per 1,000 characters (``stray_punctuation``).

    Counts ``.” ,`` and ``” .`` (a detached mark after the quote) and ``.”.`` / ``,”,`` (a mark on
    both sides). British ``”.`` and American ``.”`` are both fine and not counted.

    >>> t = "to choose their alliances.” done.” ,"
    >>> [s.text_of(t) for s in quote_then_mark(t).spans]
    ['done.” ,']
    """
    if not text.strip():
        return Measured(math.nan)
    spans = []
    for m in _QUOTE_MARK.finditer(text):
        inner, _, gap, _ = m.groups()
        if m.start(2) == 0 or text[m.start(2) - 1].isspace():
            continue  # an opening quote
        start = _word_start(text, m.start())
        after_abbreviation = inner == "." and _is_abbreviation(text[start:m.start()])  # “the U.S.”.
        if gap or (inner and inner in ".,;:" and not after_abbreviation):
            spans.append(Span(start, m.end(), "stray_punctuation"))
    return Measured(per_1000(len(spans), len(text)), tuple(spans))


@feature("punct.detached_period.v1")
def detached_period(text: str) -> Measured:
    """Periods followed by a lowercase word, per 1,000 characters (reason ``detached_period``).

    A round trip can move a sentence-final period in front of the verb it belonged after
    (``Interfax. reported.``, ``organizations. are negotiable``). Abbreviations (``U.S. officials``,
    ``vs. the``, ``Calif. on``), initials, numbers, ellipses and ``iPhone``-style words are skipped.

    >>> t = "according to the Russian news agency Interfax. reported."
    >>> [s.text_of(t) for s in detached_period(t).spans]
    ['Interfax. reported.']
    """
    if not text.strip():
        return Measured(math.nan)
    spans = []
    for m in _DETACHED.finditer(text):
        start = _word_start(text, m.start())
        nxt = m.group(1)
        if start == m.start() or _is_abbreviation(text[start:m.start()]):
            continue
        glued_period = not m.group(2) and text[m.end(1):m.end(1) + 1] == "."  # "e.g.", "a.m."
        if glued_period or any(c.isupper() for c in nxt):
            continue
        spans.append(Span(start, m.end(), "detached_period"))
    return Measured(per_1000(len(spans), len(text)), tuple(spans))


def _quote_direction(text: str, i: int, depth: int) -> str | None:
    """"open", "close" or None (not a quotation mark) for the double quote at ``i``, by context."""
    before = text[i - 1] if i > 0 else " "
    after = text[i + 1] if i + 1 < len(text) else " "
    inch = before.isdigit() and text[i] == '"'  # 12" pipe
    apostrophe = before.isalpha() and _LOWER_NEXT.match(text, i + 1)  # scraped: the Lakers" website
    if depth == 0 and (inch or apostrophe):
        return None
    opens = before.isspace() or before in _OPEN_BEFORE or before in "“‘"
    closes = after.isspace() or after in _CLOSE_AFTER or after in "”’"
    if opens != closes:
        return "open" if opens else "close"
    if text[i] == "“":
        return "open"
    if text[i] == "”":
        return "close"
    return "close" if depth else "open"


def _reopens(text: str, start: int, i: int) -> bool:
    """True when the opening quote at ``i`` starts a line or follows a sentence end."""
    line_start = max(start, text.rfind("\n", start, i) + 1)
    return not text[line_start:i].strip() or _SENTENCE_END_BEFORE.search(text, line_start, i) is not None


def _paragraph_quote_breaks(text: str, start: int, end: int) -> list[Span]:
    """Closing quotes in ``text[start:end]`` that close no open quotation."""
    out: list[Span] = []
    stack: list[int] = []
    last_close = -1
    for m in _DQUOTE.finditer(text, start, end):
        i = m.start()
        kind = _quote_direction(text, i, len(stack))
        if kind == "open":
            if stack and _reopens(text, start, i):
                stack.clear()  # a new paragraph of a running quotation (or a lost paragraph break)
            stack.append(i)
        elif kind == "close" and stack:
            stack.pop()
            last_close = i
        elif kind == "close":
            line_start = max(start, text.rfind("\n", start, i) + 1)
            near = last_close >= line_start and i - last_close <= _MAX_FRAGMENT
            anchor = last_close if near else i
            while anchor > start and text[anchor - 1] in ",;:!?":
                anchor -= 1
            out.append(Span(max(start, _word_start(text, anchor)), i + 1, "quote_broken"))
            last_close = i
    return out


@feature("punct.quote_broken.v1")
def quote_broken(text: str) -> Measured:
    """Broken double quotations per 1,000 characters (reason ``quote_broken``).

    Counts closing quotes that close nothing within their paragraph: ``partners.” Will not discuss
    European security,”`` (the translation closed the quote mid-sentence, then again). Quote
    direction comes from context, so straight quotes work. A quote left open at a paragraph end is
    not counted: human news leaves it open when the quotation runs on into the next paragraph, and
    scraped or truncated copies lose that paragraph or its opening quote. A quote reopened after a
    sentence end continues the quotation (a paragraph break lost in scraping), it is not nested.

    >>> t = 'Geneva “but without our partners.” Will not discuss security,” Price said.'
    >>> [s.text_of(t) for s in quote_broken(t).spans]
    ['partners.” Will not discuss security,”']
    """
    if not text.strip():
        return Measured(math.nan)
    spans = [s for p in paragraphs(text) for s in _paragraph_quote_breaks(text, p.start, p.end)]
    return Measured(per_1000(len(spans), len(text)), tuple(spans))
