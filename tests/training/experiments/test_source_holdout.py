"""Leave-one-source-out: which records are held out, and the figures per source."""
import numpy as np

from training.experiments import source_holdout as S


def _records():
    out = []
    for split in ("train", "dev", "test"):
        for src in ("abc", "bbc"):
            g = f"{src}:{split}"
            out += [{"group": g, "split": split, "source": src, "kind": "native", "label": "human"},
                    {"group": g, "split": split, "source": src, "kind": "roundtrip", "label": "machine"},
                    {"group": g, "split": split, "source": src, "kind": "scrape_damaged", "label": "human"}]
        out.append({"group": f"wmt:{split}", "split": split, "source": "wmt", "kind": "mt", "label": "machine"})
    return out


def test_a_source_leaves_train_and_dev_with_everything_derived_from_it():
    recs = _records()
    groups = S.held_groups(recs, "abc")
    assert groups == {"abc:train", "abc:dev", "abc:test"}
    kept = S.without(recs, groups)
    assert not [r for r in kept if r["source"] == "abc" and r["split"] != "test"]
    assert len([r for r in kept if r["source"] == "abc"]) == 3  # its test records all stay
    assert len([r for r in kept if r["source"] == "bbc"]) == 9 and len([r for r in kept if r["kind"] == "mt"]) == 3
    assert S.held_groups(recs, "wmt") == set()  # machine translations are not native documents


def test_figures_are_fpr_of_the_source_and_auroc_against_every_human():
    test = [r for r in _records() if r["split"] == "test"]  # abc native, rt, scrape; bbc native, rt, scrape; mt
    p = np.array([0.95, 0.99, 0.2, 0.1, 0.5, 0.3, 0.7])
    fpr_native, fpr_scrape, auc_rt, auc_spun = S.figures(p, test, {"abc:test"}, threshold=0.9)
    assert fpr_native == "1.000 (1)" and fpr_scrape == "0.000 (1)"
    assert auc_rt == "1.0000"  # abc's round trip (0.99) above all four humans
    assert auc_spun == "-"


def test_the_translation_extra_records_never_come_from_a_held_out_source():
    """The refits get make train's extra WMT records; none may belong to a held-out native's group."""
    from pathlib import Path

    from training.corpus.build import translation_extra
    from training.data import load_corpus

    records = load_corpus()
    extra_groups = {r["group"] for r in translation_extra(Path("data/raw"), records)}
    assert extra_groups
    for source in S.SOURCES:
        assert not extra_groups & S.held_groups(records, source), source
