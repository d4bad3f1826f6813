"""Golden cases through the shipped model and the real LM: the seed articles in the wild."""
import json

import pytest
from casedata import cases  # noqa: E402

CASES = cases("seeds")
# A hand-written article and two spins of it by the corpus spinner (training/corpus/spinner.py)
SPUN = cases("spun")
# Known failures of the shipped model (strict xfail, with the reason); none at present.
KNOWN_FAILURES: dict[str, str] = {}


def _param(case):
    marks = [pytest.mark.xfail(strict=True, reason=KNOWN_FAILURES[case["id"]])] if case["id"] in KNOWN_FAILURES else []
    return pytest.param(case, id=case["id"], marks=marks)


@pytest.fixture(scope="module")
def det():
    from detector import Detector

    return Detector()


@pytest.mark.slow
@pytest.mark.parametrize("case", [_param(c) for c in CASES])
def test_seed_verdicts(det, case):
    s = det.score(case["text"])
    expect = case["expect"]
    assert s.verdict == expect["verdict"], (s.p_machine, s.threshold, s.reasons)
    assert set(expect.get("hygiene_flags", [])) <= set(s.hygiene_flags)
    assert set(expect.get("span_reasons", [])) <= {sp.reason for sp in s.spans}


@pytest.mark.slow
def test_in_the_wild_round_trips_are_decided_by_their_evidence(det):
    """Seeds 000 and 003 carry several different artifact kinds; the evidence rule flags them without
    the LM, while the n-gram model alone finds their wording human."""
    for case in (c for c in CASES if c["id"] in ("seed-000", "seed-003")):
        s = det.score(case["text"])
        assert s.verdict == "machine" and s.lm_tokens == 0
        assert s.features["evidence.kinds_hit.v1"] >= det.artifact.meta["evidence_rule"]["at_least"]
        assert s.features["ngram.word_logit.v1"] < 0


@pytest.mark.slow
def test_sherman_titles_are_spanned(det):
    case = next(c for c in CASES if c["id"] == "seed-003")
    s = det.score(case["text"])
    texts = [case["text"][sp.start:sp.end] for sp in s.spans if sp.reason == "title_inconsistent"]
    assert any("Wendy Sherman" in t for t in texts)
    assert any("Assistant Secretary of State" in t for t in texts)


@pytest.mark.slow
def test_scrape_damage_is_hygiene_not_evidence(det):
    case = next(c for c in CASES if c["id"] == "seed-001")
    s = det.score(case["text"])
    assert s.verdict == "clean"
    assert not {"apostrophe_stripped", "glued_words"} & {sp.reason for sp in s.spans}


@pytest.mark.slow
@pytest.mark.parametrize("case", SPUN, ids=[c["id"] for c in SPUN])
def test_spun_article_and_its_original(det, case):
    s = det.score(case["text"])
    expect = case["expect"]
    assert s.verdict == expect["verdict"], (s.p_machine, s.threshold, s.reasons)
    reasons = {sp.reason for sp in s.spans}
    assert set(expect.get("span_reasons", [])) <= reasons, reasons
    assert not set(expect.get("no_span_reasons", [])) & reasons, reasons
