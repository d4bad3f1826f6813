"""What the fuzz tests assert, and the count of generated cases they actually ran.

Each property test calls :func:`count` once per example it executes; ``tests/fuzz/conftest.py`` prints
the totals and ``test_zz_case_count.py`` checks there were at least :data:`MIN_CASES`.
"""
from __future__ import annotations

import base64
import json
import math
from collections import Counter

from hypothesis import HealthCheck, settings

from detector.compare.edits import EDIT_KINDS
from detector.errors import InputError
from fakes import FakeScorer
from fuzz.strategies import BAD_BYTES, BOM, DUPLICATE_KEY, FIELD_CONFLICT, INVALID_JSON, OBJECT_KINDS, SCORED, Line

MIN_CASES = 10_000
CASES: Counter = Counter()  # test name -> examples executed in this session
VERDICTS = {"machine", "clean", "too_short", "not_english"}
ANNOTATION_KEYS = {"p_machine", "verdict", "threshold", "reasons", "hygiene", "model"}

# Reproducible in CI: the same examples on every run, nothing read from or written to a database.
FUZZ = settings(deadline=None, derandomize=True, database=None, print_blob=True,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                       HealthCheck.large_base_example, HealthCheck.filter_too_much,
                                       HealthCheck.function_scoped_fixture])  # monkeypatch: one patch, all examples


def count(name: str) -> None:
    CASES[name] += 1


class StrictScorer(FakeScorer):
    """The fake scorer, refusing what the real tokenizer refuses: ``tokenizers`` raises
    ``TypeError: TextInputSequence must be str`` for a string holding a lone surrogate."""

    def score_many(self, texts, *args, **kwargs):
        for t in texts:
            try:
                t.encode("utf-8")
            except UnicodeEncodeError:
                raise TypeError("TextInputSequence must be str") from None
        return super().score_many(texts, *args, **kwargs)


_DETECTOR = None


def shared_detector():
    """One detector with the strict fake scorer for the whole fuzz session (loaded on first use)."""
    global _DETECTOR
    if _DETECTOR is None:
        from detector import Detector

        _DETECTOR = Detector(scorer=StrictScorer())
    return _DETECTOR


def check_probability(p, verdict: str) -> None:
    """p_machine is a finite probability; NaN (JSON null) only for ``not_english``, which has no score."""
    if p is None or (isinstance(p, float) and math.isnan(p)):
        assert verdict == "not_english", (p, verdict)
        return
    assert isinstance(p, float) and math.isfinite(p) and 0.0 <= p <= 1.0, p


def expected_threshold(threshold, score) -> float:
    """The threshold a score reports: ``threshold`` itself, or, given a Detector, its band's for the text's
    length (detector.bands), the Detector's one threshold where the band abstains or the text is not English."""
    bands = getattr(threshold, "bands", None)
    if bands is None:
        return threshold
    t = bands.threshold(score.words)
    return threshold.threshold if t is None or score.verdict == "not_english" else t


def check_score(score, text: str, threshold) -> None:
    """One :class:`~detector.api.Score` against the text it was computed from (``threshold``: a number, or
    the Detector that scored it)."""
    assert score.verdict in VERDICTS, score.verdict
    check_probability(score.p_machine, score.verdict)
    assert score.threshold == expected_threshold(threshold, score) and 0 <= score.words
    assert all(isinstance(r, str) and r for r in score.reasons)
    for span in score.spans + score.hygiene_spans:
        assert 0 <= span.start < span.end <= len(text), (span, len(text))
        assert isinstance(span.reason, str) and span.reason
    assert set(score.hygiene_flags) == {s.reason for s in score.hygiene_spans}
    check_score_dict(score.as_dict(text, with_features=True), text)


def check_score_dict(d: dict, text: str) -> None:
    """A score as JSON (``Score.as_dict``, ``detect score --json``): strict JSON, spans that quote the text."""
    json.dumps(d, allow_nan=False)  # no NaN or Infinity anywhere, features included
    assert d["verdict"] in VERDICTS
    check_probability(d["p_machine"], d["verdict"])
    for span in d["spans"] + d["hygiene"]["spans"]:
        assert 0 <= span["start"] < span["end"] <= len(text), (span, len(text))
        assert span["text"] == text[span["start"]:span["end"]]


