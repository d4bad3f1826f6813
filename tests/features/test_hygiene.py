"""Hygiene features: edge cases, exact spans on seed damage, and human text that must stay clean."""
from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from casedata import SEEDS, edge_texts
from detector.features import hygiene, registry

NAMES = sorted(n for n, s in registry().items() if s.family == "hygiene")
REASONS = {"apostrophe_stripped", "glued_words", "mojibake", "boilerplate", "dash_stripped", "control_chars"}
CLEAN = ("Russia's demands worried Ukraine's allies, and Americans and Democrats said they didn't expect "
         "a breakthrough. The American envoy met a Democrat from Ohio.\n")
EDGE_TEXTS = edge_texts(CLEAN, emoji="Talks ended 👍🏽 👨\u200d👩\u200d👧 🏴\U000e0067\U000e0062\U000e0065\U000e006e\U000e0067\U000e007f")


def _func(name):
    return registry()[name].func


def _texts(measured, text):
    return [text[s.start:s.end] for s in measured.spans]


def test_all_hygiene_features_are_registered():
    expected = {f"hygiene.{n}.v1" for n in ("apostrophe_stripped", "glued_words", "mojibake", "boilerplate",
                                           "dash_stripped", "control_chars")}
    assert set(NAMES) == expected


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("key", sorted(EDGE_TEXTS))
def test_edge_texts_give_nan_or_finite_values_and_spans_in_bounds(name, key):
    text = EDGE_TEXTS[key]
    m = _func(name)(text)
    assert math.isnan(m.value) or math.isfinite(m.value)
    if not text.strip():
        assert math.isnan(m.value) and m.spans == ()
    for span in m.spans:
        assert 0 <= span.start < span.end <= len(text) and span.reason in REASONS


@pytest.mark.parametrize("key", ["cyrillic", "chinese", "emoji", "very_long"])
def test_edge_texts_have_no_damage(key):
    assert hygiene.damage_spans(EDGE_TEXTS[key]) == ()


@pytest.mark.parametrize("name, text, expected", [
    ("apostrophe_stripped", SEEDS["seed-001"]["text"], ["doesnt", "dont", "Ukraines", "Russias", "Russias",
                                                        "theres", "Ukraines"]),
    ("apostrophe_stripped", "Dont go. They said its fine but theyre late, Ukraine said.", ["Dont", "theyre"]),
    ("apostrophe_stripped", "Kyiv rejected Irans drone offer. Iran denied it.", ["Irans"]),
    ("glued_words", SEEDS["seed-001"]["text"], ["launchedspecial", "talksMonday"]),
    ("glued_words", "They met theirfamilies on Friday withFrontier staff.", ["theirfamilies", "withFrontier"]),
    ("dash_stripped", SEEDS["seed-001"]["text"], ["demands  like", "expansion  go", "Europe  if",
                                                  "formulated  including", "level  that"]),
    ("boilerplate", SEEDS["seed-002"]["text"], [
        "Navigation", "Join our brand new verified AMN Telegram channel and get important news uncensored!", "•",
        "This article was originally published by Radio Free Europe/Radio Liberty and is reprinted with permission."]),
    ("boilerplate", "Advertisement\nTalks ended.\nRead more: Geneva talks\n© 2022 Reuters\nShare this article",
     ["Advertisement", "Read more: Geneva talks", "© 2022 Reuters", "Share this article"]),
    ("mojibake", "He donâ€™t know. CafÃ© owners said so.", ["donâ€™t", "CafÃ©"]),
    ("mojibake", "Lost \ufffd character.", ["\ufffd"]),
    ("control_chars", "Talks\u200b began\u00ad today\x07.\r\n", ["\u200b", "\u00ad", "\x07"]),
])
def test_damage_is_found_with_exact_spans(name, text, expected):
    m = _func(f"hygiene.{name}.v1")(text)
    assert _texts(m, text) == expected
    assert m.value > 0 and {s.reason for s in m.spans} == {name}


@pytest.mark.parametrize("name", ["apostrophe_stripped", "glued_words"])
@pytest.mark.parametrize("text", [
    CLEAN,
    "Apple's iPhone, YouTube videos, McDonald's, PlayStation, eBay, MacBook, LinkedIn, iPad and macOS.",
    "He called it hypocritical cant, as is his wont; we were well. Its roof leaked. Lets see.",
    "The Bryans broke serve. Bryan said the Cubans living in Miami and the Cuban press agreed.",
    "Nonstarters, policymakers, screenshots, motherboards and the aftermarket were discussed at van Gogh's home.",
    "Russians said talks ended. Russian envoys flew home.",
    SEEDS["seed-002"]["text"],
    SEEDS["seed-000"]["text"],
    SEEDS["seed-003"]["text"],
])
def test_human_and_translated_text_without_scrape_damage_gives_no_spans(name, text):
    m = _func(f"hygiene.{name}.v1")(text)
    assert m.spans == () and m.value == 0.0


def test_boilerplate_value_is_a_share_of_lines():
    m = _func("hygiene.boilerplate.v1")("Navigation\nTalks began.\nLeave a Comment\nThey ended.")
    assert m.value == 0.5


def test_boilerplate_ignores_long_lines_and_prose_that_starts_like_furniture():
    text = ("Sign up rates for the new scheme rose sharply this year as more farmers in the region joined it, "
            "officials said on Monday, adding that the trend would continue for years.\n"
            "Copyright lawyers said the ruling was narrow.\nRelated charges were filed.")
    assert _func("hygiene.boilerplate.v1")(text).spans == ()


def test_dash_stripped_ignores_sentence_spacing_and_alignment():
    assert _func("hygiene.dash_stripped.v1")("Talks ended.  Then Mr.  Smith spoke   at length.").spans == ()


def test_control_chars_spare_crlf_tabs_and_emoji_joiners():
    assert _func("hygiene.control_chars.v1")("Talks\tended.\r\nFamily 👨\u200d👩\u200d👧 waved.").spans == ()


def test_damage_spans_is_the_sorted_union_of_all_hygiene_spans():
    text = SEEDS["seed-001"]["text"]
    union = sorted({s for name in NAMES for s in _func(name)(text).spans})
    assert list(hygiene.damage_spans(text)) == union
    assert {s.reason for s in union} == {"apostrophe_stripped", "glued_words", "dash_stripped", "boilerplate"}


def test_seed_002_boilerplate_is_found_and_nothing_else():
    spans = hygiene.damage_spans(SEEDS["seed-002"]["text"])
    assert {s.reason for s in spans} == {"boilerplate"}


@settings(max_examples=40, deadline=None)
@given(st.text(max_size=200))
def test_any_text_gives_bounded_deterministic_spans(text):
    spans = hygiene.damage_spans(text)
    assert spans == hygiene.damage_spans(text)
    assert all(0 <= s.start < s.end <= len(text) and s.reason in REASONS for s in spans)
