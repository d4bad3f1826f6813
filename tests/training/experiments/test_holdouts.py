"""Which records a held-out MT system or language pair removes from training, and what it is tested on."""
from training.experiments import holdouts as H


def _r(split, kind, source="wmt", system="human", pair="de-en"):
    return {"split": split, "kind": kind, "source": source, "label": "machine" if kind == "mt" else "human",
            "detail": {"system": system, "pair": pair}, "text": f"{split} {kind} {system} {pair}"}


RECORDS = [_r(s, k, src, sys_, pair) for s in ("train", "dev", "test") for k, src, sys_, pair in (
    ("mt", "htmt", "DeepL-2021", "de-en"), ("mt", "htmt", "Google-2021", "de-en"), ("human_translation", "htmt", "human", "de-en"),
    ("mt", "wmt", "Online-A", "ru-en"), ("mt", "wmt", "HuaweiTSC", "ru-en"), ("human_translation", "wmt", "human", "ru-en"),
    ("native", "bbc", None, None))]


def test_a_held_out_system_leaves_train_and_dev_and_is_tested_against_every_human_translation():
    kept = H.without(RECORDS, "DeepL-2021")
    assert not any(r["detail"]["system"] == "DeepL-2021" and r["split"] != "test" for r in kept)
    assert sum(r["detail"]["system"] == "Google-2021" for r in kept) == 3
    rows = H.test_rows(RECORDS, "DeepL-2021")
    assert {(r["kind"], r["detail"]["system"]) for r in rows} == {("mt", "DeepL-2021"), ("human_translation", "human")}
    assert len(rows) == 3 and all(r["split"] == "test" for r in rows)


def test_wmt_families_split_online_systems_from_submissions():
    online = [r for r in RECORDS if H.unit_of(r, "WMT online")]
    subs = [r for r in RECORDS if H.unit_of(r, "WMT submissions")]
    assert {r["detail"]["system"] for r in online} == {"Online-A"}
    assert {r["detail"]["system"] for r in subs} == {"HuaweiTSC"}


def test_a_held_out_pair_takes_its_human_translations_too_and_is_tested_within_the_pair():
    kept = H.without(RECORDS, "ru-en")
    assert not any(r["detail"]["pair"] == "ru-en" and r["split"] != "test" for r in kept)
    assert any(r["kind"] == "native" for r in kept)
    rows = H.test_rows(RECORDS, "ru-en")
    assert {r["detail"]["pair"] for r in rows} == {"ru-en"} and len(rows) == 3
