"""Evidence totals over the punctuation, names and lexical families: derived features that read the values
those families computed (never recompute them)."""
import dataclasses
import math

import pytest

from casedata import texts  # noqa: E402
import detector.features as F
from detector.features import compute, evidence, lookup

SEEDS = texts("seeds")
NAMES = ["evidence.span_count.v1", "evidence.kinds_hit.v1"]


def _value(name: str, text: str):
    return compute(text, only=[name])[name]


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("text", ["", "   ", "one", "Переговоры закончились.", "谈判结束了。", "Talks ended. " * 2000])
def test_edge_inputs(name, text):
    m = _value(name, text)
    assert math.isnan(m.value) if not text.strip() else m.value >= 0
    assert m.spans == ()


@pytest.mark.parametrize("name", NAMES)
def test_round_trips_have_evidence_and_clean_seeds_none(name):
    assert _value(name, SEEDS["seed-000"]).value > 0 and _value(name, SEEDS["seed-003"]).value > 0
    assert _value(name, SEEDS["seed-001"]).value == 0 and _value(name, SEEDS["seed-002"]).value == 0


def test_kinds_hit_counts_distinct_features():
    text = "He said the talks were done.” , Officials at Interfax. reported it."
    measured = compute(text, only=evidence.counted())
    total = sum(len(m.spans) for m in measured.values())
    assert total >= 2 and _value("evidence.kinds_hit.v1", text).value >= 2
    assert _value("evidence.span_count.v1", text).value == pytest.approx(math.log1p(total))


def test_evidence_reads_the_family_values_once(monkeypatch):
    """Computing every text feature runs each counted family feature exactly once (the evidence totals read
    their values instead of recomputing them: three times per text before)."""
    calls = {}
    for name in evidence.counted():
        spec = lookup(name)

        def counting(text, _name=name, _f=spec.func):
            calls[_name] = calls.get(_name, 0) + 1
            return _f(text)

        monkeypatch.setitem(F._REGISTRY, name, dataclasses.replace(spec, func=counting))
    out = compute(SEEDS["seed-000"], only=[n for n, s in F.registry().items() if not s.needs_lm])
    assert set(calls) == set(evidence.counted()) and set(calls.values()) == {1}
    assert out["evidence.kinds_hit.v1"].value > 0
