"""Fuzz ``detector.compare`` and ``detect compare``: any pair of texts gives a well-formed comparison (every
pair and edit span inside its text) or a documented error, never a traceback; a text compared with
itself is ``derived`` with no edits.
"""
import json
import os
import time

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from detector.compare.align import MAX_UNITS, units
from detector.cli import app
from detector.compare import MAX_CHARS, compare
from detector.errors import InputError
from fuzz.checks import FUZZ, check_comparison, count, shared_detector
from fuzz.strategies import (CJK, EMOJI, PUNCTUATION, RTL, SENTENCES, SPACES, WORDS, file_bytes, fragment, joined,
                             sentence, texts, with_surrogates)

runner = CliRunner()
det = shared_detector  # one detector for the session (hypothesis runs every example in one test call)


EDITS = st.sampled_from([
    lambda w: w + "s", lambda w: w[:-1] if len(w) > 1 else w, lambda w: w.upper(), lambda w: "not " + w,
    lambda w: w + " ,", lambda w: w + ".” ,", lambda w: "”" + w, lambda w: "non-" + w, lambda w: w + " 1,000",
    lambda w: "", lambda w: w + " " + w, lambda w: w.replace("a", "e"), lambda w: "Berbock",
])


@st.composite
def derived(draw, source=texts):
    """A text and a version of it with words edited, dropped, doubled or damaged (a rough round trip)."""
    original = draw(source)
    words = original.split(" ")
    for _ in range(draw(st.integers(0, 6))):
        if not words:
            break
        i = draw(st.integers(0, len(words) - 1))
        words[i] = draw(EDITS)(words[i])
    suspect = " ".join(words)
    if draw(st.booleans()):
        cut = draw(st.integers(0, len(suspect)))
        suspect = suspect[cut:] + " " + suspect[:cut]  # reordered
    return (suspect, original) if draw(st.booleans()) else (original, suspect)


pairs = st.one_of(st.tuples(texts, texts), derived(), derived(joined(sentence, min_size=2)),
                  texts.map(lambda t: (t, t)), st.tuples(texts, st.just("")), st.tuples(st.just(""), texts))


@settings(FUZZ, max_examples=2500)
@given(pairs)
def test_compare_any_pair(pair):
    count("test_compare_any_pair")
    suspect, original = pair
    check_comparison(compare(suspect, original), suspect, original)


@settings(FUZZ, max_examples=200)
@given(derived(joined(st.one_of(sentence, fragment), min_size=2, max_size=20)))
def test_compare_with_a_detector(pair):
    count("test_compare_with_a_detector")
    suspect, original = pair
    c = compare(suspect, original, detector=det())
    check_comparison(c, suspect, original)
    assert c.p_machine_suspect is not None and c.p_machine_original is not None


distinct_sentences = st.lists(st.sampled_from(range(len(SENTENCES))), min_size=1, max_size=12, unique=True).map(
    lambda picks: [SENTENCES[i] for i in picks])


@settings(FUZZ, max_examples=500)
@given(distinct_sentences, st.lists(st.sampled_from(SPACES + [" \u202e", " 😀 ", " 日本 "]), min_size=12, max_size=12))
def test_a_text_compared_with_itself_is_derived_without_edits(sentences, seps):
    count("test_a_text_compared_with_itself_is_derived_without_edits")
    text = "".join(s + sep for s, sep in zip(sentences, seps))
    norms = [u.norms for u in units(text)]
    assume(norms and len(set(norms)) == len(norms))  # repeated sentences may align to one occurrence
    c = compare(text, text)
    check_comparison(c, text, text)
    assert c.verdict == "derived" and c.share_aligned == c.coverage == 1.0
    assert not [e for p in c.pairs for e in p.edits]


@settings(FUZZ, max_examples=150)
@given(with_surrogates(), texts, st.booleans())
def test_compare_lone_surrogates_are_an_input_error(text, other, first):
    count("test_compare_lone_surrogates_are_an_input_error")
    with pytest.raises(InputError, match="surrogate"):
        compare(*((text, other) if first else (other, text)), detector=det())


@settings(FUZZ, max_examples=400)
@given(files=st.one_of(st.tuples(file_bytes(), file_bytes()), pairs.map(lambda p: (p[0].encode(), p[1].encode()))),
       no_score=st.booleans())
def test_cli_compare_any_files(tmp_path_factory, fake_cli, files, no_score):
    count("test_cli_compare_any_files")
    folder = tmp_path_factory.mktemp("compare")
    paths = [folder / "suspect.txt", folder / "original.txt"]
    for path, data in zip(paths, files):
        path.write_bytes(data)
    res = runner.invoke(app, ["compare", *map(str, paths), "--json"] + (["--no-score"] if no_score else []))
    check_cli_compare(res, files)