def check_score_raises_or_holds(detector, text: str) -> None:
    """Scoring either raises the documented :class:`InputError` or gives a well-formed score."""
    try:
        score = detector.score(text)
    except InputError as e:
        assert str(e) and "\n" not in str(e)
        return
    check_score(score, text, detector)


def check_comparison(c, suspect: str, original: str) -> None:
    """A :class:`~detector.compare.Comparison`: shares in [0, 1], every span inside its text."""
    assert c.verdict in {"derived", "independent", "unrelated"}
    assert 0.0 <= c.share_aligned <= 1.0 and 0.0 <= c.coverage <= 1.0
    assert c.likely_original in {"original", "suspect", "unclear"}
    for p in (c.p_machine_suspect, c.p_machine_original):
        assert p is None or math.isnan(p) or 0.0 <= p <= 1.0
    for pair in c.pairs:
        assert 0 <= pair.suspect[0] < pair.suspect[1] <= len(suspect), pair
        assert 0 <= pair.original[0] < pair.original[1] <= len(original), pair
        assert 0.0 <= pair.similarity <= 1.0 + 1e-9
        for e in pair.edits:
            assert e.kind in EDIT_KINDS
            assert pair.suspect[0] <= e.suspect[0] <= e.suspect[1] <= pair.suspect[1], (e, pair)
            assert pair.original[0] <= e.original[0] <= e.original[1] <= pair.original[1], (e, pair)
    d = c.as_dict()
    json.dumps(d, allow_nan=False)
    assert sum(d["edit_counts"].values()) == sum(len(p.edits) for p in c.pairs)
    for pair in d["pairs"]:
        for e in pair["edits"]:
            assert e["suspect"]["text"] == suspect[e["suspect"]["start"]:e["suspect"]["end"]]
            assert e["original"]["text"] == original[e["original"]["start"]:e["original"]["end"]]


# --- the gate ---------------------------------------------------------------------------------------

def input_lines(data: bytes) -> list[bytes]:
    """The lines the gate reads from ``data``: split after each ``\\n``; a last line may lack one."""
    parts = data.split(b"\n")
    lines = [p + b"\n" for p in parts[:-1]]
    return lines + [parts[-1]] if parts[-1] else lines


def output_lines(data: bytes) -> list[bytes]:
    lines = input_lines(data)
    assert all(line.endswith(b"\n") for line in lines), "every output line ends with a line break"
    return lines


def check_gate(data: bytes, lines: list[Line], kept: bytes, rejected: bytes | None, report, annotate_only: bool,
               threshold: float) -> None:
    """Walk the input in order: every line is the next output line or the next rejects line, as its
    kind says, with kept records byte-identical apart from the inserted fields. Then nothing is left."""
    read = input_lines(data)
    assert len(read) == len(lines), "the generator's line count is the gate's"
    out, rej = output_lines(kept), output_lines(rejected) if rejected is not None else []
    assert len(out) + len(rej) == len(lines) == report.input_lines
    assert (report.kept, report.rejected) == (len(out), len(rej))
    assert sum(report.verdicts.values()) == len(lines)
    assert report.errors == sum(line.kind != SCORED for line in lines)
    walk = _Walk(out, rej, report.model["id"], threshold)
    for number, (line, full) in enumerate(zip(lines, read), 1):
        if number == 1 and full.startswith(BOM):
            full = full[len(BOM):]
        walk.step(number, line, full, annotate_only, rejected is not None)
    assert walk.o == len(out) and walk.r == len(rej), "lines in the outputs that no input line accounts for"


