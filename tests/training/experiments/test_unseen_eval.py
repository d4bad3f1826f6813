"""The never-seen-generator check: its pivots stay out of the corpus, and its pure helpers."""
from training.experiments import unseen_eval
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
    assert unseen_eval.paragraphs("One.\n\n Two. \nThree.") == ["One.", "Two.", "Three."]
    assert unseen_eval.join(["a", "b"], "x\n\ny") == "a\n\nb"
    assert unseen_eval.join(["a", "b"], "x\ny") == "a\nb"


def test_originals_are_natives_of_the_split_in_a_stable_order():
    recs = [{"id": f"{k}{i}", "group": f"{k}{i}", "split": s, "kind": k}
            for i in range(30) for k, s in (("native", "test"), ("native", "dev"), ("spun", "test"))]
    a = unseen_eval.originals(recs, "test", 10)
    assert len(a) == 10 and all(r["kind"] == "native" and r["split"] == "test" for r in a)
    assert a == unseen_eval.originals(list(reversed(recs)), "test", 10)
    assert unseen_eval.originals(recs, "test", 10)[:5] == unseen_eval.originals(recs, "test", 5)


def test_round_trips_skip_lost_paragraphs_and_tag_the_pivot(monkeypatch):
    monkeypatch.setattr(roundtrip, "round_trip_many", lambda docs, pivot: [[p.upper() for p in docs[0]], docs[1][:1]])
    chosen = [{"id": "a", "group": "ga", "text": "One.\nTwo.", "split": "test"},
              {"id": "b", "group": "gb", "text": "Three.\n\nFour.", "split": "test"}]
    out = unseen_eval.round_trips(chosen, "glg", inject=False)
    assert [r["text"] for r in out] == ["ONE.\nTWO."]  # b lost a paragraph
    assert out[0]["label"] == "machine" and out[0]["detail"]["pivot"] == "glg" and out[0]["split"] == unseen_eval.SPLIT_TAG


def test_aiksaurus_output_gives_the_first_senses_filtered():
    out = "=== shop ===\nboutique, Mart, shop, caf\u00e9, store\n\n=== trust ===\ncartel\n\n=== third ===\nnever\n"
    assert unseen_eval.parse_aiksaurus(out, "shop") == ("boutique", "cartel", "store")
    assert unseen_eval.parse_aiksaurus(out, "shop", senses=1) == ("boutique", "store")
    assert unseen_eval.parse_aiksaurus("*** No synonyms known. ***\nAlphabetically similar known words are:\n\tshoe\n", "shoq") == ()


def test_spins_use_the_given_thesaurus_and_the_corpus_rate(monkeypatch, tmp_path):
    import gzip
    import json

    lex = tmp_path / "lex.json.gz"
    with gzip.open(lex, "wt") as f:
        json.dump({"phrases": []}, f)
    monkeypatch.setattr(unseen_eval, "moby_table", lambda texts: {"harvest": ("reaping",), "farmers": ("growers",)})
    chosen = [{"id": f"n{i}", "group": f"g{i}", "text": "The farmers expect a harvest.\n\nThe harvest failed.",
               "split": "test"} for i in range(12)]
    out = unseen_eval.spins(chosen, "moby", lex)
    assert len(out) == 12 and {r["detail"]["rate"] for r in out} <= {0.15, 0.3, 0.5}
    changed = [r["text"] for r in out if r["text"] != chosen[0]["text"]]
    assert changed and all(set(t.split()) <= {"The", "farmers", "growers", "expect", "a", "harvest.", "reaping.",
                                                "harvest", "reaping", "failed."} for t in changed)
    assert all("\n\n" in r["text"] and r["kind"] == "spun" and r["label"] == "machine" for r in out)
