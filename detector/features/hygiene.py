"""Text-hygiene features: scrape damage, reported separately and never evidence of machine translation.

Copying a web page can strip apostrophes and dashes, glue words where links were removed, mis-decode
UTF-8 and drag in site furniture. Such damage looks odd to a language model without being
translation; :func:`damage_spans` lists it so that other features can mask it out.
"""
from __future__ import annotations

import gzip
import math
import re
from functools import lru_cache
from importlib import resources

from ..spans import Measured, Span, per_1000
from ..text import lines, word_count
from . import feature
from .characters import control_chars, mojibake

_CONTRACTION = re.compile(
    r"\b(?:(?:does|did|do|is|was|were|are|could|would|should|has|have|had|must|need|ai)nt"
    r"|(?:they|you)(?:re|ve|ll|d)|weve|(?:could|would|should|might)ve|(?:that|what|there|here|who|where)s"
    r"|shes|(?:it|that)ll)\b",
    re.IGNORECASE,
)  # not: cant, wont, ill, well, were, wed, id, hed, shed, lets, its, ive, im (also words or names)
_CAPITAL_S = re.compile(r"(?<!\bthe )(?<!\bThe )\b([A-Z][a-z]{2,})s[ \t]+([a-z]+)\b")  # not "the Bryans"
_CAPITAL = re.compile(r"\b[A-Z][a-z]{2,}\b")
# Words that follow a plural subject far more often than a possessive's noun.
_NOT_NOUN = frozenset(
    "a an the and or but nor of in on at to for from with by as than that which who whom whose when where "
    "while if because so not also still now then there here all both each into over after before since "
    "until about against during without within through across is are was were be been being have has had "
    "do does did will would could should may might must can said say says told think know want need "
    "got get make made take took went go come came see saw win won lost lose beat face hold held often "
    "never only just already themselves they we he she it you i this these those its their set back avoid "
    "work fell broke plan call urge warn hit cut put seek look live stay leave left keep kept begin began "
    "start show tell ask try use play run ran meet met pay paid find found give gave become became remain "
    "agree claim believe expect hope fear help move turn bring brought lead led send sent vote join fight "
    "fought buy bought sell sold spend spent".split()
)
_VERBISH_ENDINGS = ("ing", "ly", "ed")  # "Cubans living", "Tyumens suddenly", "Bryans played"
_CAMEL = re.compile(r"(?<![\w'\u2019@#/.\-])([a-z]{3,})([A-Z][a-z]{2,})(?![\w'\u2019@/\-]|\.\w)")
_LONG_LOWER = re.compile(r"(?<![\w'\u2019@#/.\-])[a-z]{9,}(?![\w'\u2019@/\-]|\.\w)")
_NAME_PARTICLES = frozenset("van von der den del della des les ter ten bin ibn abu mac")
# First or second halves that make ordinary compounds ("nonstarter", "worldwide"), not glued words.
_PREFIXES = frozenset(
    "non anti counter over under out super multi inter intra post pre semi self sub trans ultra mega "
    "micro macro mini cyber bio geo eco tele auto neo pro co re un mis dis".split()
)
_SUFFIXES = frozenset("like less ness wide ward wards wise side ship hood man men woman women able ful".split())
_INFLECTIONS = ("s", "es", "ed", "d", "ing", "ly", "er", "ers", "est")
# Compounds (screenshot, motherboard, carmaking) are made of content words; glue at a removed link
# joins any two words, so a half that is a function word or an inflected verb/adverb gives it away.
_GLUE_HEADS = frozenset(
    "the and that with from this which their there they them than then when where who whose what was were "
    "are has have had will would could should been his her its our your for not but said says also very "
    "about before between such some many more most other these those while because into".split()
)
_GLUE_TAILS = frozenset(
    "the and that with from which their there when where said also because into than then was were not but".split()
)
MIN_PART_COUNT = 50  # each half of a glued word must be this frequent in the news word list
_DOUBLE_SPACE = re.compile(r"(?<=[^\W_])[ \u00a0]{2}(?=[^\W_])")
_WORD_LEFT = re.compile(r"[^\W_]+$")
_WORD_RIGHT = re.compile(r"[^\W_]+")
_BOILERPLATE = re.compile(
    r"""(?:navigation|(?:main\ )?menu|toggle\ navigation|skip\ to\ (?:main\ )?content|home|search|log\ ?in
    |advertisement|advertising|sponsored(?:\ content)?|tweet|e-?mail|print|comments?|\d+\ comments?
    |share(?:\ this(?:\ (?:article|story|post))?)?:?|share\ (?:on|via)\ \w+|leave\ a\ (?:comment|reply)
    |(?:read|see)\ more\b.*|continue\ reading\b.*|click\ here\b.*|also\ read\b.*
    |related(?:\ (?:articles|stories|posts|content|news|coverage))?(?:\s*:.*)?
    |subscribe\b.*|sign\ up\b.*|follow\ us\b.*|join\ our\b.*\b(?:channel|group|newsletter|community)\b.*
    |download\ (?:the|our)\b.*\bapp\b.*|get\ the\ \w+(?:\ \w+)?\ app\b.*
    |(?:we|this\ (?:web)?site)\ uses?\ cookies\b.*|accept(?:\ all)?\ cookies|cookie\ (?:policy|settings|notice)
    |privacy\ policy|terms\ of\ (?:use|service)|(?:copyright\ ?)?(?:©|\(c\)|copyright)\ ?\d{4}\b.*
    |.*\ball\ rights\ reserved\b.*|this\ article\ (?:was\ )?(?:originally|first)\ (?:published|appeared)\b.*
    |(?:photo|image|picture|video)(?:\ by|\s*:)\ .*|\(?(?:additional\ )?(?:reporting|writing|editing)\ by\b.*
    |https?://\S+|www\.\S+|\d{8}|\d{4}-\d\d-\d\d(?:[ T][\d:.]+Z?)?)""",
    re.IGNORECASE | re.VERBOSE,
)
_BULLETS_ONLY = re.compile(r"[\s\u2022\u00b7\u25cf\u25aa\u25a0\u25e6\u2023\u2219*|>\u00bb\u00ab/\\_=~\-\u2013\u2014]+")
MAX_BOILERPLATE_WORDS = 25  # longer lines are prose even when they start like furniture ("Sign up ...")


