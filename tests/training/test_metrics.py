"""The held-out figures' helpers: breakdown by generator setting and the within-document MT AUROC."""
import numpy as np
import pytest

from training import metrics


def _split():
    # humans: two natives, two human translations (documents a, b); machines: spins at two rates, MT of a and b
    kinds = np.array(["native", "native", "human_translation", "human_translation",
                      "spun", "spun", "spun", "mt", "mt", "mt"])
    y = np.array([0, 0, 0, 0, 1, 1, 1, 1, 1, 1])
    details = [{}, {}, {"pair": "de-en"}, {"pair": "ja-en"},
               {"rate": 0.15}, {"rate": 0.5}, {"rate": 0.5}, {"pair": "de-en"}, {"pair": "ja-en"}, {"pair": "ja-en"}]
    groups = np.array(["n1", "n2", "a", "b", "s1", "s2", "s3", "a", "b", "b"])
    p = np.array([0.1, 0.6, 0.2, 0.7, 0.3, 0.9, 0.95, 0.3, 0.8, 0.5])
    return p, y, kinds, details, groups


def test_breakdown_rows_per_setting_value():
    p, y, kinds, details, _ = _split()
    rows = metrics.breakdown(p, y, kinds, details, threshold=0.85, settings={"spun": ("rate",), "mt": ("pair",)}, min_n=1)
    got = {(k, key, v): (n, a, tpr) for k, key, v, n, a, tpr in rows}
    # rate 0.15: one spin at 0.3 against humans 0.1, 0.6, 0.2, 0.7 -> beats two of four
    assert got[("spun", "rate", "0.15")] == (1, 0.5, 0.0)
    assert got[("spun", "rate", "0.5")] == (2, 1.0, 1.0)
    # mt is ranked against the human translations of its own pair: de-en 0.3 > 0.2; ja-en 0.8 > 0.7 > 0.5
    assert got[("mt", "pair", "de-en")] == (1, 1.0, 0.0)
    assert got[("mt", "pair", "ja-en")][:2] == (2, 0.5)


def test_breakdown_ranks_mt_against_all_human_translations_when_no_setting_matches():
    p, y, kinds, details, _ = _split()
    for d, k in zip(details, kinds):
        if k == "mt":
            d["system"] = "sys1"
    rows = metrics.breakdown(p, y, kinds, details, threshold=0.85, settings={"mt": ("system",)}, min_n=1)
    # MT 0.3, 0.8, 0.5 against human translations 0.2 and 0.7: 4 of 6 pairs
    assert rows == [("mt", "system", "sys1", 3, pytest.approx(4 / 6), 0.0)]


def test_breakdown_pools_small_settings_as_other():
    p, y, kinds, details, _ = _split()
    rows = metrics.breakdown(p, y, kinds, details, threshold=0.5, settings={"spun": ("rate",)}, min_n=2)
    assert [(v, n) for _, _, v, n, _, _ in rows] == [("0.5", 2), ("other", 1)]


def test_breakdown_skips_kinds_without_texts_or_reference():
    p, y, kinds, details, _ = _split()
    assert metrics.breakdown(p, y, kinds, details, 0.5, settings={"roundtrip": ("pivot",)}) == []
    no_ht = kinds != "human_translation"
    assert metrics.breakdown(p[no_ht], y[no_ht], kinds[no_ht], [d for d, k in zip(details, no_ht) if k], 0.5,
                             settings={"mt": ("pair",)}) == []


def test_length_breakdown_ranks_each_bucket_against_references_of_that_length():
    p, y, kinds, _, _ = _split()
    words = np.array([50, 500, 50, 500, 50, 500, 500, 50, 500, 500])
    rows = {(k, b): (n, n_ref, a) for k, b, n, n_ref, a in metrics.length_breakdown(p, y, kinds, words, edges=(100,))}
    assert set(rows) == {("mt", "<100"), ("mt", ">=100"), ("spun", "<100"), ("spun", ">=100")}
    # short mt 0.3 against the short human translation 0.2: 1.0; long mt 0.8, 0.5 against 0.7: 0.5
    assert rows[("mt", "<100")] == (1, 1, 1.0)
    assert rows[("mt", ">=100")] == (2, 1, 0.5)
    # long spins 0.9, 0.95 against the long humans (native 0.6, human translation 0.7): 1.0;
    # the short spin 0.3 against the short humans 0.1 and 0.2: 1.0
    assert rows[("spun", ">=100")] == (2, 2, 1.0)
    assert rows[("spun", "<100")] == (1, 2, 1.0)


