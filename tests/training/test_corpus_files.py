"""Checks on the committed corpus files in data/corpus/ (no rebuild needed)."""
import re
from collections import Counter, defaultdict

import pytest

from training.corpus.build import edit_rate
from training.data import load_corpus

FIELDS = {"id", "group", "split", "label", "kind", "source", "detail", "text"}
MINIMUMS = {"mt": 1000, "roundtrip": 1000, "spun": 500, "scrape_damaged": 500}


@pytest.fixture(scope="module")
def records():
    return load_corpus()


def test_every_record_has_the_schema(records):
    for r in records:
        assert FIELDS <= set(r), r["id"]
        assert r["label"] in ("machine", "human")
        assert r["split"] in ("train", "dev", "test")
        assert isinstance(r["text"], str) and r["text"].strip()


def test_no_group_in_two_splits(records):
    splits = defaultdict(set)
    for r in records:
        splits[r["group"]].add(r["split"])
    leaked = {g: s for g, s in splits.items() if len(s) > 1}
    assert not leaked, list(leaked.items())[:5]


def test_ids_are_unique(records):
    counts = Counter(r["id"] for r in records)
    assert counts.most_common(1)[0][1] == 1


def test_sizes_meet_the_minimums(records):
    kinds = Counter(r["kind"] for r in records)
    assert kinds["native"] + kinds["human_translation"] >= 1500
    for kind, n in MINIMUMS.items():
        assert kinds[kind] >= n, kind
    groups = {(r["group"], r["split"]) for r in records}
    assert sum(1 for _, s in groups if s == "test") / len(groups) >= 0.15


def test_labels_follow_kinds(records):
    expected = {"native": "human", "human_translation": "human", "scrape_damaged": "human",
                "mt": "machine", "roundtrip": "machine", "spun": "machine"}
    for r in records:
        assert r["label"] == expected[r["kind"]], r["id"]


def test_never_seen_system_and_language_are_kept_out_of_train(records):
    held = [r for r in records if r["detail"].get("holdout")]
    assert {r["detail"]["holdout"] for r in held} == {"system", "language"}
    assert all(r["split"] != "train" for r in held)
    assert not any(r["detail"].get("system") == "Online-Y" for r in records if r["split"] == "train")
    assert not any(r["detail"].get("pair", "").startswith("is-") for r in records if r["split"] == "train")


def _paragraphs(text):
    return [p for p in re.split(r"\n+", text) if p.strip()]


@pytest.mark.parametrize("kind", ["roundtrip", "spun"])
def test_derived_records_differ_from_originals_and_keep_paragraphs(records, kind):
    by_id = {r["id"]: r for r in records}
    derived = [r for r in records if r["kind"] == kind and r.get("original_id") in by_id
               and not r["detail"].get("boilerplate") and not r["detail"].get("scraped")]
    assert len(derived) > 100
    for r in derived:
        orig = by_id[r["original_id"]]
        assert r["group"] == orig["group"]
        assert edit_rate(r["text"], orig["text"]) >= 0.04, r["id"]
        if not orig["detail"].get("boilerplate"):
            assert len(_paragraphs(r["text"])) == len(_paragraphs(orig["text"])), r["id"]


@pytest.fixture(scope="module")
def extra(records):
    from pathlib import Path

    from training.corpus.build import translation_extra

    return translation_extra(Path("data/raw"), records)


def test_translation_extra_adds_only_train_wmt_translations(records, extra):
    """The translation n-gram model's extra records: train WMT groups only, never a held-out system or
    language, no id or text already in the corpus, and the corpus schema."""
    train_groups = {r["group"] for r in records if r["split"] == "train"}
    other_groups = {r["group"] for r in records if r["split"] != "train"}
    ids, texts = {r["id"] for r in records}, {r["text"] for r in records}
    kinds = Counter(r["kind"] for r in extra)
    assert kinds["mt"] > 2 * sum(r["kind"] == "mt" for r in records if r["split"] == "train")
    assert set(kinds) == {"mt", "human_translation"} and kinds["human_translation"] > 0
    for r in extra:
        assert FIELDS <= set(r) and r["split"] == "train" and r["detail"]["extra"], r["id"]
        assert r["group"] not in other_groups and r["id"] not in ids and r["text"] not in texts, r["id"]
        assert r["detail"]["system"] != "Online-Y" and not r["detail"]["pair"].startswith("is-"), r["id"]
        assert r["label"] == ("machine" if r["kind"] == "mt" else "human"), r["id"]
    assert sum(r["group"] in train_groups for r in extra) > 0.9 * len(extra)  # groups the corpus trains on
    assert len({r["text"] for r in extra}) == len(extra) and len({r["id"] for r in extra}) == len(extra)


def test_htmt_versions_of_one_document_stay_together_and_are_laid_out_like_the_rest(records):
    """HT-vs-MT documents arrive as single lines: in the corpus they are paragraphs like every other source,
    and the human, DeepL and Google versions of one document share its group (and so its split)."""
    htmt = [r for r in records if r["source"] == "htmt"]
    assert len(htmt) >= 2500
    assert {r["detail"]["system"] for r in htmt if r["kind"] == "mt"} == {"DeepL-2021", "Google-2021"}
    by_group = defaultdict(set)
    for r in htmt:
        by_group[r["group"]].add((r["kind"], r["detail"]["system"]))
    assert sum({("mt", "DeepL-2021"), ("mt", "Google-2021"), ("human_translation", "human")} <= v
               for v in by_group.values()) >= 400
    multi = [r for r in htmt if r["words"] >= 150]
    assert sum(r["text"].count("\n") >= 3 for r in multi) / len(multi) > 0.97  # a few hold an unclosed quotation


def test_layout_alone_does_not_give_the_htmt_labels_away(records):
    from training.corpus.report import layout_auroc

    assert layout_auroc([r for r in records if r["source"] == "htmt"]) <= 0.60
