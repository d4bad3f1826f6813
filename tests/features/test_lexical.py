"""Lexical features: edge cases, exact spans, lexicon matching rules and speed."""
from __future__ import annotations

import math

import pytest

from casedata import SEEDS, edge_texts, texts
from detector.features import lexical, registry

NAMES = ["lexical.tortured_phrase.v1", "lexical.unidiomatic_phrase.v1"]
REASONS = {"lexical.tortured_phrase.v1": "tortured_phrase", "lexical.unidiomatic_phrase.v1": "unidiomatic_phrase"}
CLEAN = ("Artificial intelligence and deep learning will change newsrooms, and the ball is in their court, "
         "officials said in the near future of the talks in Geneva.\n")
EDGE_TEXTS = edge_texts(CLEAN)


def _func(name):
    return registry()[name].func


def test_lexical_features_are_registered():
    assert set(NAMES) | {RARE} == {n for n, s in registry().items() if s.family == "lexical"}


RARE = "lexical.rare_synonym.v1"


@pytest.mark.parametrize("text, expected", [
    ("Forecasts released this hebdomad were overly optimistic.", 0.5),  # hebdomad (week) of hebdomad, overly
    ("Forecasts released this week were overly optimistic.", 0.0),
    ("The colour of the centre changed.", 0.0),  # spelling variants of color / center are not rare synonyms
    ("Berlin, Paris and NATO.", math.nan),  # no lowercase thesaurus word
    ("", math.nan),
])
def test_rare_synonym_rate(text, expected):
    m = _func(RARE)(text)
    assert m.spans == ()
    if math.isnan(expected):
        assert math.isnan(m.value)
    else:
        assert m.value == pytest.approx(expected)


def test_rare_synonym_rate_on_a_spin_and_its_original():
    import json
    from pathlib import Path

    cases = texts("spun")
    original, low, high = (_func(RARE)(cases[k]).value for k in ("spun-original", "spun-15", "spun-30"))
    assert original == 0.0 < low < high


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("key", sorted(EDGE_TEXTS))
def test_edge_texts_give_nan_or_zero_and_no_spans(name, key):
    text = EDGE_TEXTS[key]
    m = _func(name)(text)
    if not text.strip():
        assert math.isnan(m.value)
    else:
        assert m.value == 0.0
    assert m.spans == ()


@pytest.mark.parametrize("name, text, expected", [
    ("lexical.tortured_phrase.v1",
     "Experts said Counterfeit Consciousness and profound  learning need big information.",
     ["Counterfeit Consciousness", "big information"]),  # "profound learning" is in the generation half
    ("lexical.tortured_phrase.v1", "It used a cross-endorsement method.", ["cross-endorsement method"]),
    ("lexical.unidiomatic_phrase.v1", SEEDS["seed-003"]["text"], ["the ball with him", "under the threat of threats"]),
    ("lexical.unidiomatic_phrase.v1", "Troops on the territory of Ukraine discussed about it in the nearest future.",
     ["on the territory of", "discussed about", "in the nearest future"]),
])
def test_phrases_are_found_with_exact_spans(name, text, expected):
    m = _func(name)(text)
    assert [text[s.start:s.end] for s in m.spans] == expected
    assert all(s.reason == REASONS[name] for s in m.spans)
    assert m.value == pytest.approx(1000 * len(expected) / len(lexical.tokens(text)))


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("text", [
    CLEAN,
    "The neural network and search engine ran on the off chance of big informational gains.",
    "Counterfeit. Consciousness is a word pair split by a full stop.",
    SEEDS["seed-001"]["text"],
    SEEDS["seed-002"]["text"],
])
def test_ordinary_english_gives_no_spans(name, text):
    assert _func(name)(text).spans == ()


def test_phrase_index_prefers_the_longest_phrase_and_does_not_overlap():
    index = lexical.PhraseIndex(["big data", "big data set", "data set"])
    assert [key for _, _, key in index.find("A big data set.")] == [("big", "data", "set")]


def test_phrase_index_treats_curly_and_straight_apostrophes_alike():
    index = lexical.PhraseIndex(["people's choice"])
    assert len(index.find("The People’s choice won.")) == 1


def test_seed_values():
    rate = _func("lexical.unidiomatic_phrase.v1")
    assert rate(SEEDS["seed-000"]["text"]).value == 0.0
    assert rate(SEEDS["seed-003"]["text"]).value > 0


def test_long_texts_count_every_copy():
    """Speed is measured in make bench, not here; this checks that long texts are read whole."""
    one = SEEDS["seed-003"]["text"]
    text = "\n\n".join([one] * 6)
    assert len(lexical.tokens(text)) > 4000
    func = _func("lexical.unidiomatic_phrase.v1")
    assert len(func(text).spans) == 6 * len(func(one).spans) > 0


def test_the_generation_half_of_the_lexicon_is_not_matched():
    from detector.features.lexical import reserved_for_generation, tortured_phrase_rate

    assert reserved_for_generation("profound learning")
    assert tortured_phrase_rate("Researchers use profound learning for this task today.").spans == ()
