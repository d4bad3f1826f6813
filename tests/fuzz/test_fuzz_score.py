"""Fuzz ``Detector.score`` and ``detect score``: any text or file gives a well-formed score or a documented
error (``InputError``; exit 2 with one line on stderr), never a traceback.

The fake token scorer stands in for the LM (``StrictScorer`` also refuses what the real tokenizer refuses).
"""
import json
import os
import string

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from detector.cli import app
from detector.cli_io import looks_utf16
from detector.errors import InputError
from fuzz.checks import FUZZ, check_score, check_score_dict, check_score_raises_or_holds, count, shared_detector
from fuzz.strategies import (CJK, COMBINING, CONTROLS, DIGITS, EMOJI, PUNCTUATION, RTL, SENTENCES, SURROGATES,
                             file_bytes, texts, with_surrogates)

runner = CliRunner()
TEN_MB = 10 * 1024 * 1024
det = shared_detector  # one detector for the session (hypothesis runs every example in one test call)


@settings(FUZZ, max_examples=2000)
@given(texts)
def test_score_any_text(text):
    count("test_score_any_text")
    check_score(det().score(text), text, det())


@settings(FUZZ, max_examples=150)
@given(st.lists(texts, min_size=1, max_size=4))
def test_score_many_is_score_one_by_one(batch):
    count("test_score_many_is_score_one_by_one")
    together = det().score_many(batch)
    assert len(together) == len(batch)
    for text, score in zip(batch, together):
        check_score(score, text, det())
        alone = det().score(text)
        assert json.dumps(alone.as_dict(text)) == json.dumps(score.as_dict(text))


@settings(FUZZ, max_examples=300)
@given(with_surrogates())
def test_lone_surrogates_are_an_input_error(text):
    """A str with a lone surrogate (what ``surrogateescape`` decoding makes) is not text any scorer can
    read: the real tokenizer raises TypeError. The library must say so with its own error."""
    count("test_lone_surrogates_are_an_input_error")
    with pytest.raises(InputError, match="surrogate"):
        det().score(text)


@settings(FUZZ, max_examples=200)
@given(st.one_of(st.binary(max_size=40), st.integers(), st.none(), st.lists(st.text(max_size=5), max_size=3)))
def test_non_text_is_an_input_error(value):
    count("test_non_text_is_an_input_error")
    with pytest.raises(InputError):
        det().score(value)


def _utf8(data: bytes):
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return None


def check_cli_score(res, contents: list[bytes], paths: list[str], as_json: bool) -> None:
    assert "Traceback" not in res.output + res.stderr
    assert res.exception is None or isinstance(res.exception, SystemExit), repr(res.exception)
    decoded = [_utf8(c) for c in contents]
    if any(d is None for d in decoded):
        err = res.stderr.strip()
        assert res.exit_code == 2 and err.startswith("error: ") and len(err.splitlines()) == 1, res.stderr
        utf16 = looks_utf16(next(c for c, d in zip(contents, decoded) if d is None))  # the first bad file is named
        assert ("is UTF-16, not UTF-8" if utf16 else "not valid UTF-8") in err and res.stdout == ""
        return
    assert res.exit_code in (0, 1), (res.exit_code, res.stderr)
    out = res.stdout.split("\n")  # not splitlines(): "\u2028" and "\x85" may be inside a line
    assert out[-1] == "" and len(out) - 1 == len(paths)
    verdicts = []
    for line, path, text in zip(out, paths, decoded):
        if as_json:
            d = json.loads(line)
            assert d["path"] == path
            check_score_dict(d, text)
            verdicts.append(d["verdict"])
        else:
            name, p, verdict, _ = line.split("\t", 3)
            assert name == path and (p == "-" or 0.0 <= float(p) <= 1.0)
            verdicts.append(verdict)
    assert res.exit_code == (1 if "machine" in verdicts else 0)