@lru_cache(maxsize=1)
def word_counts() -> dict[str, int]:
    """The shipped English word list: word -> count in the news corpora (0 for WordNet-only lemmas)."""
    data = gzip.decompress(resources.files("detector").joinpath("resources").joinpath("words.tsv.gz").read_bytes())
    rows = (line.split("\t") for line in data.decode("utf-8").splitlines() if line and line[0] != "#")
    return {word: int(count) for word, count in rows}


def _known(word: str) -> bool:
    """In the word list, directly or after stripping a regular inflection (``rebranded`` -> ``rebrand``)."""
    words = word_counts()
    return word in words or any(
        word.endswith(s) and (word[: -len(s)] in words or word[: -len(s)] + "e" in words) for s in _INFLECTIONS
    )


def _frequent(word: str) -> bool:
    return word_counts().get(word, 0) >= MIN_PART_COUNT


def _rate_per_words(text: str, spans: list[Span]) -> Measured:
    if not text.strip():
        return Measured(math.nan)
    return Measured(per_1000(len(spans), word_count(text)), tuple(sorted(spans)))


def _stripped_possessives(text: str) -> list[Span]:
    """``Russias three demands``: a capitalised word + s, whose bare form the text also uses."""
    capitals = {m.group() for m in _CAPITAL.finditer(text)}
    spans = []
    for m in _CAPITAL_S.finditer(text):
        stem, following = m.group(1), m.group(2)
        if (
            stem in capitals
            and not stem.endswith("s")
            and following not in _NOT_NOUN
            and not following.endswith(_VERBISH_ENDINGS)
            and stem.lower() + "s" not in word_counts()  # a word in its own right: Americans, Democrats
        ):
            spans.append(Span(m.start(), m.start() + len(stem) + 1, "apostrophe_stripped"))
    return spans


@feature("hygiene.apostrophe_stripped.v1")
def apostrophe_stripped(text: str) -> Measured:
    """Contractions and possessives that lost their apostrophe, per 1,000 words.

    Scrapers that drop non-ASCII characters turn ``doesn’t`` into ``doesnt`` and ``Russia’s`` into
    ``Russias``. Contractions that are also words (cant, wont, well, its) are not counted; a
    possessive counts only when its bare form also occurs, a noun-like word follows and the
    ``-s`` form is not itself a word (Americans). Scrape damage, not translation.

    >>> [s.text_of(t) for t in ["He doesnt know Russias demands, Russia said."]
    ...  for s in apostrophe_stripped(t).spans]
    ['doesnt', 'Russias']
    """
    spans = [Span(m.start(), m.end(), "apostrophe_stripped") for m in _CONTRACTION.finditer(text)]
    return _rate_per_words(text, spans + _stripped_possessives(text))