def test_length_breakdown_labels_middle_buckets_and_skips_empty_ones():
    p, y, kinds = np.array([0.9, 0.1]), np.array([1, 0]), np.array(["spun", "native"])
    rows = metrics.length_breakdown(p, y, kinds, np.array([150, 150]), edges=(100, 200, 400))
    assert rows == [("spun", "100-199", 1, 1, 1.0)]
    assert metrics.length_breakdown(p, y, kinds, np.array([150, 50]), edges=(100,)) == [("spun", ">=100", 1, 0, None)]


def test_paired_auroc_compares_only_within_a_document():
    p, y, kinds, _, groups = _split()
    # document a: mt 0.3 > ht 0.2 (win); document b: mt 0.8 > 0.7 (win), 0.5 < 0.7 (loss) -> 2 of 3
    assert metrics.paired_auroc(p, y, groups, kinds == "mt", kinds == "human_translation") == pytest.approx(2 / 3)
    # every MT text above its own document's human translation: 1.0 within documents, while pooled the
    # human translation of b (0.7) still outscores the MT of a (0.3)
    p[9] = 0.75
    assert metrics.paired_auroc(p, y, groups, kinds == "mt", kinds == "human_translation") == 1.0
    sel = np.isin(kinds, ["mt", "human_translation"])
    assert metrics.auroc(y[sel], p[sel]) == pytest.approx(5 / 6)


def test_paired_auroc_counts_ties_half_and_none_without_pairs():
    g = np.array(["a", "a"])
    assert metrics.paired_auroc(np.array([0.5, 0.5]), np.array([1, 0]), g, np.array([True, False]),
                                np.array([False, True])) == 0.5
    assert metrics.paired_auroc(np.array([0.5, 0.5]), np.array([1, 0]), np.array(["a", "b"]),
                                np.array([True, False]), np.array([False, True])) is None


def test_write_report_makes_directories_and_ends_with_one_newline(tmp_path, capsys):
    from training.evaluate import write_report

    out = tmp_path / "a" / "b.md"
    text = write_report(out, ["# T", "", "| x |", ""])
    assert out.read_text(encoding="utf-8") == text == "# T\n\n| x |\n"
    assert capsys.readouterr().out == text


def test_human_breakdown_by_source_and_domain_pools_small_domains():
    kinds = np.array(["native"] * 5 + ["human_translation"] * 2 + ["spun"])
    sources = np.array(["bbc", "wmt", "wmt", "wmt", "wmt", "wmt", "wmt", "bbc"])
    details = [{}, {"domain": "social"}, {"domain": "social"}, {"domain": "news"}, {"domain": "speech"},
               {"domain": "news"}, {"domain": "news"}, {}]
    p = np.array([0.9, 0.9, 0.1, 0.9, 0.1, 0.2, 0.95, 0.99])
    rows = metrics.human_breakdown(p, kinds, sources, details, threshold=0.5, min_n=2)
    # news and speech have one native each: pooled as wmt/other; machine kinds are not rows
    assert rows == [("native", "bbc", 1, 1.0), ("native", "wmt/social", 2, 0.5), ("native", "wmt/other", 2, 0.5),
                    ("human_translation", "wmt/news", 2, 0.5)]


def test_reports_name_a_model_inside_the_working_directory_by_its_relative_path(tmp_path, monkeypatch):
    from training.evaluate import shown_path

    (tmp_path / "models" / "m").mkdir(parents=True)
    monkeypatch.chdir(tmp_path)
    assert shown_path(tmp_path / "models" / "m") == "models/m"
    assert shown_path("models/m") == "models/m"
    outside = tmp_path.parent / "elsewhere"
    assert shown_path(outside) == str(outside)  # outside the working directory: as given


def test_a_kind_with_both_labels_gets_its_tpr_on_machines_and_its_fpr_on_humans():
    """A user's records default to kind ``user`` whatever their label (make train DATA=...)."""
    p = np.array([0.9, 0.8, 0.2, 0.6, 0.1, 0.7])
    y = np.array([1, 1, 1, 0, 0, 0])
    kinds = np.array(["user"] * 5 + ["native"])
    got = metrics.kind_metrics(p, y, kinds, np.array([""] * 6), threshold=0.5)
    assert got["tpr_user"] == pytest.approx(2 / 3) and got["fpr_user"] == 0.5 and got["fpr_native"] == 1.0
    assert got["auroc_user_vs_human"] == got["auroc_all"] and got["n"] == 6
    assert list(got).index("fpr_native") < list(got).index("fpr_user")  # the corpus's human kinds first
