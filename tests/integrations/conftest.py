"""Shared data for the engine-adapter tests: ~20 news-like records and a threshold that splits them."""
import json
import statistics
from pathlib import Path

import pytest

from detector import Detector
from casedata import cases
from fakes import FakeScorer



@pytest.fixture(scope="session")
def records() -> list[dict]:
    """Ten synthetic (damaged) and ten negative (odd but human) cases, ids made unique."""
    out = []
    for name in ("synthetic", "negative"):
        rows = cases(name)
        out += [{"id": r["id"], "text": r["text"]} for r in rows[:10]]
    return out


@pytest.fixture(scope="session")
def fake_detector() -> Detector:
    return Detector(scorer=FakeScorer())


@pytest.fixture(scope="session")
def threshold(records, fake_detector) -> float:
    """The median p_machine under the fake scorer, nudged halfway to the next higher value (many records
    tie at the median), so that some records but not all are flagged."""
    ps = [s.p_machine for s in fake_detector.score_many([r["text"] for r in records])]
    median = statistics.median(ps)
    return (median + min(p for p in ps if p > median)) / 2
