"""Choosing a cascade stage's exit band: the AUROC floors and the clean-exit limits per machine group."""
import numpy as np

from training import cascade_fit as cascade


def _dev():
    # 40 human texts with low stage scores, 40 machine texts with high ones, and 4 machine texts (a guarded
    # group, e.g. scrape-damaged spins) that the stage scores as low as the humans.
    rng = np.random.default_rng(0)
    q = np.concatenate([rng.uniform(0.0, 0.2, 40), rng.uniform(0.8, 1.0, 40), [0.01, 0.02, 0.03, 0.04]])
    y = np.array([0] * 40 + [1] * 44)
    guard = np.zeros(84, bool)
    guard[80:] = True
    return q, y, guard


def test_a_guarded_group_keeps_its_texts_from_exiting_clean():
    q, y, guard = _dev()
    whole = (y == 1) & ~guard
    low, high = cascade.choose_band(q, q.copy(), np.ones(84, bool), y, [], low_max=0.5, high_min=0.5,
                                    kinds=[whole, guard & (y == 1)])
    assert np.mean(q[guard] <= low) <= cascade.MAX_CLEAN_EXIT_SHARE
    assert low < 0.01
    unguarded, _ = cascade.choose_band(q, q.copy(), np.ones(84, bool), y, [], low_max=0.5, high_min=0.5,
                                       kinds=[whole])
    assert unguarded > 0.04  # without the guard the same data lets all four exit clean
