"""Evidence totals over the punctuation, names and lexical families."""
import json
import math

import pytest

from detector.features import evidence

SEEDS = {json.loads(l)["id"]: json.loads(l)["text"] for l in open("tests/cases/seeds.jsonl", encoding="utf-8")}
FUNCS = [evidence.span_count, evidence.kinds_hit]


@pytest.mark.parametrize("func", FUNCS)
@pytest.mark.parametrize("text", ["", "   ", "one", "Переговоры закончились.", "谈判结束了。", "Talks ended. " * 2000])
def test_edge_inputs(func, text):
    m = func(text)
    assert math.isnan(m.value) if not text.strip() else m.value >= 0
    assert m.spans == ()


@pytest.mark.parametrize("func", FUNCS)
def test_round_trips_have_evidence_and_clean_seeds_none(func):
    assert func(SEEDS["seed-000"]).value > 0 and func(SEEDS["seed-003"]).value > 0
    assert func(SEEDS["seed-001"]).value == 0 and func(SEEDS["seed-002"]).value == 0


def test_kinds_hit_counts_distinct_features():
    text = "He said the talks were done.” , Officials at Interfax. reported it."
    assert evidence.kinds_hit(text).value >= 2
    from detector.features import compute, registry

    counted = [n for n, spec in registry().items() if spec.family in evidence.COUNTED_FAMILIES]
    total = sum(len(m.spans) for m in compute(text, None, only=counted).values())
    assert total >= 2
    assert evidence.span_count(text).value == pytest.approx(math.log1p(total))
