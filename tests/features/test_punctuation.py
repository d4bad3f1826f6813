"""Tests for detector.features.punctuation: edge inputs, seed artifacts, clean-text guards."""
from __future__ import annotations

import json
import math
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from detector.features import registry
from detector.features.punctuation import (
    detached_period,
    quote_broken,
    quote_then_mark,
    repeated_mark,
    space_before,
)
from detector.spans import per_1000

FEATURES = {
    "punct.space_before.v1": space_before,
    "punct.repeated_mark.v1": repeated_mark,
    "punct.quote_then_mark.v1": quote_then_mark,
    "punct.detached_period.v1": detached_period,
    "punct.quote_broken.v1": quote_broken,
}
REASONS = {"stray_punctuation", "detached_period", "quote_broken"}
ALPHABET = "aZ .,;:!?…\"'“”‘’()-\n\t5"
from casedata import SEEDS  # noqa: E402
CLEAN_PARAGRAPH = (
    'U.S. Secretary of State Antony Blinken said on Sunday that talks were "difficult." Mr. Smith, '
    "who earned 1.5 million dollars at No. 2 in the U.K., disagreed... The firm, Acme Inc., said "
    "shares rose 3.2% at 10 a.m. local time, e.g. in London, vs. a fall in Calif. on Friday. "
    "J. R. R. Tolkien's books sold well, according to www.example.com."
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
        assert math.isfinite(m.value)
        assert m.value == per_1000(len(m.spans), len(text))
    assert all(0 <= s.start < s.end <= len(text) and s.reason in REASONS for s in m.spans)
    assert FEATURES[name](text) == m


def test_long_clean_text_has_no_spans():
    text = EDGE[-1]
    assert {name: f(text).spans for name, f in FEATURES.items()} == {name: () for name in FEATURES}


POSITIVE = [
    (space_before, "Talks ended , then it rained .", [" ,", " ."]),
    (space_before, "Why ? Nobody knows !", [" ?", " !"]),
    (repeated_mark, "It was over. . Then it began,, again;. Finally.", ["over. .", "began,,", "again;."]),
    (repeated_mark, "The deal is done., said the source.", ["done.,"]),
    (quote_then_mark, "He said “no.” , and left.", ["no.” ,"]),
    (quote_then_mark, 'He said "stop". Then "go,", and "went.".', ['go,",', 'went.".']),
    (quote_then_mark, "He called it “final.”. Others disagreed.", ["final.”."]),
    (detached_period, "the move was made by the organizations. are negotiable", ["organizations. are"]),
    (detached_period, "Download the. down NBC news app", ["the. down"]),
    (detached_period, "costs to the Russian economy. reported the Associated Press", ["economy. reported"]),
    (quote_broken, "He said “we are ready.” Not there.” Journalist Sunday.", ["ready.” Not there.”"]),
    (quote_broken, 'He said "we are ready." Not there." Journalist Sunday.', ['ready." Not there."']),
    (quote_broken, "This is what we wanted.” He left.", ["wanted.”"]),
]


@pytest.mark.parametrize("func,text,expected", POSITIVE, ids=[f"{c[0].__name__}-{i}" for i, c in enumerate(POSITIVE)])
def test_positive_cases(func, text, expected):
    assert [s.text_of(text) for s in func(text).spans] == expected


SEED_SPANS = [
    ("seed-000", space_before, [" ,", " ,", " ."]),
    ("seed-000", repeated_mark, ["Stefanishyna. ."]),
    ("seed-000", quote_then_mark, ["done.” ,", "do.” ,"]),
    ("seed-000", detached_period, ["organizations. are"]),
    ("seed-000", quote_broken, [
        "alliances.” done.”",
        "command.” likely to do.”",
        "partners.” Will not discuss European security,”",
        "view.” Not there.”",
    ]),
    ("seed-003", detached_period, ["Interfax. reported.", "the. down", "economy. reported"]),
]


@pytest.mark.parametrize("seed,func,expected", SEED_SPANS, ids=[f"{s}-{f.__name__}" for s, f, *_ in SEED_SPANS])
def test_seed_artifacts(seed, func, expected):
    text = SEEDS[seed]["text"]
    assert [s.text_of(text) for s in func(text).spans] == expected


@pytest.mark.parametrize("seed,artifact", [
    ("seed-000", "done.” ,"),
    ("seed-000", "Olga Stefanishyna. ."),
    ("seed-000", "partners.” Will not discuss"),
    ("seed-000", "point of view.” Not there.”"),
    ("seed-003", "Interfax. reported."),
    ("seed-003", "Download the. down"),
])
def test_annotated_artifacts_are_explained(seed, artifact):
    """Each annotated artifact overlaps a span of some punctuation feature."""
    text = SEEDS[seed]["text"]
    where = text.index(artifact)
    spans = [s for f in FEATURES.values() for s in f(text).spans]
    assert any(s.start < where + len(artifact) and where < s.end for s in spans)


CLEAN = [
    "The U.S. economy grew 2.5% in the first quarter, the Commerce Dept. said on Thursday.",
    "Mr. and Mrs. Smith met Dr. Jones at 5 p.m. on Friday, i.e. after work, at No. 10 Downing St. in London.",
    "J. R. R. Tolkien wrote it in 1954. E. coli outbreaks fell. Prices fell 0.5 percent to $1.25.",
    "Visit www.bbc.co.uk or example.com for details. The score was 3-1.",
    "He paused... then said: “We will win.” She replied, “No, you won’t.”",
    '"I think so," he said. "But we will see." Then he left.',
    "“We are ready,” she said.\n\n“We have been ready for weeks. The plan is sound.\n\n“Nothing will stop us now.”",
    "The firm (Acme Inc.) and Foo Corp., Bar Ltd. and Baz Co. merged; shares of Acme Inc. rose.",
    "Critics called the plan “unworkable”. Supporters said it was ‘bold’.",
    "The 12\" pipe and the 5'10\" player. Results vs. last year were mixed.",
    "Talks were held in Washington, D.C. on Monday; officials from the U.K. also attended.",
    "“Is it over?” he asked. “Yes!” they shouted.",
    "The minister said the plan, which costs £2.4bn, was “fully funded” - a claim disputed by the IFS.",
    "It was approx. five miles, est. cost unknown, in St. Louis, Mo. on Jan. 5.",
    "He sent an iPhone. eBay sales rose.",
]


@pytest.mark.parametrize("text", CLEAN, ids=[f"clean-{i}" for i in range(len(CLEAN))])
@pytest.mark.parametrize("name", sorted(FEATURES))
def test_clean_text_has_no_spans(name, text):
    assert [s.text_of(text) for s in FEATURES[name](text).spans] == []


@pytest.mark.parametrize("seed", ["seed-001", "seed-002"])
@pytest.mark.parametrize("name", sorted(FEATURES))
def test_human_seeds_have_no_spans(name, seed):
    text = SEEDS[seed]["text"]
    assert [s.text_of(text) for s in FEATURES[name](text).spans] == []


@settings(max_examples=60, deadline=None)
@given(st.text(alphabet=st.sampled_from(list(ALPHABET)), max_size=300))
def test_properties_on_random_text(text):
    """Any text: a number or nan, spans in bounds with known reasons, deterministic."""
    for func in FEATURES.values():
        m = func(text)
        assert math.isnan(m.value) or m.value >= 0
        assert all(0 <= s.start < s.end <= len(text) and s.reason in REASONS for s in m.spans)
        assert func(text) == m
