"""Golden cases as data: feature expectations for ``tests/cases/synthetic.jsonl`` and ``negative.jsonl``.

Each record is ``{id, text, label, kind, note, expect}`` with optional ``xfail`` (a known feature
failure, run under ``xfail(strict=True)`` so that a fix shows up). ``expect`` may hold:

- ``span_reasons``: slugs that must appear among the spans of evidence features (not ``hygiene.*``);
- ``no_span_reasons``: slugs that must not appear among them;
- ``hygiene_flags``: slugs that must appear among the spans of ``hygiene.*`` features;
- ``spans``: ``[{"reason", "text"}]``: the given text occurs in the record, and at least one
  occurrence lies wholly inside a span with that reason (span ``start <= i`` and ``i + len <= end``).
  The span may be wider than the text ("Tass. reported" inside "Tass. reported." is fine);
- ``allowed_span_reasons`` (negatives only): evidence slugs a negative case may show.

Negative cases (odd-looking human text) must have no evidence spans at all beyond the allowed ones.
Features run without a language model, so LM features are nan and give no spans.
"""
from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path

import pytest

from detector.features import compute
from detector.spans import Span
from casedata import cases  # noqa: E402

FILES = ("synthetic.jsonl", "negative.jsonl")
LABELS = {"machine", "human"}
KINDS = {"synthetic", "negative", "scrape_damaged"}
EXPECT_KEYS = {"span_reasons", "no_span_reasons", "hygiene_flags", "spans", "allowed_span_reasons"}


def _load() -> list[dict]:
    return cases(*(name.removesuffix(".jsonl") for name in FILES))


RECORDS = _load()


def _param(record: dict):
    marks = [pytest.mark.xfail(strict=True, reason=record["xfail"])] if "xfail" in record else []
    return pytest.param(record, id=record["id"], marks=marks)


@lru_cache(maxsize=None)
def _spans(text: str) -> tuple[tuple[Span, ...], tuple[Span, ...]]:
    """(evidence spans, hygiene spans) of every feature, computed without an LM scorer."""
    evidence, hygiene = [], []
    for name, measured in compute(text, None).items():
        (hygiene if name.startswith("hygiene.") else evidence).extend(measured.spans)
    return tuple(evidence), tuple(hygiene)


def _covered(text: str, spans: tuple[Span, ...], reason: str, wanted: str) -> bool:
    """True when some occurrence of ``wanted`` lies inside a span with ``reason``."""
    starts = [i for i in range(len(text)) if text.startswith(wanted, i)]
    return any(s.reason == reason and s.start <= i and i + len(wanted) <= s.end for s in spans for i in starts)


def test_records_are_well_formed():
    ids = [r["id"] for r in RECORDS]
    assert len(ids) == len(set(ids)), "duplicate ids"
    for r in RECORDS:
        assert r["label"] in LABELS and r["kind"] in KINDS and r["note"] and r["text"].strip(), r["id"]
        assert set(r["expect"]) <= EXPECT_KEYS, (r["id"], set(r["expect"]) - EXPECT_KEYS)
        assert "verdict" not in r["expect"], r["id"]
        assert (r["kind"] == "negative") == r["id"].startswith("negative-"), r["id"]
        for want in r["expect"].get("spans", []):
            assert want["text"] in r["text"], (r["id"], want["text"])


@pytest.mark.parametrize("record", [_param(r) for r in RECORDS])
def test_golden_case(record):
    text, expect = record["text"], record["expect"]
    evidence, hygiene = _spans(text)
    evidence_reasons = {s.reason for s in evidence}
    hygiene_reasons = {s.reason for s in hygiene}
    shown = sorted((s.reason, text[s.start:s.end]) for s in evidence + hygiene)

    missing = set(expect.get("span_reasons", [])) - evidence_reasons
    assert not missing, f"missing evidence {sorted(missing)}; spans: {shown}"
    unwanted = set(expect.get("no_span_reasons", [])) & evidence_reasons
    assert not unwanted, f"unexpected evidence {sorted(unwanted)}; spans: {shown}"
    missing = set(expect.get("hygiene_flags", [])) - hygiene_reasons
    assert not missing, f"missing hygiene flags {sorted(missing)}; spans: {shown}"
    for want in expect.get("spans", []):
        assert _covered(text, evidence + hygiene, want["reason"], want["text"]), f"no span covers {want}; spans: {shown}"
    if record["kind"] == "negative":
        allowed = set(expect.get("allowed_span_reasons", []))
        stray = sorted((reason, t) for reason, t in shown if reason in evidence_reasons - allowed)
        assert not stray, f"evidence spans in human text: {stray}"