@settings(FUZZ, max_examples=500)
@given(contents=st.lists(file_bytes(), min_size=1, max_size=3), as_json=st.booleans())
def test_cli_score_any_file(tmp_path_factory, fake_cli, contents, as_json):
    count("test_cli_score_any_file")
    folder = tmp_path_factory.mktemp("score")
    paths = []
    for i, data in enumerate(contents):
        path = folder / f"in{i}.txt"
        path.write_bytes(data)
        paths.append(str(path))
    res = runner.invoke(app, ["score", *paths] + (["--json", "--features"] if as_json else []))
    check_cli_score(res, contents, paths, as_json)


@settings(FUZZ, max_examples=200)
@given(file_bytes())
def test_cli_score_stdin(fake_cli, data):
    count("test_cli_score_stdin")
    res = runner.invoke(app, ["score", "-", "--json"], input=data)
    check_cli_score(res, [data], ["-"], True)


# --- a few large and single-script cases, not generated ------------------------------------------------

def _repeat(parts, size, sep=" "):
    unit = sep.join(parts) + sep
    return (unit * (size // len(unit) + 1))[:size]


PROSE = " ".join(SENTENCES)
SPECIAL = {
    "ten_mb_single_line": _repeat([PROSE.replace("\n", " ")], TEN_MB),
    "ten_mb_one_word": "x" * TEN_MB,
    "ten_mb_nul": "\x00" * TEN_MB,
    "only_punctuation": _repeat(PUNCTUATION, 200_000, ""),
    "only_numbers": _repeat(DIGITS, 200_000),
    "only_ascii_digits": _repeat(list(string.digits), 200_000, ""),
    "arabic_hebrew": _repeat(RTL, 200_000),
    "cjk": _repeat(CJK, 200_000, ""),
    "emoji": _repeat(EMOJI, 200_000, ""),
    "combining": _repeat(COMBINING, 200_000, ""),
    "controls": _repeat(CONTROLS, 200_000, ""),
    "english_with_rtl_overrides": _repeat(SENTENCES[:40], 20_000, " \u202e"),
    "one_long_sentence": _repeat([s.rstrip(".!?") for s in SENTENCES], 300_000, ", "),
}


@pytest.mark.parametrize("name", sorted(SPECIAL))
def test_score_special_texts(name):
    text = SPECIAL[name]
    check_score(det().score(text), text, det())


def test_score_surrogate_escaped_text():
    text = ("Talks ended without a deal. " * 10).encode() + b"\xff\xfe caf\xe9"
    check_score_raises_or_holds(det(), text.decode("utf-8", "surrogateescape"))
    for s in SURROGATES:
        with pytest.raises(InputError):
            det().score("A text " * 20 + s)


def test_cli_score_ten_megabyte_line(tmp_path, fake_cli):
    path = tmp_path / "big.txt"
    data = SPECIAL["ten_mb_single_line"].encode("utf-8")
    path.write_bytes(data)
    res = runner.invoke(app, ["score", str(path), "--json"])
    check_cli_score(res, [data], [str(path)], True)
    bad = tmp_path / "bad.txt"
    bad.write_bytes(data[: TEN_MB // 2] + b"\xff" + data[TEN_MB // 2:])
    res = runner.invoke(app, ["score", str(bad)])
    assert res.exit_code == 2 and f"byte {TEN_MB // 2}" in res.stderr and len(res.stderr.splitlines()) == 1



def test_file_names_that_are_not_utf8(tmp_path, fake_cli):
    """A file name with bytes that are not UTF-8 arrives as a surrogate-escaped str; it is shown, not fatal."""
    path = tmp_path / os.fsdecode(b"caf\xe9.txt")
    path.write_text(SPECIAL["english_with_rtl_overrides"][:3000], encoding="utf-8")
    for args in (["--json"], []):
        res = runner.invoke(app, ["score", str(path), *args])
        assert res.exit_code in (0, 1) and "Traceback" not in res.output, res.output
        shown = json.loads(res.stdout)["path"] if args else res.stdout.split("\t")[0]
        assert shown == str(tmp_path / "caf\\xe9.txt")
