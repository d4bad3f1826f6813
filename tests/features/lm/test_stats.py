"""LM statistics features (lm_stats and lm_local): edge cases, exact values, damage exclusion."""
from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest
from casedata import SEEDS
from fakes import FakeScorer
from hypothesis import given, settings
from hypothesis import strategies as st

from detector.features import hygiene, registry
from detector.features.lm import local as lm_local, tokens as lm_tokens
from detector.lm import TokenScores, empty_scores
from detector.spans import Span

LM_FEATURES = sorted(n for n, s in registry().items() if s.family == "lm")
REASONS = {"surprisal_spike", "collocation_odd"}
ENGLISH = ("The talks ended on Monday. Officials said the meeting was difficult, according to Interfax. "
           "reported. Download the. down app for news.\n\nRussia wants guarantees that NATO will not expand.")
EDGE_TEXTS = {
    "empty": "",
    "whitespace": "   \n\t ",
    "one_word": "one",
    "non_latin": "Переговоры в Женеве завершились. 日内瓦会谈结束了。 محادثات جنيف انتهت.",
    "very_long": ENGLISH * 200,
    "english": ENGLISH,
}


def _feature(name):
    return registry()[name].func


def _same(a, b):
    both_nan = math.isnan(a.value) and math.isnan(b.value)
    return (both_nan or a.value == b.value) and a.spans == b.spans


def _check(text, measured):
    assert math.isnan(measured.value) or math.isfinite(measured.value)
    for span in measured.spans:
        assert 0 <= span.start < span.end <= len(text)
        assert span.reason in REASONS


def test_expected_features_are_registered():
    expected = {"mean_nll", "median_nll", "std_nll", "rank_top1", "rank_top10", "rank_top100", "rank_over1000",
                "nll_minus_entropy", "nll_minus_entropy_z", "sentence_nll_std", "sentence_nll_cv",
                "sentence_max_nll", "nll_p95", "nll_top5_mean", "spike_share", "spike_rate", "punct_nll",
                "after_stop_nll", "function_word_nll", "collocation_odd"}
    assert {f"lm.{n}.v1" for n in expected} <= set(LM_FEATURES)
    assert all(registry()[n].needs_lm for n in LM_FEATURES)


@pytest.mark.parametrize("name", LM_FEATURES)
@pytest.mark.parametrize("kind", sorted(EDGE_TEXTS))
def test_edge_texts_finite_or_nan_and_deterministic(name, kind):
    text = EDGE_TEXTS[kind]
    scores = FakeScorer().score(text)
    first, second = _feature(name)(text, scores), _feature(name)(text, FakeScorer().score(text))
    _check(text, first)
    assert _same(first, second)


@pytest.mark.parametrize("name", LM_FEATURES)
@pytest.mark.parametrize("kind", ["empty", "whitespace", "one_word"])
def test_too_little_text_is_nan(name, kind):
    text = EDGE_TEXTS[kind]
    assert math.isnan(_feature(name)(text, FakeScorer().score(text)).value)


@pytest.mark.parametrize("name", LM_FEATURES)
def test_no_scores_is_nan(name):
    assert math.isnan(_feature(name)(ENGLISH, empty_scores()).value)


@pytest.mark.parametrize("name", LM_FEATURES)
def test_batch_invariant(name):
    scorer = FakeScorer()
    batched = scorer.score_many(["Other text.", ENGLISH])[1]
    assert _same(_feature(name)(ENGLISH, batched), _feature(name)(ENGLISH, scorer.score(ENGLISH)))


@settings(max_examples=40, deadline=None)
@given(st.text(alphabet=st.characters(codec="utf-8"), max_size=300))
def test_any_text_gives_finite_or_nan_and_spans_in_bounds(text):
    scores = FakeScorer().score(text)
    for name in LM_FEATURES:
        _check(text, _feature(name)(text, scores))


def words_text(n: int) -> str:
    return " ".join(f"w{i}" for i in range(n))


def test_mean_median_std_exact():
    text = words_text(11)
    scores = lm_tokens.word_scores(text, [100, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10])  # first token dropped
    assert _feature("lm.mean_nll.v1")(text, scores).value == pytest.approx(5.5)
    assert _feature("lm.median_nll.v1")(text, scores).value == pytest.approx(5.5)
    assert _feature("lm.std_nll.v1")(text, scores).value == pytest.approx(np.std(np.arange(1, 11)))


