"""The table ``make train`` ends with: the new model's held-out figures beside the shipped model's."""
import copy

from training import scorecard


def _meta(test: dict, dev: dict, sha: str = "s") -> dict:
    return {"metrics": {"test": test, "dev": dev},
            "training_data": {"test": {"records": test.get("n"), "sha256": sha}, "dev": {"records": dev.get("n"), "sha256": sha}}}


def _rows(table: str) -> dict:
    return {line.rsplit(None, 2)[0]: line.split()[-2:] for line in table.splitlines()[1:] if not line.startswith("note:")}


def test_one_row_per_figure_of_either_model_in_test_then_dev_order():
    new = _meta({"auroc_all": 0.91, "n": 40, "tpr_user": 0.5, "fpr_user": 0.0}, {"n": 20, "auroc_all": None})
    old = _meta({"n": 1616, "auroc_all": 0.946, "tpr_mt": 0.08}, {"n": 1075, "auroc_all": 0.962}, sha="t")
    table = scorecard.scorecard(new, old)
    lines = table.splitlines()
    assert lines[0].split() == ["held-out", "figure", "new", "model", "shipped", "model"]
    assert _rows(table) == {"test n": ["40", "1616"], "test auroc_all": ["0.9100", "0.9460"],
                            "test tpr_user": ["0.5000", "-"], "test fpr_user": ["0.0000", "-"],
                            "test tpr_mt": ["-", "0.0800"], "dev n": ["20", "1075"], "dev auroc_all": ["n/a", "0.9620"]}
    assert [line.split()[0] for line in lines[1:8]] == ["test"] * 5 + ["dev"] * 2
    assert lines[1].startswith("test n ") and lines[6].startswith("dev n ")  # each split's record count first
    assert lines[-2:] == ["note: the two test columns were measured on different records (40 and 1616): not a like-for-like comparison",
                          "note: the two dev columns were measured on different records (20 and 1075): not a like-for-like comparison"]
    assert len({len(line) for line in lines[:8]}) == 1  # aligned columns


def test_same_held_out_records_get_no_note_and_the_shipped_model_compares_equal_to_itself():
    shipped = scorecard.shipped_meta()
    assert shipped is not None and shipped["metrics"]["test"]["n"] > 0
    table = scorecard.scorecard(copy.deepcopy(shipped), shipped)
    assert "note:" not in table
    rows = _rows(table)
    assert rows["test auroc_all"] == [f"{shipped['metrics']['test']['auroc_all']:.4f}"] * 2
    assert all(a == b for a, b in rows.values())


def test_an_unreadable_shipped_model_still_prints_the_new_figures(monkeypatch, tmp_path):
    import detector.artifact

    monkeypatch.setattr(detector.artifact, "default_model_dir", lambda: tmp_path)
    assert scorecard.shipped_meta() is None
    table = scorecard.scorecard(_meta({"n": 3, "auroc_all": 0.7}, {"n": 2}), None)
    assert _rows(table)["test auroc_all"] == ["0.7000", "-"]
    assert table.endswith("note: the shipped model's meta.json could not be read")
