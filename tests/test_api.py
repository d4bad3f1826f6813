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


# --- the cascade ------------------------------------------------------------------------------------

def test_cascade_sends_only_undecided_texts_to_the_lm():
    scorer = FakeScorer()
    det = Detector(scorer=scorer)
    assert det.artifact.stages and det.artifact.stages[0].tokens == 0
    texts = [s["text"] for s in SEEDS]
    scores = det.score_many(texts)
    early = [s for s in scores if s.lm_tokens == 0]
    assert early, "seeds 000 and 003 carry enough evidence to be decided without the LM"
    assert all(s.verdict == "machine" for s in early)
    assert sum(n for n, _ in scorer.calls) == len(texts) - len(early)
    assert all(math.isnan(s.features["lm.mean_nll.v1"]) for s in early)


def test_cascade_off_reads_every_text_with_the_full_budget():
    scorer = FakeScorer()
    det = Detector(scorer=scorer, cascade=False)
    scores = det.score_many([s["text"] for s in SEEDS])
    assert all(s.lm_tokens == det.max_tokens for s in scores)
    assert scorer.calls == [(len(SEEDS), det.max_tokens)]


def test_lm_tokens_counts_the_tokens_read_not_the_budget():
    scorer = FakeScorer()
    det = Detector(scorer=scorer, cascade=False)
    short = "The minister said on Monday that the talks in Geneva would go on for a second day. " * 3
    n_short = len(scorer.score(short))
    assert 0 < n_short < det.max_tokens
    s_short, s_long = det.score_many([short, SEEDS[1]["text"]])
    assert (s_short.lm_tokens, s_long.lm_tokens) == (n_short, det.max_tokens)


def test_too_short_texts_never_reach_the_lm():
    scorer = FakeScorer()
    det = Detector(scorer=scorer)
    tiny = ["Hello.", "Talks resume in Geneva on Monday, officials said. " * 3]  # 1 and 24 words
    scores = det.score_many(tiny + [SEEDS[2]["text"]])
    assert [s.verdict for s in scores[:2]] == ["too_short", "too_short"]
    assert [s.lm_tokens for s in scores[:2]] == [0, 0] and 0 <= min(s.p_machine for s in scores[:2])
    assert scores[2].lm_tokens > 0 and scorer.calls == [(1, det.max_tokens)]  # only the long text was scored
    with_lm = det.score_many(tiny, with_features=True)
    assert [s.verdict for s in with_lm] == ["too_short", "too_short"]
    assert not math.isnan(with_lm[1].features["lm.mean_nll.v1"])


def test_with_features_fills_lm_features_without_changing_the_decision():
    det = Detector(scorer=FakeScorer())
    texts = [s["text"] for s in SEEDS]
    plain, full = det.score_many(texts), det.score_many(texts, with_features=True)
    assert [(s.p_machine, s.verdict, s.lm_tokens) for s in plain] == [(s.p_machine, s.verdict, s.lm_tokens) for s in full]
    assert all(not math.isnan(s.features["lm.mean_nll.v1"]) for s in full)


def test_evidence_rule_floor_is_applied():
    det = Detector(scorer=FakeScorer())
    rule = det.artifact.meta["evidence_rule"]
    assert rule["at_least"] >= 2 and rule["train_human"] == 0
    s = det.score(SEEDS[0]["text"])
    assert s.features[rule["feature"]] >= rule["at_least"] and s.p_machine >= rule["p_machine"]
