"""detector.compare on long pairs made from the corpus (``training/compare_scale.py``): the candidate index
finds what scoring every original sentence finds, and a 5,000-sentence pair aligns in seconds."""
import time
from pathlib import Path

import pytest

from detector.compare import align, compare, index
from detector.compare.align import align as align_texts
from detector.compare.comparison import ALIGN_THRESHOLD
from training.compare_scale import _exhaustive, build_pair, derived_found
from training.data import load_corpus

CORPUS = Path(__file__).resolve().parents[2] / "data" / "corpus"


@pytest.fixture(scope="module")
def records():
    return load_corpus(CORPUS)


def test_index_finds_the_exhaustive_match(records, monkeypatch):
    pair = build_pair(300, seed=1, records=records)
    _, _, found = align_texts(pair.suspect, pair.original)
    monkeypatch.setattr(align, "retrieve", _exhaustive)
    _, _, every = align_texts(pair.suspect, pair.original)
    aligned = [(a, b) for a, b in zip(found, every) if b.similarity >= ALIGN_THRESHOLD]
    assert len(aligned) > 250 and all(a.original == b.original for a, b in aligned)


def test_common_words_are_not_indexed():
    text = " ".join(f"The talks on item {i} ended on Monday." for i in range(index.MAX_POSTINGS + 1))
    units = align.units(text)
    shortlist = index.shortlist(units[:2], units)
    assert shortlist == [[0], [1]]  # only the item number is indexed: "the", "talks", "ended" are in every sentence


@pytest.mark.slow
def test_five_thousand_sentence_pair(records):
    pair = build_pair(5_000, records=records)
    started = time.monotonic()
    c = compare(pair.suspect, pair.original)
    assert time.monotonic() - started < 120  # about 6 s; scoring every original sentence took ~33 minutes
    assert c.verdict == "derived" and c.share_aligned > 0.9 and c.coverage > 0.9
    assert derived_found(pair, c) > 0.9
