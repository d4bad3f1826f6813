"""Hypothesis generators shared by the fuzz suite: awkward text, awkward files, awkward JSON lines.

Texts are built from fragments (real English sentences from ``tests/cases``, words, names and titles,
punctuation, numbers, right-to-left and CJK script, emoji, combining marks, control characters) so that
a good share of them are long enough English to be scored for real, while the rest probe the edges.
Every JSON line is generated together with what the gate must do with it (:class:`Line`), so the gate
tests check routing against an expectation written here, not against the gate's own code.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

from hypothesis import strategies as st

from casedata import cases
from detector.gate.records import _is_utf8

BOM = b"\xef\xbb\xbf"
_SENT = re.compile(r"[^.!?\n]+[.!?]+[\"”’)]*")


def _sentences() -> list[str]:
    out = []
    for case in cases("seeds", "negative", "synthetic"):
        out += [s.strip() for s in _SENT.findall(case["text"]) if 4 <= len(s.split()) <= 60]
    return sorted(set(out))


SENTENCES = _sentences()


def _sentence(i: int) -> str:
    return SENTENCES[i]


sentence = st.integers(0, len(SENTENCES) - 1).map(_sentence)  # (sampled_from's repr would list them all)
WORDS = ("the talks in Geneva ended on Monday without a deal officials said not non-negotiable security "
         "alliance doesnt U.S. US launchedspecial talksMonday Mr. Dr. e.g. etc").split()
NAMES = ["Annalena Baerbock", "Annalena Berbock", "Deputy Secretary of State Wendy Sherman",
         "Foreign Minister Sergei Ryabkov", "President Joe Biden", "Vladimir Putin", "Olha Stefanishyna"]
PUNCTUATION = list(".,;:!?…—–-\"'“”‘’„«»()[]{}/\\*&%$#@^~`|<>+=_")
DIGITS = list("0123456789") + ["1,000", "3.14", "-7", "1e9", "١٢٣", "४२", "½", "²", "Ⅻ", "🔟"]
RTL = ["مرحبا بالعالم", "قال المسؤولون إن المحادثات انتهت", "שלום עולם", "הדיון הסתיים ללא הסכם",
       "\u202eevil\u202c", "\u200f", "\u200e", "\u2067rtl\u2069", "\u061c"]
CJK = ["日本語のテキスト", "会谈于周一结束。", "한국어 문장입니다", "中文，标点。", "ｆｕｌｌｗｉｄｔｈ", "〇一二三"]
EMOJI = ["😀", "👩‍👩‍👧‍👦", "🇩🇪", "🇺🇦", "👍🏽", "❤️", "🏳️‍🌈", "\ufe0f", "\u200d", "🀄", "𝔘𝔫𝔦𝔠𝔬𝔡𝔢"]
COMBINING = ["e\u0301", "n\u0303", "\u0301", "a\u0308\u0304\u0323", "Z\u0351\u0352\u0353\u0354\u0355" * 3,
             "\u0300" * 30]
CONTROLS = [chr(c) for c in range(0x20)] + ["\x7f"] + [chr(c) for c in range(0x80, 0xa0)] + [
    "\u2028", "\u2029", "\ufeff", "\u200b", "\u00ad", "\u2060", "\ufffd", "\uffff", "\U0010ffff", "\x00" * 5]
MOJIBAKE = ["â€™", "Ã©", "â€œ", "Â ", "Ã¼ber", "â€”"]
SPACES = [" ", " ", " ", "  ", "\n", "\n\n", "\r\n", "\t", "\u00a0", "\u3000", "\u2003", "\x0b", "\x0c", "\x85"]
WHITESPACE = [chr(c) for c in range(0x110000) if chr(c).isspace()]  # what str.strip() removes
SURROGATES = ["\ud800", "\udfff", "\udcff", "\udc80", "\ud83d"]  # lone halves; \udcXX: surrogateescape

scripts = st.sampled_from(RTL + CJK + EMOJI + COMBINING + MOJIBAKE)
fragment = st.one_of(
    sentence, sentence, st.sampled_from(WORDS), st.sampled_from(NAMES),
    st.sampled_from(PUNCTUATION), st.sampled_from(DIGITS), st.integers().map(str),
    st.floats(allow_nan=True).map(repr), scripts, st.sampled_from(CONTROLS),
    st.text(st.characters(exclude_categories=("Cs",)), max_size=6))


@st.composite
def joined(draw, parts, min_size=0, max_size=40) -> str:
    """Fragments joined by mostly plain spaces."""
    items = draw(st.lists(parts, min_size=min_size, max_size=max_size))
    seps = draw(st.lists(st.sampled_from(SPACES), min_size=len(items), max_size=len(items)))
    return "".join(x + s for x, s in zip(items, seps))


def only(chars: list[str], max_size=300):
    return joined(st.sampled_from(chars), max_size=max_size)


texts = st.one_of(
    joined(fragment),  # the mix: English sentences with everything else in between
    joined(sentence, min_size=3),  # plain prose, long enough to be scored for real
    st.text(max_size=200),  # any unicode (no lone surrogates)
    st.text(st.characters(codec="utf-8"), max_size=60),
    only(PUNCTUATION), only(DIGITS), only(RTL), only(CJK), only(EMOJI), only(COMBINING), only(CONTROLS),
    only(SPACES, max_size=20), only(WHITESPACE, max_size=20),
    st.sampled_from(["", " ", "\x00", "\ufeff", "\u202e", "a", "..."]),
)


@st.composite
def with_surrogates(draw) -> str:
    """A text holding at least one lone surrogate (as ``bytes.decode('utf-8', 'surrogateescape')`` makes)."""
    base = draw(texts)
    at = draw(st.integers(0, len(base)))
    return base[:at] + draw(st.sampled_from(SURROGATES)) + base[at:]


def file_bytes():
    """What a file given to ``detect score``/``compare`` may hold: text, or bytes that may not be UTF-8."""
    return st.one_of(
        texts.map(lambda t: t.encode("utf-8")), texts.map(lambda t: t.encode("utf-8")),
        st.binary(max_size=200),
        st.tuples(texts, st.binary(min_size=1, max_size=4), texts).map(
            lambda p: p[0].encode() + p[1] + p[2].encode()),
        texts.map(lambda t: BOM + t.encode()),  # a byte-order mark
        texts.map(lambda t: t.encode("utf-16")),
    )


# --- JSON lines for the gate -------------------------------------------------------------------------

SCORED, FIELD_CONFLICT, MISSING_TEXT, EMPTY_TEXT = "scored", "field_conflict", "missing_text", "empty_text"
SURROGATE_TEXT, BAD_BYTES, INVALID_JSON = "surrogate_text", "bad_bytes", "invalid_json"
DUPLICATE_KEY = "duplicate_key"
OBJECT_KINDS = {SCORED, FIELD_CONFLICT, MISSING_TEXT, EMPTY_TEXT, SURROGATE_TEXT, DUPLICATE_KEY}  # an object that parses


@dataclass(frozen=True)
class Line:
    """One generated input line (``raw``: no line break) and what it is: ``kind`` is ``scored`` or the
    reject reason the gate must give (``surrogate_text`` and ``bad_bytes`` are both ``decode_error``)."""

    raw: bytes
    kind: str
    has_id: bool = False
    id: object = None
    has_reason: bool = False  # a top-level "reason" field: a rejection must be wrapped
    empty: bool = False  # the object is {}

    @property
    def reason(self) -> str:
        return "decode_error" if self.kind in (SURROGATE_TEXT, BAD_BYTES) else self.kind


RESERVED = {"text", "id", "detector", "reason"}
keys = st.text(max_size=8).filter(lambda k: k not in RESERVED)
finite = st.floats(allow_nan=False, allow_infinity=False)  # NaN and Infinity are not JSON: invalid_json lines
scalars = st.one_of(st.none(), st.booleans(), st.integers(-10 ** 30, 10 ** 30), finite,
                    st.text(max_size=20))
json_values = st.recursive(scalars, lambda inner: st.one_of(st.lists(inner, max_size=4),
                                                            st.dictionaries(keys, inner, max_size=4)),
                           max_leaves=12)
not_text = st.one_of(st.none(), st.booleans(), st.integers(), finite,
                     st.lists(scalars, max_size=3), st.dictionaries(keys, scalars, max_size=3))
scorable = texts.filter(lambda t: bool(t.strip()))


@st.composite
def encode(draw, obj: dict, ascii_only: bool | None = None) -> bytes:
    """``obj`` as one JSON line, with varied escaping, separators and surrounding spaces."""
    ascii_only = draw(st.booleans()) if ascii_only is None else ascii_only
    seps = draw(st.sampled_from([(", ", ": "), (",", ":"), (" ,  ", " :\t")]))
    body = json.dumps(obj, ensure_ascii=ascii_only, separators=seps).encode("utf-8")
    return draw(st.sampled_from([b"", b" ", b"\t "])) + body


@st.composite
def record(draw, text_value=None, has_text=True, detector=False, allow_reason=True) -> tuple[dict, dict]:
    """A record dict (fields in a drawn order) and the facts a :class:`Line` needs."""
    fields = draw(st.dictionaries(keys, json_values, max_size=3))
    facts = {}
    if draw(st.booleans()):
        facts["has_id"], facts["id"] = True, draw(st.one_of(scalars, json_values))
        fields["id"] = facts["id"]
    if allow_reason and draw(st.integers(0, 5)) == 0:
        facts["has_reason"] = True
        fields["reason"] = draw(scalars)
    if has_text:
        fields["text"] = text_value
    if detector:
        fields["detector"] = draw(json_values)
    order = draw(st.permutations(list(fields)))
    return {k: fields[k] for k in order}, facts


@st.composite
def scored_line(draw) -> Line:
    obj, facts = draw(record(draw(scorable)))
    return Line(draw(encode(obj)), SCORED, **facts)


@st.composite
def problem_line(draw) -> Line:
    kind = draw(st.sampled_from([FIELD_CONFLICT, MISSING_TEXT, MISSING_TEXT, EMPTY_TEXT, SURROGATE_TEXT,
                                 DUPLICATE_KEY]))
    if kind == DUPLICATE_KEY:  # a key named twice: the first value differs, json keeps the last
        obj, facts = draw(record(draw(scorable)))
        raw = draw(encode(obj))
        key = draw(st.sampled_from(sorted(obj)))
        brace = raw.index(b"{") + 1
        first = json.dumps(key).encode() + b": " + json.dumps(draw(json_values)).encode() + b", "
        return Line(raw[:brace] + first + raw[brace:], kind, **facts)
    if kind == FIELD_CONFLICT:
        obj, facts = draw(record(draw(st.one_of(scorable, not_text)), has_text=draw(st.booleans()), detector=True))
    elif kind == MISSING_TEXT:
        obj, facts = draw(record(draw(not_text), has_text=draw(st.booleans())))
    elif kind == EMPTY_TEXT:
        obj, facts = draw(record(draw(only(WHITESPACE, max_size=5))))
    else:
        obj, facts = draw(record(draw(with_surrogates())))
        return Line(draw(encode(obj, ascii_only=True)), kind, **facts)  # "\ud800" escapes: valid UTF-8
    return Line(draw(encode(obj)), kind, empty=not obj, **facts)


def _deep(depth: int, kind: str) -> bytes:
    if kind == "array":
        return b"[" * depth + b"]" * depth
    if kind == "object":
        return b'{"a": ' * depth + b"1" + b"}" * depth
    return b'{"text": "Deeply nested, with a text.", "x": ' + b"[" * depth + b"]" * depth + b"}"


@st.composite
def invalid_json_line(draw) -> Line:
    """UTF-8 that is not one JSON object, or JSON too deep for Python's parser (RecursionError)."""
    choice = draw(st.integers(0, 9))
    if choice == 0:  # a proper prefix of a record: never a complete object
        full = draw(scored_line()).raw.decode("utf-8").rstrip()
        return Line(full[: draw(st.integers(0, len(full) - 1))].encode("utf-8"), INVALID_JSON)
    if choice == 1:  # JSON, but not an object
        value = draw(st.one_of(scalars, st.lists(json_values, max_size=3)))
        return Line(json.dumps(value, ensure_ascii=False).encode("utf-8"), INVALID_JSON)
    if choice == 2:  # blank
        return Line(draw(st.sampled_from([b"", b" ", b"\t", b"\r", b"  \t  ", b"\r\r"])), INVALID_JSON)
    if choice == 3:  # nested far beyond the recursion limit
        depth = draw(st.sampled_from([2_000, 10_000, 100_000]))
        return Line(_deep(depth, draw(st.sampled_from(["array", "object", "inside"]))), INVALID_JSON)
    if choice == 4:  # raw NUL or other control bytes inside a string (strict JSON refuses them)
        ctrl = draw(st.sampled_from([b"\x00", b"\x01", b"\x1f", b"\x00\x00\x00", b"\x0b", b"\r"]))
        return Line(b'{"text": "Talks' + ctrl + b'ended without a deal."}', INVALID_JSON)
    if choice == 5:  # a byte-order mark on a line other than the first
        return Line(BOM + draw(scored_line()).raw, INVALID_JSON)
    if choice == 6:  # two records on one line
        return Line(draw(scored_line()).raw + b" " + draw(scored_line()).raw, INVALID_JSON)
    if choice == 7:  # not JSON: a trailing comma, single quotes, NaN and Infinity (Python reads those)
        return Line(draw(st.sampled_from([b'{"text": "a",}', b'{"text": "Talks ended.", "x": NaN}',
                                          b'{"id": Infinity, "text": "Talks ended."}', b'{"text": "a", "n": -Infinity}', b"{'text': 'single quotes'}", b'{"text" "x"}',
                                          b"{text: 1}", b'{"a": 1}}', b"}{", b"{", b"}", b'"\\ud800"',
                                          b'{"text": "bad \\x escape"}', b"\x00", b"\x00" * 50])), INVALID_JSON)
    garbage = draw(st.text(max_size=40)).replace("\n", " ")
    return Line(("#" + garbage).encode("utf-8"), INVALID_JSON)


