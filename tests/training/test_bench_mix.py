"""The crawl mix of ``make bench``: fixed, test split only, news length, 80% human / 20% machine with each
share split over its kinds as the test split holds them."""
from collections import Counter

from training.bench import CRAWL_MIX_DOCS, NEWS_WORDS, crawl_mix_documents
from training.data import load_corpus


def test_the_crawl_mix_is_fixed_held_out_and_in_proportion():
    docs = crawl_mix_documents()
    assert len(docs) == CRAWL_MIX_DOCS == len({d["id"] for d in docs})
    assert [d["id"] for d in docs] == [d["id"] for d in crawl_mix_documents()]  # the same documents every run
    assert {d["split"] for d in docs} == {"test"}
    assert all(NEWS_WORDS[0] <= d["words"] <= NEWS_WORDS[1] for d in docs)
    labels = Counter(d["label"] for d in docs)
    assert labels == {"human": 320, "machine": 80}
    test = [r for r in load_corpus(splits=("test",)) if NEWS_WORDS[0] <= r["words"] <= NEWS_WORDS[1]]
    for label in labels:
        held = Counter(r["kind"] for r in test if r["label"] == label)
        mixed = Counter(d["kind"] for d in docs if d["label"] == label)
        assert set(mixed) == set(held)
        for kind, n in mixed.items():  # each kind within one document of its share
            assert abs(n - labels[label] * held[kind] / sum(held.values())) <= 1.0, (kind, n)


def test_a_smaller_mix_keeps_the_shares():
    docs = crawl_mix_documents(100)
    assert Counter(d["label"] for d in docs) == {"human": 80, "machine": 20}