def check_cli_compare(res, files):
    assert "Traceback" not in res.output + res.stderr
    assert res.exception is None or isinstance(res.exception, SystemExit), repr(res.exception)
    try:
        suspect, original = (f.decode("utf-8") for f in files)
    except UnicodeDecodeError:
        suspect = None
    if suspect is None or res.exit_code == 2:
        err = res.stderr.strip()
        assert res.exit_code == 2 and err.startswith("error: ") and len(err.splitlines()) == 1, res.stderr
        assert suspect is None or max(len(suspect), len(original)) > MAX_CHARS or "sentences" in err
        return
    assert res.exit_code == 0, res.stderr
    d = json.loads(res.stdout)
    assert d["verdict"] in {"derived", "independent", "unrelated"}
    for pair in d["pairs"]:
        for side, text in (("suspect", suspect), ("original", original)):
            assert 0 <= pair[side]["start"] < pair[side]["end"] <= len(text)
        for e in pair["edits"]:
            assert e["suspect"]["text"] == suspect[e["suspect"]["start"]:e["suspect"]["end"]]
            assert e["original"]["text"] == original[e["original"]["start"]:e["original"]["end"]]


# --- large and single-script cases, not generated ------------------------------------------------------

TEN_MB = 10 * 1024 * 1024
PROSE = " ".join(SENTENCES)


def _repeat(parts, size, sep=" "):
    unit = sep.join(parts) + sep
    return (unit * (size // len(unit) + 1))[:size]


def test_ten_megabyte_line_is_refused_quickly(tmp_path, fake_cli):
    big = _repeat([PROSE.replace("\n", " ")], TEN_MB)
    started = time.monotonic()
    with pytest.raises(InputError, match="characters"):
        compare(big, PROSE)
    with pytest.raises(InputError, match="characters"):
        compare(PROSE, "x" * TEN_MB)
    paths = [tmp_path / "big.txt", tmp_path / "small.txt"]
    paths[0].write_text(big, encoding="utf-8")
    paths[1].write_text(PROSE, encoding="utf-8")
    res = runner.invoke(app, ["compare", *map(str, paths)])
    check_cli_compare(res, [p.read_bytes() for p in paths])
    assert res.exit_code == 2 and time.monotonic() - started < 30


SLOW_BEFORE = {  # pairs under the size limits that took minutes before (quadratic difflib and span matching)
    "one_long_sentence": lambda: (_repeat([w for w in WORDS if w.isalpha()], 50_000),
                                  _repeat([w for w in reversed(WORDS) if w.isalpha()], 50_000)),
    "repeated_damaged_sentence": lambda: ("He said. , it was done. " * 800, "She said. , it was done. ; " * 700),
    "many_stray_quotes": lambda: ("a b c” " * 1500, "a b d” " * 1500),
    "long_quotation": lambda: ("“" + _repeat([s.rstrip(".!?") for s in SENTENCES], 50_000, ", ") + "”",
                               "“" + _repeat([s.rstrip(".!?") for s in SENTENCES], 50_000, ", ") + "”"),
}


@pytest.mark.parametrize("name", sorted(SLOW_BEFORE))
def test_adversarial_pairs_finish_quickly(name):
    suspect, original = SLOW_BEFORE[name]()
    started = time.monotonic()
    check_comparison(compare(suspect, original), suspect, original)
    assert time.monotonic() - started < 15


def test_too_many_sentences_is_an_input_error():
    text = "Talks ended on Monday. " * (MAX_UNITS + 1)
    with pytest.raises(InputError, match="sentences"):
        compare(text, "Talks ended on Monday.")


SCRIPTS = {
    "only_punctuation": _repeat(PUNCTUATION, 20_000, ""),
    "only_numbers": _repeat([str(i) for i in range(5000)], 20_000),
    "arabic_hebrew": _repeat(RTL, 20_000),
    "cjk": _repeat(CJK, 20_000, "。"),
    "emoji": _repeat(EMOJI, 20_000),
    "english_prose": PROSE[:20_000],
}


@pytest.mark.parametrize("a", sorted(SCRIPTS))
def test_single_script_texts(a):
    for b in SCRIPTS:
        check_comparison(compare(SCRIPTS[a], SCRIPTS[b]), SCRIPTS[a], SCRIPTS[b])


def test_file_names_that_are_not_utf8(tmp_path, fake_cli):
    """Names that are not UTF-8 go into the HTML pages' titles and the printed paths, escaped, not fatal."""
    suspect, original = tmp_path / os.fsdecode(b"s\xe9.txt"), tmp_path / os.fsdecode(b"o\xff.txt")
    suspect.write_text(PROSE[:3000], encoding="utf-8")
    original.write_text(PROSE[:2500], encoding="utf-8")
    page = tmp_path / os.fsdecode(b"page\xe9.html")
    res = runner.invoke(app, ["compare", str(suspect), str(original), "--html", str(page)])
    assert res.exit_code == 0 and "Traceback" not in res.output, res.output
    assert "s\\xe9.txt" in page.read_text(encoding="utf-8")
    res = runner.invoke(app, ["explain", str(suspect), "--html", str(page)])
    assert res.exit_code == 0 and "Traceback" not in res.output, res.output
    assert res.stdout.startswith(str(tmp_path / "page\\xe9.html")) and "s\\xe9.txt" in page.read_text(encoding="utf-8")
