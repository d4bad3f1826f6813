"""Loading a model never runs code from it (issue 23).

For every file of the shipped model directory, a copy of the directory has that file replaced by a payload
that would create a marker file if it ever ran (:mod:`payloads`), and ``meta.json`` updated with the
payload's sha256, as anyone handing a user a model directory could. ``detector.artifact.load``, ``detect
score --model DIR`` and ``detect gate --model DIR`` must refuse it in one line (exit 2 from the CLI) and
the marker must never appear. File names come from ``meta.json``, so the same tests run against any schema.
"""
from __future__ import annotations

import json
import shutil

import pytest
from typer.testing import CliRunner

from detector import artifact
from detector.errors import ModelError
from payloads import NAMED, PAYLOADS

SHIPPED = json.loads((artifact.default_model_dir() / artifact.META_FILE).read_text(encoding="utf-8"))


def _entries(meta: dict) -> dict[str, dict]:
    """Every meta.json entry that names a file: the classifier, each cascade stage, each sub-model."""
    entries = {"classifier": meta["classifier"]}
    entries.update({f"stage{k}": s for k, s in enumerate((meta.get("cascade") or {}).get("stages", []))})
    entries.update(meta.get("submodels") or {})
    return entries


SLOTS = sorted(_entries(SHIPPED))


def test_every_file_of_the_shipped_model_is_covered():
    files = {p.name for p in artifact.default_model_dir().iterdir()} - {artifact.META_FILE}
    assert files == {e["file"] for e in _entries(SHIPPED).values()} and len(SLOTS) >= 7


@pytest.fixture
def planted(tmp_path, request):
    """(model dir, marker) with one slot's file replaced by a payload and its sha256 updated to match."""
    slot, payload = request.param
    path, marker = tmp_path / "m", tmp_path / "ran.marker"
    shutil.copytree(artifact.default_model_dir(), path)
    meta = json.loads((path / artifact.META_FILE).read_text(encoding="utf-8"))
    entry = _entries(meta)[slot]
    PAYLOADS[payload](path / entry["file"], marker)
    entry["sha256"] = artifact.sha256_file(path / entry["file"])
    (path / artifact.META_FILE).write_text(json.dumps(meta), encoding="utf-8")
    assert not marker.exists()
    return path, marker, payload


CASES = [pytest.param((slot, payload), id=f"{slot}-{payload}") for slot in SLOTS for payload in PAYLOADS]


@pytest.mark.parametrize("planted", CASES, indirect=True)
def test_a_planted_file_is_refused_by_the_api_and_never_runs(planted):
    path, marker, payload = planted
    with pytest.raises(ModelError) as exc:
        artifact.load(path)
    message = str(exc.value)
    assert "\n" not in message and NAMED[payload] in message
    assert not marker.exists(), "the payload ran"


@pytest.mark.parametrize("planted", CASES, indirect=True)
def test_a_planted_file_is_refused_by_detect_score_and_gate_and_never_runs(planted, tmp_path, monkeypatch):
    from detector import lm
    from detector.cli import app
    from fakes import FakeScorer

    monkeypatch.setattr(lm.LMScorer, "for_model", classmethod(lambda cls, meta, **kw: FakeScorer()))
    path, marker, payload = planted
    text = tmp_path / "in.txt"
    text.write_text("The talks resumed on Monday after the ministry said the officials would meet again. " * 5)
    records = tmp_path / "in.jsonl"
    records.write_text(json.dumps({"id": "a", "text": text.read_text()}) + "\n")
    for args in (["score", "--model", str(path), str(text)],
                 ["gate", "--model", str(path), "-i", str(records), "-o", str(tmp_path / "kept.jsonl"),
                  "--rejects", str(tmp_path / "rejected.jsonl")]):
        res = CliRunner().invoke(app, args)
        lines = res.stderr.strip().splitlines()
        assert res.exit_code == 2, (args[0], res.output)
        assert len(lines) == 1 and lines[0].startswith("error:") and NAMED[payload] in lines[0], res.stderr
        assert not marker.exists(), f"the payload ran through detect {args[0]}"


@pytest.mark.parametrize("payload", sorted(PAYLOADS))
def test_the_payloads_are_live(tmp_path, payload):
    """Control: read the unsafe way (unpickled, or by skops trusting what it reports), a payload runs, so the
    tests above show the loader's refusal, not a dud payload."""
    import joblib
    import skops.io as sio

    if payload == "skops-function":
        pytest.skip("a function reference runs nothing by itself; it is refused as an untrusted type")
    file, marker = tmp_path / "x", tmp_path / "ran.marker"
    PAYLOADS[payload](file, marker)
    if payload == "pickle":
        joblib.load(file)
    else:
        sio.load(file, trusted=sio.get_untrusted_types(file=file))
    assert marker.exists()


def test_meta_json_naming_an_unknown_sub_model_is_refused_before_any_file_is_read(tmp_path, monkeypatch):
    """meta.json is JSON, so it cannot run code; what it names is checked before any model file is read."""
    path = tmp_path / "m"
    shutil.copytree(artifact.default_model_dir(), path)
    meta = json.loads((path / artifact.META_FILE).read_text(encoding="utf-8"))
    meta["submodels"]["os_system"] = dict(meta["submodels"]["word_ngram"])
    (path / artifact.META_FILE).write_text(json.dumps(meta), encoding="utf-8")
    opened = []
    monkeypatch.setattr(artifact, "sha256_file", lambda file: opened.append(file) or "0" * 64)
    with pytest.raises(ModelError, match="os_system"):
        artifact.load(path)
    assert opened == []
