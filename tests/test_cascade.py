"""The cascade (detector.cascade): the one path from texts to decisions, with the shipped model and a fake
token scorer (structure, not quality)."""
import math

from casedata import cases
from detector import Detector, cascade
from detector.artifact import load
from fakes import FakeScorer

SEEDS = cases("seeds")


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


def test_run_is_what_the_detector_returns():
    """Detector.score_many is cascade.run plus the explanation: the same p, verdict and LM tokens."""
    det = Detector(scorer=FakeScorer())
    texts = [s["text"] for s in SEEDS] + ["Hola, ¿cómo estás? Esto es un texto en español sobre las conversaciones. " * 3]
    decisions = cascade.run(texts, det.artifact, FakeScorer(), det.bands)
    scores = det.score_many(texts)
    assert [(d.verdict, d.lm_tokens) for d in decisions] == [(s.verdict, s.lm_tokens) for s in scores]
    assert all(d.p == s.p_machine or (math.isnan(d.p) and math.isnan(s.p_machine)) for d, s in zip(decisions, scores))
    assert decisions[-1].verdict == "not_english" and decisions[-1].stage is None


def test_not_english_texts_never_reach_a_stage_or_the_lm():
    scorer = FakeScorer()
    foreign = next(c["text"] for c in cases("languages") if c["id"] == "de") * 2
    (d,) = cascade.run([foreign], load(), scorer, 0.5)
    assert d.verdict == "not_english" and math.isnan(d.p) and d.lm_tokens == 0 and scorer.calls == []


def test_the_final_stage_decides_what_the_early_exits_leave():
    art = load()
    scorer = FakeScorer()
    decisions = cascade.run([s["text"] for s in SEEDS], art, scorer, art.threshold(0.01))
    final = [d for d in decisions if d.lm_tokens]
    assert final and all(d.stage.tokens == art.max_tokens and d.stage.features == art.features for d in final)
    early = [d for d in decisions if not d.lm_tokens]
    assert all(d.stage is art.stages[0] and d.p >= art.stages[0].high for d in early)


def test_verdict_and_floor_are_pure_functions():
    assert cascade.verdict(0.5, 100, 30, 0.5) == "machine" and cascade.verdict(0.49, 100, 30, 0.5) == "clean"
    rule = {"at_least": 2, "p_machine": 0.9}
    assert [cascade.evidence_floor(rule, v) for v in (1.0, 2.0, math.nan)] == [0.0, 0.9, 0.0]
