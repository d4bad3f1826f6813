"""Name features: office titles that disagree within a document (near-duplicate surnames: name_spelling.py).

A translation system cannot look people up: round trips turn the US Deputy Secretary of State into
"Deputy Foreign Minister" in one paragraph and "Assistant Secretary of State" in the next, and bring
Baerbock back as Berbock. Edited news gives a person one title and one spelling per document.

Mentions are "[country] [rank] TITLE Name" ("Russian Deputy Foreign Minister Sergei Ryabkov", "Sen.
Bob Menendez"), keyed by surname (and first name when two people share one); mentions after
"former", "then-", "ex-" or "the late" are the past and not compared. Values are counts per
document, ``nan`` for blank text.
"""
from __future__ import annotations

import math
import re
from collections import Counter, defaultdict
from dataclasses import dataclass
from itertools import combinations

from ..spans import Measured, Span
from . import feature

_TITLES = {  # canonical title: surface forms, matched case-insensitively
    "Secretary of State": r"secretary of state(?![ \t]+for)",
    "Under Secretary of State": r"under-?secretary of state(?![ \t]+for)",
    "Foreign Minister": r"foreign(?: affairs)? minister|minister (?:of|for) foreign affairs",
    "Defense Secretary": r"defen[cs]e secretary|secretary of defen[cs]e",
    "Defense Minister": r"defen[cs]e minister|minister of defen[cs]e",
    "Representative": r"congress(?:wo)?man", "Secretary-General": r"secretary[- ]general",
    "Spokesperson": r"spokes(?:person|man|woman)", "National Security Adviser": r"national security advis[eo]r",
    "President": r"president(?:-elect)?",
    **{t: t.lower() for t in ("Foreign Secretary", "Interior Minister", "Finance Minister", "Treasury Secretary",
                              "Home Secretary", "Prime Minister", "Chancellor", "Ambassador", "Senator",
                              "Governor", "Press Secretary", "Attorney General")},
}
_ABBREVIATED = {"Sen.": "Senator", "Gov.": "Governor", "Rep.": "Representative"}
_RANKS = {"deputy": "Deputy", "vice": "Deputy", "assistant": "Assistant", "under": "Under",
          "associate": "Associate", "lieutenant": "Lieutenant", "lt.": "Lieutenant"}
_COUNTRIES = {  # country: the words that attach a title to it, "Russia's" also as "Russia’s"
    "US": "U.S. US American America's Washington's", "UK": "U.K. UK British Britain's",
    "RU": "Russian Russia's Moscow's Kremlin", "CN": "Chinese China's Beijing's",
    "UA": "Ukrainian Ukraine's Kyiv's", "DE": "German Germany's", "FR": "French France's",
    "JP": "Japanese", "IN": "Indian", "IR": "Iranian", "IL": "Israeli", "TR": "Turkish", "AU": "Australian",
    "BY": "Belarusian", "SA": "Saudi", "KR": "South Korean", "KP": "North Korean", "PK": "Pakistani",
}
_COUNTRY_OF = {w.replace("'", q): c for c, words in _COUNTRIES.items() for w in words.split() for q in "'’"}
# The US calls its foreign minister Secretary of State and has no ministers; these countries call
# theirs Foreign Minister and have no Secretary of State. (The UK, France, Germany, the Vatican and
# others do use "Secretary of State" for other offices, so they are not checked.)
_US_ONLY = ("Secretary of State", "Deputy Secretary of State", "Assistant Secretary of State",
            "Under Secretary of State")
_NOT_US = ("Foreign Secretary", "Home Secretary", "Chancellor", "Deputy Chancellor")
_MINISTER_COUNTRIES = frozenset("RU CN UA JP IN IR IL AU BY SA KR KP PK".split())
# Fallback when the document never ties a person to a country: a few long-serving officials.
_KNOWN_OFFICIALS = {
    ("Antony", "Blinken"): "US", ("Wendy", "Sherman"): "US", ("Victoria", "Nuland"): "US",
    ("Mike", "Pompeo"): "US", ("John", "Kerry"): "US", ("Hillary", "Clinton"): "US",
    ("Marco", "Rubio"): "US", ("Lloyd", "Austin"): "US", ("Ned", "Price"): "US",
    ("Sergei", "Lavrov"): "RU", ("Sergei", "Ryabkov"): "RU", ("Dmytro", "Kuleba"): "UA",
    ("Wang", "Yi"): "CN", ("Annalena", "Baerbock"): "DE",
}
_COMPATIBLE = (frozenset({"Spokesperson", "Press Secretary"}),)
_HONORIFIC = frozenset({"Ambassador"})  # US officials keep "Ambassador" alongside later titles