def test_fewer_than_min_tokens_is_nan():
    text = words_text(lm_tokens.MIN_TOKENS)  # one token short after the first is dropped
    assert math.isnan(_feature("lm.mean_nll.v1")(text, lm_tokens.word_scores(text, [1] * lm_tokens.MIN_TOKENS)).value)
    text = words_text(lm_tokens.MIN_TOKENS + 1)
    assert _feature("lm.mean_nll.v1")(text, lm_tokens.word_scores(text, [1] * (lm_tokens.MIN_TOKENS + 1))).value == 1


def test_rank_buckets_and_nll_minus_entropy():
    text = words_text(11)
    rank = [1, 1, 1, 5, 10, 11, 100, 101, 1000, 1001, 50000]
    nll = [0, 2, 2, 2, 2, 4, 4, 4, 4, 4, 4]
    scores = lm_tokens.word_scores(text, nll, rank=rank, entropy=[1] * 11)
    got = {n: _feature(f"lm.{n}.v1")(text, scores).value for n in
           ("rank_top1", "rank_top10", "rank_top100", "rank_over1000", "nll_minus_entropy", "nll_minus_entropy_z")}
    diff = np.asarray(nll[1:]) - 1.0
    assert got == pytest.approx({"rank_top1": 0.2, "rank_top10": 0.4, "rank_top100": 0.6, "rank_over1000": 0.2,
                                 "nll_minus_entropy": diff.mean(), "nll_minus_entropy_z": diff.mean() / diff.std()})


def test_constant_difference_z_is_nan():
    text = words_text(10)
    scores = lm_tokens.word_scores(text, [3] * 10, entropy=[1] * 10)
    assert math.isnan(_feature("lm.nll_minus_entropy_z.v1")(text, scores).value)


def test_sentence_stats_ignore_sentences_past_the_token_budget():
    text = "Aa bb cc dd. Ee ff gg hh. Ii jj kk ll. Mm nn oo pp."
    full = lm_tokens.word_scores(text, [9, 1, 1, 1, 3, 3, 3, 3, 5, 5, 5, 5, 7, 7, 7, 7])
    cut = TokenScores(*(a[:14] for a in full.to_arrays().values()))  # budget ends inside sentence 4
    means = np.asarray([1, 3, 5])
    assert _feature("lm.sentence_nll_std.v1")(text, cut).value == pytest.approx(means.std())
    assert _feature("lm.sentence_nll_cv.v1")(text, cut).value == pytest.approx(means.std() / means.mean())
    assert _feature("lm.sentence_max_nll.v1")(text, cut).value == pytest.approx(means.mean())


def test_first_non_blank_token_is_dropped():
    text = "\n" + words_text(10)
    base = lm_tokens.word_scores(words_text(10), [50] + [2] * 9)
    shifted = TokenScores(np.vstack([[[0, 1]], base.offsets + 1]).astype(np.int32),
                          np.append(0, base.nll).astype(np.float32), np.append(1, base.rank).astype(np.int32),
                          np.append(0, base.entropy).astype(np.float32))
    assert _feature("lm.mean_nll.v1")(text, shifted).value == pytest.approx(2.0)


def test_whitespace_tokens_are_dropped():
    text = words_text(10)
    base = lm_tokens.word_scores(text, [0] + [2] * 9)
    blank = TokenScores(np.vstack([base.offsets, [[len(text), len(text) + 1]]]).astype(np.int32),
                        np.append(base.nll, 50).astype(np.float32), np.append(base.rank, 1).astype(np.int32),
                        np.append(base.entropy, 0).astype(np.float32))
    assert _feature("lm.mean_nll.v1")(text + "\n", blank).value == pytest.approx(2.0)


def test_spikes_skip_names_and_merge_adjacent_tokens():
    text = "aa bb Ryabkov cc dd ee ff gg hh"
    offsets = [(0, 2), (2, 5), (5, 10), (10, 13), (13, 16), (16, 19), (19, 22), (22, 25), (25, 28), (28, 31)]
    nll = [1, 1, 15, 15, 1, 11, 12, 1, 1, 1]  # "Ryab" + "kov" is a name: no spike; " dd ee" is one run
    scores = TokenScores(np.asarray(offsets, np.int32), np.asarray(nll, np.float32), np.ones(10, np.int32),
                         np.zeros(10, np.float32))
    rate = _feature("lm.spike_rate.v1")(text, scores)
    assert [s.text_of(text) for s in rate.spans] == ["dd ee"]
    assert rate.value == pytest.approx(100 * 2 / 7)
    assert _feature("lm.spike_share.v1")(text, scores).value == pytest.approx(4 / 9)


