"""The never-seen-pivot check: its pivots stay out of the corpus, and its pure helpers."""
from training import pivot_eval
from training.corpus import derive, roundtrip


def test_eval_pivots_never_make_corpus_records(monkeypatch):
    assert not set(roundtrip.EVAL_PIVOTS) & set(roundtrip.PIVOTS)
    used = []
    monkeypatch.setattr(roundtrip, "round_trip_many", lambda docs, pivot: used.append(pivot) or [d for d in docs])
    natives = [{"id": f"n{i}", "group": f"g{i}", "paragraphs": ["A short paragraph."], "detail": {}} for i in range(40)]
    out = derive.roundtrips(natives, log=lambda *_: None)
    assert set(used) == set(roundtrip.PIVOTS) and out
    assert {r["detail"]["pivot"] for r in out} <= set(roundtrip.PIVOTS)


def test_paragraphs_and_join_keep_the_original_separator():
    assert pivot_eval.paragraphs("One.\n\n Two. \nThree.") == ["One.", "Two.", "Three."]
    assert pivot_eval.join(["a", "b"], "x\n\ny") == "a\n\nb"
    assert pivot_eval.join(["a", "b"], "x\ny") == "a\nb"


def test_originals_are_natives_of_the_split_in_a_stable_order():
    recs = [{"id": f"{k}{i}", "group": f"{k}{i}", "split": s, "kind": k}
            for i in range(30) for k, s in (("native", "test"), ("native", "dev"), ("spun", "test"))]
    a = pivot_eval.originals(recs, "test", 10)
    assert len(a) == 10 and all(r["kind"] == "native" and r["split"] == "test" for r in a)
    assert a == pivot_eval.originals(list(reversed(recs)), "test", 10)
    assert pivot_eval.originals(recs, "test", 10)[:5] == pivot_eval.originals(recs, "test", 5)


def test_round_trips_skip_lost_paragraphs_and_tag_the_pivot(monkeypatch):
    monkeypatch.setattr(roundtrip, "round_trip_many", lambda docs, pivot: [[p.upper() for p in docs[0]], docs[1][:1]])
    chosen = [{"id": "a", "group": "ga", "text": "One.\nTwo.", "split": "test"},
              {"id": "b", "group": "gb", "text": "Three.\n\nFour.", "split": "test"}]
    out = pivot_eval.round_trips(chosen, "glg", inject=False)
    assert [r["text"] for r in out] == ["ONE.\nTWO."]  # b lost a paragraph
    assert out[0]["label"] == "machine" and out[0]["detail"]["pivot"] == "glg" and out[0]["split"] == pivot_eval.SPLIT_TAG
