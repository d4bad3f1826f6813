"""The Python API with the shipped model and a fake token scorer (structure, not quality)."""
import json
import math

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from detector import Detector
from detector.errors import DetectorError, InputError
from fakes import FakeScorer
from casedata import cases  # noqa: E402

SEEDS = cases("seeds")


@pytest.fixture(scope="module")
def det():
    return Detector(scorer=FakeScorer())


def test_score_fields(det):
    text = SEEDS[3]["text"]
    s = det.score(text)
    assert 0.0 <= s.p_machine <= 1.0
    assert s.verdict in ("machine", "clean", "too_short")
    assert s.words > 100
    d = s.as_dict(text, with_features=True)
    assert {"p_machine", "verdict", "threshold", "words", "spans", "hygiene", "features"} <= set(d)
    assert "lm.mean_nll.v1" in d["features"]
    for span in d["spans"] + d["hygiene"]["spans"]:
        assert text[span["start"]:span["end"]] == span["text"]


def test_title_span_and_hygiene_flags_come_from_features(det):
    s003 = det.score(SEEDS[3]["text"])
    assert "title_inconsistent" in {sp.reason for sp in s003.spans}
    s001 = det.score(SEEDS[1]["text"])
    assert {"apostrophe_stripped", "glued_words"} <= set(s001.hygiene_flags)
    assert not {"apostrophe_stripped", "glued_words"} & {sp.reason for sp in s001.spans}


def test_too_short(det):
    s = det.score("Talks ended.")
    assert s.verdict == "too_short" and 0.0 <= s.p_machine <= 1.0


def test_bytes_are_refused_with_a_hint(det):
    with pytest.raises(InputError, match="decode"):
        det.score(b"bytes")


def test_fpr_without_threshold_is_an_error():
    with pytest.raises(DetectorError, match="threshold"):
        Detector(fpr=0.2, scorer=FakeScorer())


def test_filter_keeps_order_and_every_item(det):
    items = [{"id": i, "text": s["text"]} for i, s in enumerate(SEEDS)] + [{"id": 9, "text": "short"}]
    out = list(det.filter(items, text_of=lambda r: r["text"], batch_size=2))
    assert [item["id"] for item, _ in out] == [0, 1, 2, 3, 9]
    assert all(v.keep == (v.score.verdict == "clean") for _, v in out)
    assert not out[-1][1].keep  # too short: rejected, as in detect gate
    assert all(v.keep for _, v in det.filter(items, text_of=lambda r: r["text"], annotate_only=True))


texts = st.text(st.characters(blacklist_categories=("Cs",)), max_size=400)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(a=texts, b=texts)
def test_properties(det, a, b):
    one = det.score(a)
    both = det.score_many([a, b])
    assert 0.0 <= one.p_machine <= 1.0
    assert json.dumps(one.as_dict(a, True)) == json.dumps(both[0].as_dict(a, True))  # batch-invariant
    for span in one.spans + one.hygiene_spans:
        assert 0 <= span.start <= span.end <= len(a)
