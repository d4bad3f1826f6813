"""training.snapshot: the before/after comparison of ``detect score --json`` that a refactor is held to."""
import json

from training import snapshot


def _write(path, rows):
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return path


ROW = {"path": "test/a.txt", "p_machine": 0.5, "verdict": "clean", "reasons": ["x"], "spans": [], "lm_tokens": 3,
       "hygiene": {"flags": [], "spans": []}}


def test_identical_snapshots_pass_and_any_changed_field_fails(tmp_path, capsys):
    a = _write(tmp_path / "a.jsonl", [ROW, dict(ROW, path="examples/b.txt")])
    assert snapshot.diff(a, a) == 0
    assert "p_machine: 2 identical, 0 differ" in capsys.readouterr().out
    for field, value in [("p_machine", 0.51), ("verdict", "machine"), ("reasons", []), ("lm_tokens", 4),
                         ("spans", [{"start": 0, "end": 1, "reason": "x"}])]:
        b = _write(tmp_path / "b.jsonl", [dict(ROW, **{field: value}), dict(ROW, path="examples/b.txt")])
        assert snapshot.diff(a, b) == 1
        assert f"{field}: 1 identical, 1 differ (e.g. test/a.txt)" in capsys.readouterr().out


def test_a_file_in_one_snapshot_only_fails(tmp_path, capsys):
    a = _write(tmp_path / "a.jsonl", [ROW])
    b = _write(tmp_path / "b.jsonl", [ROW, dict(ROW, path="test/c.txt")])
    assert snapshot.diff(a, b) == 1 and "in one snapshot only: 1" in capsys.readouterr().out
