"""The dev-only study of issue 27 (training.experiments.dev_study) and the learned convolution over
per-token scores (training.experiments.token_cnn)."""
import numpy as np

from detector.lm import TokenScores
from training.experiments import dev_study, token_cnn


def _rec(i, split, kind, source="wmt", system=""):
    return {"id": f"r{i}", "split": split, "kind": kind, "source": source, "group": f"g{i}",
            "label": "human" if kind in ("native", "human_translation") else "machine",
            "detail": {"system": system} if system else {}, "text": f"text {i}"}


def test_dev_copies_become_the_held_out_split_and_test_records_are_dropped():
    recs = [_rec(0, "train", "mt"), _rec(1, "dev", "human_translation"), _rec(2, "test", "mt")]
    out = dev_study.dev_as_test(recs)
    assert [(r["id"], r["split"]) for r in out] == [("r0", "train"), ("r1", "dev"), ("r1#dev", "test")]
    assert out[2]["text"] == out[1]["text"]


def test_slices_rank_each_system_against_its_own_corpus_human_translations():
    rows = [_rec(0, "dev", "human_translation", "htmt"), _rec(1, "dev", "mt", "htmt", "DeepL-2021"),
            _rec(2, "dev", "mt", "htmt", "Google-2021"), _rec(3, "dev", "human_translation", "wmt"),
            _rec(4, "dev", "mt", "wmt", "Online-B")]
    p = np.array([0.1, 0.9, 0.05, 0.95, 0.2])  # DeepL above the htmt HT, Google below it; WMT MT below WMT HT
    out = dev_study.slices(rows, p)
    assert out["  DeepL"] == 1.0 and out["  Google"] == 0.0 and out["  WMT"] == 0.0
    assert out["  HT-vs-MT de-en"] == 0.5


def test_token_matrix_reads_each_token_and_the_net_learns_a_sequence_signal():
    n = 40
    s = TokenScores(np.zeros((n, 2), np.int32), np.full(n, 2.0, np.float32), np.ones(n, np.int32),
                    np.full(n, 1.5, np.float32), np.full(n, np.nan, np.float32), np.full(n, -1, np.int16))
    m = token_cnn.token_matrix(s)
    assert m.shape == (n, token_cnn.CHANNELS) and np.allclose(m[:, 2], 0.5) and np.all(m[:, 5] == 1)
    rng = np.random.default_rng(0)
    # machine texts carry one run of 8 high-surprisal tokens; the mean over the text barely moves
    mats, y = [], np.arange(120) % 2
    for label in y:
        x = rng.normal(size=(60, token_cnn.CHANNELS)).astype(np.float32)
        if label:
            x[20:28, 0] += 3.0
        mats.append(x)
    model = token_cnn.fit(mats[:80], y[:80], epochs=15)
    z = token_cnn.logits(model, mats[80:])
    assert np.mean(z[y[80:] == 1]) > np.mean(z[y[80:] == 0])


def test_compare_models_splits_by_source_and_counts_human_verdicts():
    from training.experiments import compare_models

    y = np.array([0, 1, 0, 1])
    kinds = np.array(["human_translation", "mt", "human_translation", "mt"])
    sources = np.array(["wmt", "wmt", "htmt", "htmt"])
    p = np.array([0.2, 0.9, 0.8, 0.1])  # right on the old records, inverted on the new corpus
    verdicts = np.array(["clean", "machine", "machine", "clean"])
    out = compare_models.figures(p, verdicts, y, kinds, np.array([""] * 4), sources, threshold=0.5)
    assert out["before HT-vs-MT"]["auroc_mt_vs_human_translation"] == 1.0
    assert out["HT-vs-MT de-en"]["auroc_mt_vs_human_translation"] == 0.0
    assert out["all"]["n"] == 4 and out["HT-vs-MT de-en"]["human verdicts"] == {"machine": 1}
    assert out["before HT-vs-MT"]["fpr_human_translation"] == 0.0
    assert "| auroc_all | 0.5000 |" in "\n".join(compare_models.render(["m"], [out], "test"))


def test_token_cnn_by_source_scores_each_source_apart():
    y = np.array([0, 1, 0, 1, 0, 1])
    sources = np.array(["wmt", "wmt", "htmt", "htmt", "htmt", "htmt"])
    p = np.array([0.1, 0.9, 0.8, 0.2, 0.3, 0.7])  # right on wmt, half right on htmt
    out = token_cnn.by_source(p, y, sources)
    assert out["  wmt only"] == 1.0 and out["  htmt only"] == 0.25
    assert list(out) == ["mt vs human_translation", "  htmt only", "  wmt only"]
