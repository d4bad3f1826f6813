"""Thesaurus swaps (lm_thesaurus, detector.lm.synonyms): probes, gaps, spans; and the real LM on a spun text."""
from __future__ import annotations

import math

import numpy as np
import pytest

from detector.lm import synonyms
from detector.features import compute
from detector.features.lm.tokens import word_scores
from detector.features.lm.thesaurus import (MAX_SPANS, SWAP_GAP, _example, synonym_gap_top3, synonym_swap_rate,
                                            word_gaps)
from detector.lm import LMScorer, TokenScores

SPUN = ("Astronomers have discovered a new class of planets outside the solar scheme that hug their stars, "
        "according to a canvas published this hebdomad. The researchers constitute that the planets are "
        "far hotter than expected.")
ORIGINAL = ("Astronomers have discovered a new class of planets outside the solar system that hug their stars, "
            "according to a study published this week. The researchers found that the planets are "
            "far hotter than expected.")


def test_table_holds_lowercase_words_and_short_phrases_with_single_word_synonyms():
    table = synonyms.table()
    assert len(table) > 10_000
    phrases = [w for w in table if " " in w]
    assert 1_000 < len(phrases) < len(table) / 2
    for head, syns in list(table.items())[::250]:
        parts = head.split(" ")
        assert 1 <= len(parts) <= synonyms.MAX_PHRASE_WORDS and all(w.isalpha() and w.islower() for w in parts)
        assert len(parts) > 1 or len(head) >= synonyms.MIN_LETTERS
        assert syns == tuple(sorted(syns)) and head not in syns
        assert all(s.isalpha() and s.islower() for s in syns)


def test_phrase_probes_take_the_longest_listed_phrase_and_need_single_spaces():
    text = "his married woman bought more or less a ticket and an ice  chest"
    got = [(w, text[s:e]) for s, e, w, _ in synonyms.probes(text)]
    assert ("married woman", "married woman") in got
    assert ("more or less", "more or less") in got
    assert "wife" in synonyms.lookup("married woman")
    assert not any(w == "ice chest" for w, _ in got)  # two spaces: not the phrase
    assert all(" " not in w for _, _, w, _ in synonyms.probes(text, phrases=False))


def test_probes_stop_before_a_unit_cut_by_the_end():
    text = "she set up the firm"
    assert [w for _, _, w, _ in synonyms.probes(text)][0] == "set up"
    assert all(e <= 5 for _, e, _, _ in synonyms.probes(text, end=5))


@pytest.mark.parametrize("text", ["Scheme", "SCHEME", "scheme's", "re-scheme", "schemeX", "x2scheme", "sche"])
def test_probes_skip_capitals_apostrophes_hyphens_and_glue(text):
    assert synonyms.probes(text) == []


def test_probes_give_offsets_and_synonyms():
    text = "a solar scheme; the canvas"
    got = [(s, e, w) for s, e, w, _ in synonyms.probes(text)]
    assert got == [(8, 14, "scheme"), (20, 26, "canvas")]
    assert all(text[s:e] == w for s, e, w in got)
    assert "system" in synonyms.probes(text)[0][3]


def test_gap_sums_the_written_word_over_its_tokens():
    text = "the solar scheme was wide"
    base = word_scores(text, [1, 2, 9, 1, 1])
    # split "scheme" into two tokens: " sch" (4) + "eme" (3); the synonym is compared with the whole word
    offsets = np.array([[0, 3], [3, 9], [9, 13], [13, 16], [16, 20], [20, 25]], np.int32)
    alt = np.array([np.nan, np.nan, -1.0, np.nan, np.nan, np.nan], np.float32)
    index = np.array([-1, -1, synonyms.lookup("scheme").index("system"), -1, -1, -1], np.int16)
    scores = TokenScores(offsets, np.array([1, 2, 4, 3, 1, 1], np.float32), np.ones(6, np.int32),
                         np.zeros(6, np.float32), alt, index)
    assert base.alt_logp is None
    assert word_gaps(text, scores) == [(10, 16, 6.0, "system")]


def test_first_token_and_words_past_the_budget_are_skipped():
    text = "scheme solar scheme"
    s = _example(text, nll=[9, 1, 9], probe={0: (-1.0, "system"), 2: (-1.0, "system")})
    assert [g[:2] for g in word_gaps(text, s)] == [(13, 19)]
    cut = TokenScores(np.array([[0, 6], [6, 12], [12, 16]], np.int32), np.array([9, 1, 9], np.float32),
                      np.ones(3, np.int32), np.zeros(3, np.float32), np.array([np.nan, np.nan, -1.0], np.float32),
                      np.array([-1, -1, 0], np.int16))  # the last token ends inside "scheme"
    assert word_gaps(text, cut) == []


