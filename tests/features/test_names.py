"""Tests for detector.features.names: edge inputs, seed artifacts, clean-text guards."""
from __future__ import annotations

import json
import math
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from detector.features import registry
from detector.features.name_spelling import name_variant
from detector.features.names import title_country_mismatch, title_inconsistent

FEATURES = {
    "names.title_inconsistent.v1": title_inconsistent,
    "names.title_country_mismatch.v1": title_country_mismatch,
    "names.name_variant.v1": name_variant,
}
REASONS = {"title_inconsistent", "title_country_mismatch", "name_variant"}
ALPHABET = ["Sen.", "Foreign Minister", "Secretary of State", "US", "Russian", "former", "and", "a", "Anna",
            "Baerbock", "Berbock", "Bearbock", "Lavrov", "said", " ", ". ", ", ", "\n", "’s", "-", "é"]
from casedata import SEEDS  # noqa: E402
CLEAN_PARAGRAPH = (
    "U.S. Secretary of State Antony Blinken met Russian Foreign Minister Sergei Lavrov in Geneva. "
    "Blinken said the talks were useful, and Lavrov agreed. Sen. Bob Menendez and Senator Bob Menendez's "
    "staff, President-elect Joe Biden and later President Joe Biden, and NATO Secretary General Jens "
    "Stoltenberg (Secretary-General Jens Stoltenberg) all commented. Former Sen. Hillary Clinton, then "
    "Secretary of State Hillary Clinton, was not there."
)
EDGE = ["", "   ", "one", "Переговоры закончились.", "会谈在日内瓦结束了。", "\n\n".join([CLEAN_PARAGRAPH] * 500)]


@pytest.mark.parametrize("name", sorted(FEATURES))
def test_registered(name):
    assert registry()[name].func is FEATURES[name]


@pytest.mark.parametrize("text", EDGE, ids=["empty", "blank", "one_word", "russian", "chinese", "long"])
@pytest.mark.parametrize("name", sorted(FEATURES))
def test_edge_inputs(name, text):
    m = FEATURES[name](text)
    if not text.strip():
        assert math.isnan(m.value) and m.spans == ()
    else:
        assert math.isfinite(m.value) and m.value >= 0
    assert all(0 <= s.start < s.end <= len(text) and s.reason in REASONS for s in m.spans)
    assert FEATURES[name](text) == m


@pytest.mark.parametrize("name", sorted(FEATURES))
def test_long_clean_text_has_no_spans(name):
    m = FEATURES[name](EDGE[-1])
    assert (m.value, m.spans) == (0.0, ())


def spans_of(func, text):
    return [s.text_of(text) for s in func(text).spans]


def test_seed_003_sherman_titles_are_inconsistent():
    text = SEEDS["seed-003"]["text"]
    m = title_inconsistent(text)
    assert m.value == 1.0
    assert spans_of(title_inconsistent, text) == [
        "Deputy Foreign Minister Wendy Sherman",
        "Assistant Secretary of State Wendy Sherman",
    ]
    assert {s.reason for s in m.spans} == {"title_inconsistent"}


def test_seed_003_us_officials_called_foreign_minister():
    text = SEEDS["seed-003"]["text"]
    assert spans_of(title_country_mismatch, text) == [
        "Deputy Foreign Minister Wendy Sherman",
        "Foreign Minister Antony Blinken",
    ]
    assert title_country_mismatch(text).value == 2.0


@pytest.mark.parametrize("seed", ["seed-000", "seed-001", "seed-002"])
@pytest.mark.parametrize("name", sorted(FEATURES))
def test_seeds_with_consistent_titles_have_no_spans(name, seed):
    """seed-000 is machine-made, but its titles are right and it spells Berbock one way only."""
    text = SEEDS[seed]["text"]
    assert spans_of(FEATURES[name], text) == []