class _Walk:
    """Two read positions, in the output and in the rejects, moved forward one input line at a time."""

    def __init__(self, out, rej, model_id, threshold):
        self.out, self.rej, self.o, self.r = out, rej, 0, 0
        self.model_id, self.threshold = model_id, threshold

    def take(self, dest: str) -> bytes:
        """The next unread line of the output or the rejects."""
        if dest == "output":
            assert self.o < len(self.out), "a line is missing from the output"
            self.o += 1
            return self.out[self.o - 1]
        assert self.r < len(self.rej), "a line is missing from the rejects"
        self.r += 1
        return self.rej[self.r - 1]

    def step(self, number: int, line: Line, full: bytes, annotate_only: bool, has_rejects: bool) -> None:
        if line.kind in (INVALID_JSON, BAD_BYTES, FIELD_CONFLICT, DUPLICATE_KEY):  # cannot carry an annotation
            if annotate_only and not has_rejects:
                assert self.take("output") == (full if full.endswith(b"\n") else full + b"\n")
            else:
                check_wrapped(self.take("rejects"), number, line, full, line.reason)
            return
        if line.kind != SCORED:  # an object without usable text
            if annotate_only:
                ann = self.spliced(self.take("output"), full, line)
                assert ann["verdict"] == "error" and ann["reasons"] == [line.reason] and ann["p_machine"] is None
            else:
                check_wrapped(self.take("rejects"), number, line, full, line.reason)
            return
        self.scored(number, line, full, annotate_only)

    def scored(self, number: int, line: Line, full: bytes, annotate_only: bool) -> None:
        body = full.rstrip(b" \t\r\n")[:-1]
        head = self.out[self.o] if self.o < len(self.out) else b""
        if annotate_only or (head.startswith(body) and json.loads(head)["detector"]["verdict"] not in
                             ("machine", "too_short")):
            ann = self.spliced(self.take("output"), full, line)
            assert annotate_only or ann["verdict"] not in ("machine", "too_short")
            return
        got = self.take("rejects")
        if line.has_reason:
            w = check_wrapped(got, number, line, full, None)
            ann = w["detector"]
        else:
            obj = json.loads(got)
            ann = self.spliced(got, full, line, reason=obj.get("reason"))
            w = obj
        expected = {"machine": "machine_translated", "too_short": "too_short"}.get(ann["verdict"])
        assert isinstance(w.get("reason"), str) and (expected is None or w["reason"] == expected), (w, ann)
        assert ann["verdict"] != "clean"
        self.check_annotation(ann)

    def spliced(self, got: bytes, full: bytes, line: Line, reason: str | None = None) -> dict:
        """``got`` is ``full`` with ``"detector"`` (and ``reason``) inserted before its closing brace."""
        body = full.rstrip(b" \t\r\n")
        assert body.endswith(b"}"), body[-20:]
        obj = json.loads(got)
        ann = obj["detector"]
        added = b'"detector": ' + _dumps(ann) + (b', "reason": ' + _dumps(reason) if reason is not None else b"")
        assert got == body[:-1] + (b"" if line.empty else b", ") + added + b"}\n"
        original = json.loads(full.decode("utf-8"))  # generated records hold no NaN, so == compares them
        assert obj == {**original, "detector": ann, **({"reason": reason} if reason is not None else {})}
        self.check_annotation(ann)
        return ann

    def check_annotation(self, ann: dict) -> None:
        assert set(ann) == ANNOTATION_KEYS, ann
        assert ann["model"] == self.model_id and ann["threshold"] == round(self.threshold, 6)
        if ann["verdict"] != "error":
            assert ann["verdict"] in VERDICTS
            check_probability(ann["p_machine"], ann["verdict"])


def check_wrapped(got: bytes, number: int, line: Line, full: bytes, reason: str | None) -> dict:
    """A rejects line wrapping an input line: reason, 1-based line number, id, the original bytes."""
    w = json.loads(got)
    assert reason is None or w["reason"] == reason, (w.get("reason"), reason)
    assert w["line"] == number
    assert ("id" in w) == line.has_id and (not line.has_id or _same(w["id"], line.id))
    raw = full.removesuffix(b"\n").removesuffix(b"\r")
    if "original_b64" in w:
        assert line.kind == BAD_BYTES and base64.b64decode(w["original_b64"]) == raw
    else:
        assert w["original"].encode("utf-8") == raw
    assert line.kind in OBJECT_KINDS or "detector" not in w
    return w


def _dumps(value) -> bytes:
    return json.dumps(value, ensure_ascii=False, allow_nan=False).encode("utf-8")


def _same(a, b) -> bool:
    return json.dumps(a, sort_keys=True) == json.dumps(b, sort_keys=True)