def test_undefined_without_probes():
    text = "the solar scheme was wide"
    assert math.isnan(synonym_gap_top3(text, word_scores(text, [1] * 5)).value)
    assert math.isnan(synonym_swap_rate(text, word_scores(text, [1] * 5)).value)
    values = compute(text, None)
    assert math.isnan(values["lm.synonym_gap_top3.v1"].value)


def test_stale_synonym_index_is_ignored():
    text = "the solar scheme was wide"
    s = _example(text, nll=[1, 2, 9, 1, 1], probe={2: (-1.0, "system")})
    broken = TokenScores(s.offsets, s.nll, s.rank, s.entropy, s.alt_logp, np.where(s.alt_index >= 0, 999, -1)
                         .astype(np.int16))
    assert word_gaps(text, broken) == []


def test_preferred_written_word_gives_no_span():
    text = "the solar system was wide"
    s = _example(text, nll=[1, 2, 0.5, 1, 1], probe={2: (-7.0, "scheme")})
    m = synonym_gap_top3(text, s)
    assert m.value == -6.5 and m.spans == ()
    assert synonym_swap_rate(text, s).value == 0.0


def test_spans_are_the_worst_words_capped():
    words = ["the"] + ["scheme"] * (MAX_SPANS + 3)
    text = " ".join(words)
    nll = [1] + [SWAP_GAP + k for k in range(len(words) - 1)]
    s = _example(text, nll=nll, probe={t: (0.0, "system") for t in range(1, len(words))})
    m = synonym_gap_top3(text, s)
    assert len(m.spans) == MAX_SPANS
    assert all(text[sp.start:sp.end] == "scheme" and sp.reason == "synonym_swap" for sp in m.spans)
    assert [sp.start for sp in m.spans] == [4 + 7 * k for k in range(3, MAX_SPANS + 3)]  # the largest gaps
    assert m.value == pytest.approx(np.mean(nll[-3:]))


def test_token_scores_keep_probes_and_hidden_through_arrays_and_prefix():
    text = "the solar scheme was wide"
    s = _example(text, nll=[1, 2, 9, 1, 1], probe={2: (-1.0, "system")})
    s = TokenScores(s.offsets, s.nll, s.rank, s.entropy, s.alt_logp, s.alt_index, np.ones((2, 4), np.float32))
    again = TokenScores.from_arrays(s.to_arrays())
    np.testing.assert_array_equal(again.alt_logp, s.alt_logp)
    np.testing.assert_array_equal(again.alt_index, s.alt_index)
    np.testing.assert_array_equal(again.hidden, s.hidden)
    short = s.prefix(3)
    assert len(short) == 3 and len(short.alt_logp) == 3 and short.hidden is None
    assert s.prefix(5) is s


@pytest.fixture(scope="module")
def lm():
    scorer = LMScorer(threads=1)
    scorer.load()
    return scorer


@pytest.mark.slow
def test_real_lm_marks_the_spun_words_and_not_the_original(lm):
    spun, original = lm.score_many([SPUN, ORIGINAL])
    m = synonym_gap_top3(SPUN, spun)
    marked = {SPUN[sp.start:sp.end] for sp in m.spans}
    assert {"scheme", "hebdomad"} <= marked, marked
    clean = synonym_gap_top3(ORIGINAL, original)
    assert clean.spans == (), [ORIGINAL[sp.start:sp.end] for sp in clean.spans]
    assert m.value > clean.value + SWAP_GAP
    assert synonym_swap_rate(SPUN, spun).value > synonym_swap_rate(ORIGINAL, original).value
    assert spun.hidden.shape == original.hidden.shape == (len(lm.spec.hidden_layers), 576)


@pytest.mark.slow
def test_real_lm_marks_a_spun_phrase_and_not_the_same_phrase_used_rightly(lm):
    spun = "The senator arrived at the gala with his married woman and their two children, who waved to the crowd."
    original = spun.replace("married woman", "wife")
    rightly = "Campers are advised to keep food in an ice chest and to store rubbish away from the tents at night."
    got = {t: synonym_gap_top3(t, sc) for t, sc in zip([spun, original, rightly], lm.score_many([spun, original, rightly]))}
    assert [spun[sp.start:sp.end] for sp in got[spun].spans] == ["married woman"]
    assert got[original].spans == () and got[rightly].spans == ()
    assert any(w == "ice chest" for _, _, w, _ in synonyms.probes(rightly))  # probed, and found to fit


def test_spelling_variants_are_not_swaps():
    text = "the bright colour was wide"
    assert "color" in synonyms.lookup("colour")
    s = _example(text, nll=[1, 2, 9, 1, 1], probe={2: (-1.0, "color")})
    assert word_gaps(text, s) == []
    assert math.isnan(synonym_gap_top3(text, s).value)