def test_spike_spans_cover_whole_words():
    text = "aa bb cc dd ee armament ff gg hh ii"
    offsets = [(0, 2), (2, 5), (5, 8), (8, 11), (11, 14), (14, 18), (18, 23), (23, 26), (26, 29), (29, 32), (32, 35)]
    scores = TokenScores(np.asarray(offsets, np.int32), np.asarray([1] * 6 + [12] + [1] * 4, np.float32),
                         np.ones(11, np.int32), np.zeros(11, np.float32))
    assert [s.text_of(text) for s in _feature("lm.spike_rate.v1")(text, scores).spans] == ["armament"]


def test_punctuation_and_function_words():
    text = "Xx said . reported the ball , of them ” then in theory"  # one token per punctuation mark
    scores = lm_tokens.word_scores(text, [9, 1, 2, 8, 1, 1, 4, 3, 1, 6, 7, 5, 2])
    assert _feature("lm.punct_nll.v1")(text, scores).value == pytest.approx((2 + 4 + 6) / 3)
    assert math.isnan(_feature("lm.after_stop_nll.v1")(text, scores).value)  # only two tokens follow a stop
    assert _feature("lm.function_word_nll.v1")(text, scores).value == pytest.approx((1 + 3 + 5) / 3)


def test_after_stop_mean():
    text = "Aa bb. cc dd. ee ff” gg hh ii"
    scores = lm_tokens.word_scores(text, [9, 1, 6, 1, 3, 1, 9, 1, 1])
    assert _feature("lm.after_stop_nll.v1")(text, scores).value == pytest.approx(6.0)


def test_collocation_needs_lowercase_pairs_in_one_sentence():
    text = "Aa bb cc Dd ee ff. Gg hh ii jj."
    scores = lm_tokens.word_scores(text, [9, 1, 13, 20, 2, 1, 1, 3, 4, 1])
    got = _feature("lm.collocation_odd.v1")(text, scores)
    assert got.value == pytest.approx((13 + 4) / 2)  # "Dd" is not an ordinary word; "Gg hh" neither
    assert [s.text_of(text) for s in got.spans] == ["bb cc"]


def test_damaged_tokens_are_excluded(monkeypatch):
    text = words_text(12)
    nll = [0, 1, 1, 1, 14, 14, 1, 1, 1, 1, 1, 1]  # w4 is damaged and w5 is read in its shadow
    scores = lm_tokens.word_scores(text, nll)
    assert _feature("lm.spike_rate.v1")(text, scores).spans
    damaged = text.index("w4")
    monkeypatch.setattr(hygiene, "damage_spans", lambda t: (Span(damaged, damaged + 2, "apostrophe_stripped"),))
    scores = lm_tokens.word_scores(text, nll)  # fresh scores: the token view of the same ones is memoised
    assert _feature("lm.mean_nll.v1")(text, scores).value == pytest.approx(1.0)
    assert _feature("lm.spike_rate.v1")(text, scores).spans == ()
    assert _feature("lm.nll_top5_mean.v1")(text, scores).value == pytest.approx(1.0)


def _seed(seed_id: str) -> str:
    return SEEDS[seed_id]["text"]


@pytest.mark.slow
def test_real_lm_flags_detached_period_in_seed_003():
    from detector.lm import LMScorer

    text = _seed("seed-003")  # the artifacts lie past the default token budget: score a prefix in full
    text = text[: text.index("NBC news app") + len("NBC news app")]
    scores = LMScorer(max_tokens=0).score(text)
    spans = lm_local.spike_rate(text, scores).spans
    targets = [(text.index("Interfax. reported") + len("Interfax."), len(" reported")),
               (text.index("Download the. down"), len("Download the. down"))]
    assert any(s.start < start + size and start < s.end for s in spans for start, size in targets), \
        [s.text_of(text) for s in spans]


def test_the_token_view_is_derived_once_per_scores_and_text():
    text = words_text(12)
    scores = lm_tokens.word_scores(text, [0] + [1] * 11)
    a = lm_tokens.scored_tokens(text, scores)
    assert lm_tokens.scored_tokens(text, scores) is a
    assert lm_tokens.scored_tokens(text, lm_tokens.word_scores(text, [0] + [1] * 11)) is not a  # other scores
    assert lm_tokens.scored_tokens(text + " ", scores) is not a  # other text
