"""The LM comparison's pieces that need no LM: the fixed text sample and the proxy regressions."""
import numpy as np
import pytest

from training.experiments import lm_compare


def _records():
    rs = []
    for split, n in (("train", 6), ("dev", 3), ("test", 3)):
        for i in range(n):
            for kind, label in (("mt", "machine"), ("human_translation", "human"), ("native", "human")):
                rs.append({"split": split, "kind": kind, "label": label, "group": f"{split}{i}", "text": f"{split} {kind} {i}"})
    return rs


def test_subset_keeps_dev_and_test_and_samples_train_per_kind_reproducibly():
    rs = _records()
    got = lm_compare.subset(rs, train_per_kind=2)
    assert {r["kind"] for r in got} == {"mt", "human_translation"}
    assert sum(r["split"] == "dev" for r in got) == 6 and sum(r["split"] == "test" for r in got) == 6
    train = [r for r in got if r["split"] == "train"]
    assert sorted(r["kind"] for r in train) == ["human_translation"] * 2 + ["mt"] * 2
    assert got == lm_compare.subset(rs, train_per_kind=2)  # the same sample every run: the score cache is reused
    assert len(lm_compare.subset(rs, train_per_kind=100)) == 6 * 2 + 12  # asks for more than there are: all


def test_proxy_aurocs_fit_on_train_and_score_each_split():
    rs = lm_compare.subset(_records(), train_per_kind=6)
    y = np.array([r["label"] == "machine" for r in rs], float)
    rng = np.random.default_rng(0)
    m = {"feat": np.c_[y + 0.1 * rng.normal(size=len(y)), rng.normal(size=len(y))],  # the first column separates
         "hidden": rng.normal(size=(len(y), 4))}  # noise
    out = lm_compare.proxy_aurocs(m, rs)
    assert set(out) == set(lm_compare.PROXIES)
    assert out["LM features"]["dev"] == (1.0, 1.0) and out["LM features"]["test"] == (1.0, 1.0)
    assert out["both"]["test"][0] == pytest.approx(1.0)


def test_run_argument_names_a_known_lm_and_a_positive_budget():
    import argparse

    assert lm_compare.run_arg("SmolLM2-135M-Instruct.Q4_1:256") == ("SmolLM2-135M-Instruct.Q4_1", 256)
    for bad in ("gpt-9:128", "SmolLM2-135M-Instruct.Q4_1", "SmolLM2-135M-Instruct.Q4_1:0", "SmolLM2-135M-Instruct.Q4_1:x"):
        with pytest.raises(argparse.ArgumentTypeError):
            lm_compare.run_arg(bad)
