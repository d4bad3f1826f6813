"""Thresholds per length band (detector.bands): a band without a threshold abstains (too_short) and its
texts never reach the LM; a band's threshold is the one a text is held to; a caller's threshold holds at
every length."""
import json
import math
import shutil

import pytest

from detector import Detector
from detector.bands import Bands
from tests.fakes import FakeScorer

LONG = " ".join(f"The council met on day {i} and agreed to publish the budget in full." for i in range(12))
SHORT = " ".join(f"The council met on day {i} and agreed." for i in range(6))  # 42 words


@pytest.fixture()
def banded(tmp_path):
    """A copy of the shipped model whose 30-79 band abstains at 0.01 and whose 80+ band has threshold 0.42."""
    from importlib import resources

    src = resources.files("detector").joinpath("resources", "model")
    shutil.copytree(str(src), tmp_path / "m")
    meta_path = tmp_path / "m" / "meta.json"
    meta = json.loads(meta_path.read_text())
    keys = list(meta["thresholds"])
    meta["length_bands"] = {"chosen_on": "test", "rule": "test", "bands": [
        {"min_words": meta["min_words"], "words": "30-79", "thresholds": {k: None for k in keys}, "dev": {}},
        {"min_words": 80, "words": "80+", "thresholds": {k: 0.42 for k in keys}, "dev": {}}]}
    meta_path.write_text(json.dumps(meta))
    return tmp_path / "m"


def test_a_band_without_a_threshold_abstains_unread(banded):
    scorer = FakeScorer()
    s = Detector(banded, scorer=scorer).score(SHORT)
    assert 30 <= s.words < 80
    assert s.verdict == "too_short" and s.lm_tokens == 0 and scorer.calls == []


def test_a_long_text_is_held_to_its_band_threshold(banded):
    det = Detector(banded, scorer=FakeScorer())
    s = det.score(LONG)
    assert s.words >= 80 and s.threshold == 0.42
    assert s.verdict == ("machine" if s.p_machine >= 0.42 else "clean")
    assert s.annotation()["threshold"] == 0.42


def test_a_callers_threshold_holds_at_every_length(banded):
    det = Detector(banded, scorer=FakeScorer(), threshold=0.99)
    short, long = det.score_many([SHORT, LONG])
    assert short.verdict in ("clean", "machine") and short.threshold == long.threshold == 0.99


def test_the_gate_drops_an_abstained_text_as_too_short(banded):
    det = Detector(banded, scorer=FakeScorer())
    (_, verdict), = list(det.filter([SHORT]))
    assert not verdict.keep and verdict.reason == "too_short"


def test_a_model_without_bands_has_one_threshold_for_every_length():
    det = Detector(scorer=FakeScorer())
    meta = dict(det.artifact.meta)
    meta.pop("length_bands", None)
    from detector.artifact import Artifact

    bare = Artifact(det.artifact.classifier, meta, det.artifact.path, det.artifact.stages, det.artifact.submodels)
    assert bare.bands(0.01) == Bands.single(bare.min_words, bare.threshold(0.01))


def test_bands_pick_the_band_by_words():
    b = Bands((30, 80, 200), (None, 0.9, 0.8))
    assert [b.threshold(w) for w in (30, 79, 80, 199, 200, 5000)] == [None, None, 0.9, 0.9, 0.8, 0.8]
    assert not math.isnan(b.thresholds[1])