POSITIVE = [
    (title_inconsistent, "Foreign Minister Annalena Baerbock spoke. Then Defence Minister Annalena Baerbock left.",
     ["Foreign Minister Annalena Baerbock", "Defence Minister Annalena Baerbock"]),
    (title_inconsistent, "Gov. Kathy Hochul spoke. Senator Kathy Hochul said. Hochul left.",
     ["Gov. Kathy Hochul", "Senator Kathy Hochul"]),
    (title_country_mismatch, "US Foreign Minister Tom Smith spoke. Russian Secretary of State Ivan Petrov left.",
     ["US Foreign Minister Tom Smith", "Russian Secretary of State Ivan Petrov"]),
    (title_country_mismatch, "Washington’s Defense Minister Lloyd Austin said.",
     ["Washington’s Defense Minister Lloyd Austin"]),
    (title_country_mismatch, "Secretary of State Jane Roe met them. Foreign Minister Jane Roe left.",
     ["Foreign Minister Jane Roe"]),
    (name_variant, "German Foreign Minister Annalena Baerbock arrived. Berbock said talks were the only way.",
     ["Baerbock", "Berbock"]),
    (name_variant, "Sergei Myasnikov spoke. Later Miasnikov added that Sergei Myasnikov was right.",
     ["Myasnikov", "Miasnikov", "Myasnikov"]),
]


@pytest.mark.parametrize("func,text,expected", POSITIVE, ids=[f"{c[0].__name__}-{i}" for i, c in enumerate(POSITIVE)])
def test_positive_cases(func, text, expected):
    assert spans_of(func, text) == expected


def test_name_variant_counts_pairs():
    text = "Annalena Baerbock came. Annalena Berbock spoke, then Annalena Bearbock left."
    assert name_variant(text).value == 3.0


CLEAN = [
    # One person, one title: abbreviations and -elect are the same title.
    "Sen. Bob Menendez spoke. Senator Bob Menendez left. Gov. Ron DeSantis and Governor Ron DeSantis agreed.",
    "President-elect Joe Biden met staff. President Joe Biden later signed it.",
    "NATO Secretary General Jens Stoltenberg and Secretary-General Jens Stoltenberg are one man.",
    # Different people who share a title word or a surname.
    "US Deputy Secretary of State Wendy Sherman met Russian Deputy Foreign Minister Sergei Ryabkov.",
    "President George Bush met Governor Jeb Bush. Bush said little.",
    # The past is not a conflict; a generic title is not a title.
    "Former Sen. Hillary Clinton, now Secretary of State Hillary Clinton, spoke.",
    "Then-Vice President Joe Biden visited. President Joe Biden returned in 2022.",
    "How good a prime minister Gordon Brown will make is unclear. Chancellor Gordon Brown spoke.",
    "Under President Chavez, the state grew. President Chavez said so.",
    # Compound titles and honorifics.
    "Deputy Prime Minister and Foreign Minister Dmytro Kuleba spoke. Deputy Prime Minister Dmytro Kuleba left.",
    "Ambassador Linda Thomas-Greenfield spoke. U.N. Ambassador Linda Thomas-Greenfield left.",
    "White House Press Secretary Jen Psaki said. Spokeswoman Jen Psaki added.",
    # Titles that do exist in the country.
    "British Foreign Secretary Liz Truss met Chinese Foreign Minister Wang Yi and U.S. Secretary of State Tony Hu.",
    "UK Secretary of State for Defence Ben Wallace and German Chancellor Olaf Scholz spoke.",
    # Look-alike words that are not variant spellings of one name.
    "Russia and the Russian side, France and French officials, Greece and Greek ships met.",
    "Austria and Australia, Slovenia and Slovakia, on Tuesday and Thursday.",
    "Michael Mann and Michel Gondry were nominated. Mann won.",
    "Denis Horgan and John Horan both scored. Horgan scored twice.",
    "Mr Horgan and Mr Horan both scored, said Horgan.",
    "The Native American council and South African officials spoke.",
    "Crown Prince Mohammed met Ned Price. Price said.",
]


@pytest.mark.parametrize("text", CLEAN, ids=[f"clean-{i}" for i in range(len(CLEAN))])
@pytest.mark.parametrize("name", sorted(FEATURES))
def test_clean_text_has_no_spans(name, text):
    assert spans_of(FEATURES[name], text) == []


@settings(max_examples=60, deadline=None)
@given(st.lists(st.sampled_from(ALPHABET), max_size=60).map("".join))
def test_properties_on_random_text(text):
    """Any text: a number or nan, spans in bounds with known reasons, deterministic."""
    for func in FEATURES.values():
        m = func(text)
        assert math.isnan(m.value) or m.value >= 0
        assert all(0 <= s.start < s.end <= len(text) and s.reason in REASONS for s in m.spans)
        assert func(text) == m