_STOP = (r"(?:Says|Said|Tells|Told|Warns|Urges|Meets|Visits|Calls|Will|Would|Has|Had|Is|Was|And|Of|"
         r"The|On|In|At|To|For|With|From|But|Or|Also|Amid|After|Before|Over|As|Monday|Tuesday|"
         r"Wednesday|Thursday|Friday|Saturday|Sunday|January|February|March|April|May|June|July|"
         r"August|September|October|November|December)(?![\w’'-])")
_TOKEN = (r"(?!%s)(?:[A-Z]\.|(?:al|el)-[A-Z][a-zß-öø-ÿ]+|(?:[A-Z][a-z]?[’'])?[A-ZÀ-ÖØ-Þ][a-zß-öø-ÿ]+"
          r"(?:[A-Z][a-zß-öø-ÿ]+)?(?:-[A-ZÀ-Þ][a-zß-öø-ÿ]+)*)" % _STOP)
_PARTICLE = r"(?:von|van|der|den|de|da|di|del|du|la|le|bin|ibn|al|ben)"
_RANK = (r"(?:(?:first|principal)[ \t]+)?"
         r"(?P<rank>deputy|vice|assistant|under(?=[ \t-]+secretary)|associate|lieutenant|lt\.)")
_TITLE = r"(?i:%s[ \t-]+)?(?:(?i:%s)|%s)" % (_RANK, "|".join(_TITLES.values()), "|".join(map(re.escape, _ABBREVIATED)))
_MENTION = re.compile(
    r"(?<![\w.-])(?:(?P<country>%s)[ \t]+)?(?P<title>%s)[ \t]+(?P<name>%s(?:[ \t]+(?:%s[ \t]+)*%s){0,2})"
    % ("|".join(map(re.escape, sorted(_COUNTRY_OF, key=len, reverse=True))), _TITLE, _TOKEN, _PARTICLE, _TOKEN)
)
_AND_TITLE = re.compile(r"(?<![\w.-])(?P<title>%s)[ \t]+and[ \t]+$" % _TITLE)
_RANK_PREFIX = re.compile(r"^(?:(?:first|principal)[ \t]+)?\S+?[ \t-]+", re.I)
_TITLE_FORMS = tuple((re.compile(form, re.I), title) for title, form in _TITLES.items())
_PAST = re.compile(r"(?:\b(?i:former|ex|late|onetime|one-time|future)[ \t-]+|\b(?i:then)-|\bthen[ \t]+)$")
_GENERIC = re.compile(r"(?i:\b(?:a|an))[ \t]+$")  # "how good a prime minister Gordon Brown will make"


@dataclass(frozen=True)
class _Mention:
    """One "[country] title Name" mention; ``past`` for "former ...", "then-..."."""

    start: int
    end: int
    titles: frozenset[str]
    country: str | None
    first: str | None
    surname: str
    past: bool


def _canonical(title: str, rank: str | None) -> str | None:
    """"Deputy Foreign Minister" for "deputy foreign minister"; None if ``title`` is no known title."""
    base = _RANK_PREFIX.sub("", title) if rank else title
    canon = _ABBREVIATED.get(base) or next((t for rx, t in _TITLE_FORMS if rx.fullmatch(base)), None)
    if canon is None or not rank:
        return canon
    prefix = _RANKS[rank.lower()]
    return ("Vice " + canon) if prefix == "Deputy" and canon == "President" else f"{prefix} {canon}"


def _extra_title(text: str, start: int) -> str | None:
    """The first title of a pair such as "Deputy Prime Minister and Foreign Minister Dmytro Kuleba"."""
    m = _AND_TITLE.search(text, max(0, start - 60), start)
    return _canonical(m.group("title"), m.group("rank")) if m else None


