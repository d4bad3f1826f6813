"""Thresholds at stated false-positive rates (training.fit): the split-conformal rank per human kind."""
import numpy as np
import pytest

from training import fit


@pytest.mark.parametrize("n,fpr,k", [(116, 0.01, 116), (282, 0.01, 281), (116, 0.02, 115), (50, 0.01, 51),
                                     (99, 0.01, 99), (999, 0.001, 999), (1000, 0.05, 951)])
def test_conformal_rank(n, fpr, k):
    assert fit.conformal_rank(n, fpr) == k


def test_kind_threshold_sits_just_above_the_rank_score():
    scores = np.linspace(0.01, 0.99, 116)[::-1]  # order must not matter
    t, certified = fit.kind_threshold(scores, 0.02)  # rank 115: above the 2nd-highest, below the highest
    assert certified and scores[1] < t <= np.nextafter(scores[1], 2.0) and t < scores[0]
    t, certified = fit.kind_threshold(scores, 0.01)  # rank 116: above every score
    assert certified and t > scores.max()
    t, certified = fit.kind_threshold(scores[:50], 0.01)  # 50 texts cannot certify 1%
    assert not certified and t > scores[:50].max()


def test_expected_exceedance_is_at_most_the_target():
    """Over many dev splits of 116 uniform human scores, a new text passes the threshold with mean
    probability (n + 1 - k) / (n + 1) = 2/117 at a 2% target; the plain empirical quantile (1 - t of the
    old rule, just above the 3rd-highest) would give 3/117 = 2.6%."""
    rng = np.random.default_rng(0)
    exceed = [1.0 - fit.kind_threshold(rng.random(116), 0.02)[0] for _ in range(4000)]
    assert np.mean(exceed) == pytest.approx(2 / 117, abs=0.002) and np.mean(exceed) <= 0.02


def test_thresholds_take_the_strictest_kind_and_report_each():
    rng = np.random.default_rng(1)
    p = np.concatenate([rng.random(200) * 0.5, rng.random(40) * 0.9, 0.95 + rng.random(100) * 0.05])
    kinds = np.array(["native"] * 200 + ["human_translation"] * 40 + ["mt"] * 100)
    y = np.array([0] * 240 + [1] * 100)
    row = fit.thresholds(p, y, kinds)["0.01"]
    ht = p[kinds == "human_translation"]
    assert row["threshold"] > ht.max() and row["threshold"] < 0.95  # 40 texts: above their highest
    assert row["certified_by_kind"] == {"human_translation": False, "native": True}
    assert row["fpr_by_kind"] == {"human_translation": 0.0, "native": 0.0} and row["tpr"] == 1.0
    assert fit.thresholds(p, y, kinds)["0.05"]["threshold"] < row["threshold"]