def _inflected(word: str) -> bool:
    """A past tense, participle or adverb of a frequent word (``launched``, ``building``, ``weekly``)."""
    return len(word) >= 6 and any(
        word.endswith(end) and (_frequent(word[: -len(end)]) or _frequent(word[: -len(end)] + "e"))
        for end in ("ed", "ing", "ly")
    )


MAX_GLUED_CHARS = 40


def _glue_split(word: str) -> int | None:
    """Where a lowercase run splits best into two frequent words, one of them a giveaway, or None."""
    if len(word) > MAX_GLUED_CHARS or _known(word):
        return None  # two glued words are rarely longer; longer runs are not prose, and would cost O(n^2)
    best, best_score = None, 0
    for i in range(3, len(word) - 2):
        head, tail = word[:i], word[i:]
        if head in _PREFIXES or tail in _SUFFIXES or not (_frequent(head) and _frequent(tail)):
            continue
        if not (head in _GLUE_HEADS or tail in _GLUE_TAILS or _inflected(head)):
            continue
        score = min(word_counts()[head], word_counts()[tail])
        if score > best_score:
            best, best_score = i, score
    return best


@feature("hygiene.glued_words.v1")
def glued_words(text: str) -> Measured:
    """Words glued together where a link or tag was removed, per 1,000 words.

    Two shapes: a lowercase word running into a capitalised one (``talksMonday``), and a long
    lowercase token that is no English word but splits into two frequent ones (``launchedspecial``).
    Brand names (iPhone, YouTube, McDonald's), name particles and prefixed compounds are left alone.

    >>> [s.text_of(t) for t in ["Officials launchedspecial talksMonday."] for s in glued_words(t).spans]
    ['launchedspecial', 'talksMonday']
    """
    spans = [
        Span(m.start(), m.end(), "glued_words")
        for m in _CAMEL.finditer(text)
        if m.group(1) not in _NAME_PARTICLES and _frequent(m.group(1)) and m.group(2).lower() in word_counts()
    ]
    spans += [Span(m.start(), m.end(), "glued_words") for m in _LONG_LOWER.finditer(text) if _glue_split(m.group())]
    return _rate_per_words(text, spans)


def _is_boilerplate(line: str) -> bool:
    if len(line.split()) > MAX_BOILERPLATE_WORDS:
        return False
    return bool(_BOILERPLATE.fullmatch(line) or _BULLETS_ONLY.fullmatch(line))


@feature("hygiene.boilerplate.v1")
def boilerplate(text: str) -> Measured:
    """Share of non-blank lines that are site furniture, in [0, 1].

    Navigation, share and subscribe prompts ("Join our ... Telegram channel"), app and cookie notices,
    "Read more", copyright and photo-credit lines, bare URLs and bullet-only lines are page
    furniture a scraper kept, not article prose.

    >>> m = boilerplate("Navigation\\nTalks began in Geneva on Monday.")
    >>> m.value, [s.text_of("Navigation\\nTalks began in Geneva on Monday.") for s in m.spans]
    (0.5, ['Navigation'])
    """
    segments = lines(text)
    if not segments:
        return Measured(math.nan)
    spans = []
    for seg in segments:
        stripped = seg.text.strip()
        if _is_boilerplate(stripped):
            start = seg.start + seg.text.index(stripped)
            spans.append(Span(start, start + len(stripped), "boilerplate"))
    return Measured(len(spans) / len(segments), tuple(spans))


@feature("hygiene.dash_stripped.v1")
def dash_stripped(text: str) -> Measured:
    """Double spaces between two words (a removed dash), per 1,000 words.

    A scraper that drops ``—`` from ``demands — like`` leaves ``demands  like``. Double spaces after
    sentence punctuation (typewriter style) and runs of three or more spaces are not counted.

    >>> [s.text_of(t) for t in ["Some demands  like a halt  go too far."] for s in dash_stripped(t).spans]
    ['demands  like', 'halt  go']
    """
    spans = []
    for m in _DOUBLE_SPACE.finditer(text):
        left = _WORD_LEFT.search(text, max(0, m.start() - 100), m.start())
        right = _WORD_RIGHT.match(text, m.end())
        spans.append(Span(left.start(), right.end(), "dash_stripped"))
    return _rate_per_words(text, spans)


_FEATURES = (apostrophe_stripped, glued_words, mojibake, boilerplate, dash_stripped, control_chars)


def damage_spans(text: str) -> tuple[Span, ...]:
    """Every hygiene span in ``text``, sorted and de-duplicated.

    >>> [s.reason for s in damage_spans("Navigation\\nHe doesnt know.")]
    ['boilerplate', 'apostrophe_stripped']
    """
    return tuple(sorted({span for func in _FEATURES for span in func(text).spans}))