def _mentions(text: str) -> list[_Mention]:
    """Every "[country] title Name" mention in ``text``."""
    out = []
    for m in _MENTION.finditer(text):
        title = _canonical(m.group("title"), m.group("rank"))
        if title is None or _GENERIC.search(text, max(0, m.start() - 4), m.start()):
            continue
        extra = _extra_title(text, m.start())
        tokens = m.group("name").split()
        out.append(_Mention(
            m.start(), m.end(), frozenset({title, extra} - {None}), _COUNTRY_OF.get(m.group("country") or ""),
            tokens[0] if len(tokens) > 1 else None, tokens[-1],
            _PAST.search(text, max(0, m.start() - 20), m.start()) is not None,
        ))
    return out


def _people(mentions: list[_Mention]) -> dict[tuple[str | None, str], list[_Mention]]:
    """Mentions grouped by person; a bare surname shared by two first names belongs to neither."""
    by_surname: dict[str, list[_Mention]] = defaultdict(list)
    for m in mentions:
        by_surname[m.surname].append(m)
    people: dict[tuple[str | None, str], list[_Mention]] = {}
    for surname, group in by_surname.items():
        firsts = {m.first for m in group if m.first}
        if len(firsts) <= 1:
            people[(next(iter(firsts), None), surname)] = group
        else:
            for first in firsts:
                people[(first, surname)] = [m for m in group if m.first == first]
    return people


def _conflict(a: frozenset[str], b: frozenset[str]) -> bool:
    """True when no title in ``a`` matches one in ``b`` (equal, honorific or interchangeable)."""
    return not any(x == y or {x, y} & _HONORIFIC or any({x, y} <= g for g in _COMPATIBLE) for x in a for y in b)


@feature("names.title_inconsistent.v1")
def title_inconsistent(text: str) -> Measured:
    """Number of people given two different office titles in one document.

    Spans (reason ``title_inconsistent``) cover every titled mention of such a person. "Sen." and
    "Senator", "President-elect" and "President", "Secretary General" and "Secretary-General" are
    the same title; "former ..." mentions are not compared. Unit: people.

    >>> t = "Deputy Foreign Minister Wendy Sherman met him. Assistant Secretary of State Wendy Sherman left."
    >>> m = title_inconsistent(t)
    >>> m.value, [s.text_of(t) for s in m.spans]
    (1.0, ['Deputy Foreign Minister Wendy Sherman', 'Assistant Secretary of State Wendy Sherman'])
    """
    if not text.strip():
        return Measured(math.nan)
    spans, people = [], 0
    for group in _people(_mentions(text)).values():
        current = [m for m in group if not m.past]
        if any(_conflict(a, b) for a, b in combinations({m.titles for m in current}, 2)):
            people += 1
            spans.extend(Span(m.start, m.end, "title_inconsistent") for m in current)
    return Measured(float(people), tuple(sorted(spans)))


def _country(person: tuple[str | None, str], group: list[_Mention]) -> str | None:
    """The person's country: stated in the text, else known, else implied by a US-only title."""
    stated = Counter(m.country for m in group if m.country)
    if stated:
        return stated.most_common(1)[0][0]
    if person in _KNOWN_OFFICIALS:
        return _KNOWN_OFFICIALS[person]
    return "US" if any(t in _US_ONLY for m in group for t in m.titles) else None


def _wrong(country: str | None, title: str) -> bool:
    if country == "US":
        return "Minister" in title or title in _NOT_US
    return country in _MINISTER_COUNTRIES and title in _US_ONLY


@feature("names.title_country_mismatch.v1")
def title_country_mismatch(text: str) -> Measured:
    """Number of mentions whose office title does not exist in the person's country.

    The US has a Secretary of State and no ministers; Russia, China and most others have a Foreign
    Minister and no Secretary of State. The country comes from the mention ("US Foreign Minister"),
    else from the person's other mentions, else from a small list of well-known officials, else from
    a US-only title elsewhere in the document. Spans: reason ``title_country_mismatch``.

    >>> t = "US Secretary of State Antony Blinken spoke. Later Foreign Minister Antony Blinken left."
    >>> [s.text_of(t) for s in title_country_mismatch(t).spans]
    ['Foreign Minister Antony Blinken']
    """
    if not text.strip():
        return Measured(math.nan)
    spans = []
    for person, group in _people(_mentions(text)).items():
        country = _country(person, group)
        for m in group:
            if any(_wrong(m.country or country, t) for t in m.titles):
                spans.append(Span(m.start, m.end, "title_country_mismatch"))
    return Measured(float(len(spans)), tuple(sorted(spans)))
