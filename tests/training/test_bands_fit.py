"""Choosing thresholds per length band on dev (training.bands) and the short excerpts they are chosen on."""
import doctest

import numpy as np
import pytest

from training import bands, fit
from training.corpus import excerpts


@pytest.mark.parametrize("module", [bands, excerpts])
def test_doctests(module):
    assert doctest.testmod(module).failed == 0


def _dev(n_short: int, n_mid: int, n_long: int, seed: int = 0):
    rng = np.random.default_rng(seed)
    words = np.r_[np.full(n_short, 50), np.full(n_mid, 120), np.full(n_long, 400)]
    n = len(words)
    p = np.r_[rng.uniform(0, 0.6, n), rng.uniform(0.5, 1, n)]
    y = np.r_[np.zeros(n), np.ones(n)]
    return p, y, np.array(["native"] * n + ["mt"] * n), np.r_[words, words]


POOLED = {"0.01": {"certified_by_kind": {"native": True}}, "0.05": {"certified_by_kind": {"native": True}}}


def test_every_band_with_enough_dev_texts_gets_a_threshold_that_holds_on_dev():
    p, y, kinds, words = _dev(150, 150, 150)
    out = bands.choose(p, y, kinds, words, 30, POOLED)
    assert [b["words"] for b in out["bands"]] == ["30-79", "80-199", "200+"]
    for b in out["bands"]:
        for key, t in b["thresholds"].items():
            assert t is not None and b["dev"][key]["fpr_by_kind"]["native"] <= float(key)


def test_a_short_band_without_enough_dev_texts_abstains_and_a_long_one_merges():
    p, y, kinds, words = _dev(40, 150, 60)
    out = bands.choose(p, y, kinds, words, 30, POOLED)
    assert [b["words"] for b in out["bands"]] == ["30-79", "80+"]
    short, rest = out["bands"]
    assert short["thresholds"]["0.01"] is None and short["dev"]["0.01"]["tpr"] == 0.0
    assert short["thresholds"]["0.05"] is not None  # 40 texts certify 5%
    assert rest["thresholds"]["0.01"] is not None


def test_a_band_that_abstains_at_a_rate_abstains_at_every_stricter_one():
    p, y, kinds, words = _dev(40, 150, 150)
    pooled = dict(POOLED, **{"0.001": {"certified_by_kind": {"native": False}}})
    short = bands.choose(p, y, kinds, words, 30, pooled)["bands"][0]
    assert short["thresholds"]["0.01"] is None and short["thresholds"]["0.001"] is None


def test_a_rate_the_whole_dev_split_cannot_certify_does_not_make_bands_abstain():
    p, y, kinds, words = _dev(150, 150, 150)
    pooled = {"0.001": {"certified_by_kind": {"native": False}}}
    out = bands.choose(p, y, kinds, words, 30, dict(POOLED, **pooled))
    assert all(b["thresholds"]["0.001"] is not None for b in out["bands"])


def test_excerpts_are_consecutive_lines_of_dev_and_test_records_only():
    text = "\n\n".join(f"Paragraph {i} says something about the talks." for i in range(9))
    recs = [{"id": f"r{s}", "split": s, "kind": "native", "label": "human", "group": s, "source": "bbc",
             "detail": {}, "text": text, "words": 63} for s in ("train", "dev", "test")]
    out = excerpts.excerpts(recs)
    assert [e["split"] for e in out] == ["dev", "test"]
    for e in out:
        lines = e["text"].split("\n\n")
        assert len(lines) in excerpts.LINES and e["text"] in text and e["detail"]["excerpt"]["of"] == e["id"][:-8]
    assert excerpts.excerpts(recs) == out  # deterministic


def test_a_merged_band_holds_the_rate_in_each_part_that_can_certify_it():
    # 80-199-word human texts score higher than 200+-word ones; the 200+ part is too small for 1% and
    # merges, but at 5% each part certifies alone: the merged band's threshold must hold in the 80-199 part
    rng = np.random.default_rng(1)
    words = np.r_[np.full(150, 50), np.full(150, 120), np.full(60, 400)]
    h = np.r_[rng.uniform(0, 0.6, 150), rng.uniform(0.3, 0.9, 150), rng.uniform(0, 0.2, 60)]
    p = np.r_[h, rng.uniform(0.5, 1, 360)]
    y = np.r_[np.zeros(360), np.ones(360)]
    kinds = np.array(["native"] * 360 + ["mt"] * 360)
    out = bands.choose(p, y, kinds, np.r_[words, words], 30, POOLED)
    assert [b["words"] for b in out["bands"]] == ["30-79", "80+"]
    t = out["bands"][1]["thresholds"]["0.05"]
    mid = h[150:300]
    assert np.mean(mid >= t) <= 0.05


def test_each_source_that_can_certify_the_rate_alone_holds_it_whatever_the_mix():
    # two human sources of one kind, "hot" scoring higher: the pooled 5% threshold of a 50/50 dev mix lets
    # about 10% of "hot" texts through; with sources given, the threshold is at least hot's own
    rng = np.random.default_rng(2)
    n = 200
    cool, hot = rng.uniform(0, 0.4, n), rng.uniform(0.2, 0.8, n)
    p = np.r_[cool, hot, rng.uniform(0.5, 1, 2 * n)]
    y = np.r_[np.zeros(2 * n), np.ones(2 * n)]
    kinds = np.array(["native"] * 2 * n + ["mt"] * 2 * n)
    sources = np.array(["cool"] * n + ["hot"] * n + ["m"] * 2 * n)
    words = np.full(4 * n, 400)
    pooled_t = bands.choose(p, y, kinds, words, 30, POOLED)["bands"][-1]["thresholds"]["0.05"]
    t = bands.choose(p, y, kinds, words, 30, POOLED, sources=sources)["bands"][-1]["thresholds"]["0.05"]
    hot_alone = fit.kind_threshold(hot, 0.05)[0]
    assert pooled_t < hot_alone <= t
    assert (0.8 - pooled_t) / 0.6 > 0.08  # the rate the pooled threshold gives hot texts (uniform on 0.2-0.8)


def test_a_source_too_small_to_certify_alone_does_not_make_the_band_abstain():
    rng = np.random.default_rng(4)
    p = np.r_[rng.uniform(0, 0.5, 150), rng.uniform(0.5, 1, 150)]
    y, kinds = np.r_[np.zeros(150), np.ones(150)], np.array(["native"] * 150 + ["mt"] * 150)
    sources = np.array(["big"] * 140 + ["tiny"] * 10 + ["m"] * 150)
    out = bands.choose(p, y, kinds, np.full(300, 400), 30, POOLED, sources=sources)["bands"][-1]
    assert out["thresholds"]["0.01"] is not None and out["thresholds"]["0.05"] is not None