@st.composite
def bad_bytes_line(draw) -> Line:
    """Bytes that are not UTF-8, in a record or alone (no line break inside)."""
    bad = draw(st.sampled_from([b"\xff", b"\xe9", b"\xc3", b"\x80", b"\xed\xa0\x80", b"\xf8\x88\x80\x80\x80",
                                b"\xc0\xaf", b"\xf4\x90\x80\x80", b"\xfe\xff"]))
    if draw(st.booleans()):
        return Line(b'{"id": 1, "text": "caf' + bad + b' au lait"}', BAD_BYTES)  # never parsed: no id
    raw = (draw(st.binary(max_size=20)) + bad + draw(st.binary(max_size=20))).replace(b"\n", b" ")
    return Line(raw if not _is_utf8(raw) else raw + b"\xff", BAD_BYTES)  # "\xc3" + "\xa9" is UTF-8 again


any_line = st.one_of(scored_line(), scored_line(), scored_line(), problem_line(), problem_line(),
                     invalid_json_line(), bad_bytes_line())
ENDINGS = [b"\n", b"\n", b"\n", b"\r\n", b" \t\n", b"\r\r\n"]


@st.composite
def jsonl_files(draw, max_lines=10) -> tuple[bytes, list[Line]]:
    """A whole input file and its lines: mixed line endings, maybe a BOM, maybe no final line break."""
    lines = draw(st.lists(any_line, min_size=0, max_size=max_lines))
    if lines and (lines[0].raw.startswith(BOM) or draw(st.integers(0, 4)) == 0):
        first = lines[0]  # one BOM on line 1 is dropped before parsing
        lines[0] = Line(BOM + first.raw, first.kind, first.has_id, first.id, first.has_reason,
                        first.empty)
    endings = draw(st.lists(st.sampled_from(ENDINGS), min_size=len(lines), max_size=len(lines)))
    if lines and lines[-1].raw and draw(st.booleans()):
        endings[-1] = b""  # the last line has no line break (an empty one would be no line at all)
    return b"".join(line.raw + end for line, end in zip(lines, endings)), lines
