"""``make train DATA=mine.jsonl MODE=replace|add``: which records it fits on, in which split, and what it prints.

No model is fitted here: ``train.run`` is replaced by a stub that records what it was given
(tests/training/test_train.py fits a real one on a small user JSONL).
"""
import gzip
import json

import pytest

from detector.errors import InputError
from training import data, scorecard, train
from training.corpus.build import split_of

TEXT = "The council approved the new budget on Tuesday after a long debate about schools and roads. "


def _corpus(root):
    """A tiny bundled corpus: one human and one machine document per split, one group per split."""
    root.mkdir()
    for split in data.SPLITS:
        rows = [{"id": f"c-{split}-{label}", "group": f"doc-{split}", "split": split, "label": label,
                 "kind": "native" if label == "human" else "roundtrip", "source": "bbc", "detail": {},
                 "text": f"{split} {label} corpus. {TEXT}"} for label in ("human", "machine")]
        with gzip.open(root / f"{split}.jsonl.gz", "wt", encoding="utf-8") as f:
            f.write("".join(json.dumps(r) + "\n" for r in rows))
    return root


@pytest.fixture
def corpus(tmp_path, monkeypatch):
    root = _corpus(tmp_path / "corpus")
    monkeypatch.setattr(data, "CORPUS", root)
    return data.load_corpus(root)


def _user(tmp_path, rows, name="mine.jsonl"):
    path = tmp_path / name
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return path


def _mine(tmp_path):
    """A user's file: a group shared with the corpus's names (doc-train), whose versions carry no split; a
    record with its own split; one that repeats a corpus text; and records with neither id nor group."""
    return _user(tmp_path, [
        {"id": "u1", "group": "doc-train", "text": "Mine, human. " + TEXT, "label": "human", "kind": "native"},
        {"id": "u2", "group": "doc-train", "text": "Mine, machine. " + TEXT, "label": "machine", "kind": "mt"},
        {"id": "u3", "text": "Mine, tested. " + TEXT, "label": "machine", "split": "test"},
        {"id": "u4", "text": f"dev human corpus. {TEXT}", "label": "human", "split": "train"},
        {"text": "No id at all. " + TEXT, "label": "human"},
        {"text": "No id either. " + TEXT, "label": "machine", "source": "my-crawl"},
    ])


def test_replace_fits_on_the_users_records_alone(tmp_path, corpus):
    records, user = data.load_training(_mine(tmp_path), "replace")
    assert records == user and len(records) == 6
    assert [r["id"] for r in records] == ["u1", "u2", "u3", "u4", "5", "6"]  # no id: the line number
    assert [r["group"] for r in records] == ["doc-train", "doc-train", "u3", "u4", "5", "6"]  # no group: the id
    assert [r["kind"] for r in records] == ["native", "mt", "user", "user", "user", "user"]
    assert [r["source"] for r in records][-2:] == ["user", "my-crawl"]
    by_id = {r["id"]: r for r in records}
    assert by_id["u1"]["split"] == by_id["u2"]["split"] == split_of("doc-train")  # one document, one split
    assert by_id["u3"]["split"] == "test" and by_id["u4"]["split"] == "train"  # a given split is kept
    assert by_id["5"]["split"] == split_of("5")


def test_add_keeps_both_sources_and_their_groups_apart(tmp_path, corpus):
    records, user = data.load_training(_mine(tmp_path), "add")
    assert records[:len(corpus)] == corpus  # the corpus as shipped
    added = records[len(corpus):]
    assert [r["id"] for r in added] == ["user:u1", "user:u2", "user:u3", "user:5", "user:6"]  # u4 repeats a corpus text
    assert {r["group"] for r in added} & {r["group"] for r in corpus} == set()  # doc-train is two documents
    assert [r["group"] for r in added][:2] == ["user:doc-train"] * 2
    replaced, _ = data.load_training(_mine(tmp_path), "replace")
    split = {r["id"]: r["split"] for r in replaced}
    assert all(r["split"] == split[r["id"].removeprefix(data.USER_PREFIX)] for r in added)  # as in replace
    assert len({r["id"] for r in records}) == len(records)


def test_mode_and_data_errors_are_one_line(tmp_path, corpus, monkeypatch):
    with pytest.raises(InputError, match="give DATA"):
        data.load_training(None, "add")
    with pytest.raises(InputError, match="unknown mode 'merge'; expected one of replace, add"):
        data.load_training(_mine(tmp_path), "merge")
    bad = {"'split' is 'validation'; expected one of train, dev, test":
           _user(tmp_path, [{"text": "x", "label": "human", "split": "validation"}], "split.jsonl"),
           "2: id '7' repeats line 1's":
           _user(tmp_path, [{"id": 7, "text": "x", "label": "human"}, {"id": "7", "text": "y", "label": "human"}], "ids.jsonl")}
    for message, path in bad.items():
        with pytest.raises(InputError, match=message) as exc:
            data.load_user_jsonl(path)
        assert "\n" not in str(exc.value)
    monkeypatch.setattr(data, "CORPUS", tmp_path / "absent")
    with pytest.raises(InputError, match="MODE=add needs the bundled corpus"):
        data.load_training(_mine(tmp_path), "add")


@pytest.mark.parametrize("mode", ["add", "replace"])
def test_main_fits_on_the_mix_and_prints_the_figures_beside_the_shipped_models(tmp_path, corpus, monkeypatch,
                                                                               capsys, mode):
    mine = _mine(tmp_path)
    monkeypatch.chdir(tmp_path)  # no data/raw here: no extra WMT records
    given = {}

    def fake_run(records, out, scorer, classifier, log, ngram_train=None, max_tokens=None, translation_extra=None):
        given.update(records=records, ngram_train=ngram_train)
        return {"metrics": {"test": {"n": 2, "auroc_all": 0.5}, "dev": {"n": 1, "auroc_all": None}},
                "training_data": {}}

    monkeypatch.setattr(train, "run", fake_run)
    banded = []  # main chooses the new model's thresholds by length on dev (training.bands)
    monkeypatch.setattr(train.bands, "write", lambda out, records, scorer, log: banded.append(out) or {})
    assert train.main(["--data", str(mine), "--mode", mode, "--out", str(tmp_path / "m")]) == 0
    assert banded == [tmp_path / "m"]
    ids = [r["id"] for r in given["records"]]
    assert any(i.startswith("c-") for i in ids) == (mode == "add") and len(ids) == (11 if mode == "add" else 6)
    assert all(r["split"] == "train" for r in given["ngram_train"])
    out = capsys.readouterr().out
    assert out.startswith(f"model: {tmp_path / 'm'}\nheld-out figure")
    shipped = scorecard.shipped_meta()["metrics"]["test"]
    assert f"{shipped['auroc_all']:.4f}" in next(line for line in out.splitlines() if line.startswith("test auroc_all"))
    assert "test columns were measured on different records" in out
