"""detector.reasons: one table of reason codes, listed only when their evidence is unusual for human text.

Negative cases: the bundled clean examples list no reason at all (they listed ``surprisal_spike`` and
``collocation_odd`` before the human bounds), and on the corpus test split (the full model's features in
``data/pool``) few clean human texts list any reason, each of them over the stored bound.
"""
from __future__ import annotations

import json
import math
import re
import shutil
from pathlib import Path

import pytest
from casedata import cases, texts
from fakes import FakeScorer

from detector import Detector, artifact
from detector.features import registry
from detector.reasons import DOCUMENT, TABLE, evidence_features, evidence_reasons, info, unusual
from detector.submodels import TABLE as SUBMODELS

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = sorted((ROOT / "data" / "examples").glob("*.txt"))
CLEAN_EXAMPLES = [p for p in EXAMPLES if p.name.startswith(("001_", "002_"))]


def test_table_codes_are_unique_titled_and_cover_every_span_reason():
    assert len({r.code for r in TABLE}) == len(TABLE)
    assert all(r.title and r.description and r.level in ("span", "document") for r in TABLE)
    known = set(registry()) | {s.feature for s in SUBMODELS}
    assert set(evidence_features()) <= known  # every reason reads a feature that exists
    source = "\n".join(p.read_text(encoding="utf-8") for p in (ROOT / "detector" / "features").rglob("*.py"))
    emitted = set(re.findall(r'Span\([^)]*"([a-z_]+)"\)', source)) | {"tortured_phrase", "unidiomatic_phrase"}
    assert emitted and all(info(code) for code in emitted)  # info raises on an unknown code


def test_unknown_code_lists_the_known_ones():
    from detector.errors import InputError

    with pytest.raises(InputError, match="known"):
        info("no_such_reason")


def test_bounds_are_read_from_the_artifact(tmp_path):
    """The same text lists a reason or not according to the bounds in meta.json alone."""
    text = texts("seeds")["seed-003"]
    model = tmp_path / "model"
    shutil.copytree(artifact.default_model_dir(), model)
    meta = json.loads((model / "meta.json").read_text())
    high = {f: 1e9 for f in meta["reason_bounds"]["features"]}
    meta["reason_bounds"]["features"] = high
    (model / "meta.json").write_text(json.dumps(meta))
    none = Detector(model, scorer=FakeScorer()).score(text)
    assert none.verdict == "machine" and none.explanation == () and none.spans == () and none.sentences == ()
    meta["reason_bounds"]["features"] = {f: -1e9 for f in high}
    (model / "meta.json").write_text(json.dumps(meta))
    every = Detector(model, scorer=FakeScorer()).score(text)
    shipped = Detector(scorer=FakeScorer()).score(text)
    assert {r.code for r in shipped.explanation} < {r.code for r in every.explanation}


def test_listed_reasons_are_over_their_bounds_and_ranked():
    det = Detector(scorer=FakeScorer())
    bounds = det.artifact.reason_bounds
    for case in cases("seeds", "negative", "synthetic"):
        s = det.score(case["text"])
        if s.verdict == "not_english":
            continue
        strengths = [r.strength for r in s.explanation]
        assert strengths == sorted(strengths, reverse=True)
        for r in s.explanation:
            assert r.features and unusual(s.features, bounds, r.features) == r.features, (case["id"], r)
            assert (r.spans == ()) == (info(r.code).level == DOCUMENT or not r.spans)
        assert set(s.spans) == {sp for r in s.explanation for sp in r.spans}


def test_json_reasons_have_code_title_strength_spans():
    det = Detector(scorer=FakeScorer())
    text = texts("seeds")["seed-003"]
    d = det.score(text).as_dict(text)
    assert d["reasons"] and all(set(r) >= {"code", "title", "level", "strength", "spans"} for r in d["reasons"])
    for r in d["reasons"]:
        assert r["title"] == info(r["code"]).title and 0.0 <= r["strength"] <= 1.0
        assert all(text[sp["start"]:sp["end"]] == sp["text"] for sp in r["spans"])
    assert d["sentences"] and all(s["reasons"] and s["spans"] >= 1 for s in d["sentences"])
    spans = {(s["start"], s["end"]) for s in d["spans"]}
    for sent in d["sentences"]:  # every sentence listed holds a span
        assert any(sent["start"] <= a < sent["end"] for a, _ in spans)


def test_pool_clean_human_test_texts_rarely_list_a_reason():
    """Test split, the full model's features (data/pool): a clean human text lists a reason only when a
    feature is over its dev bound; measured 12.7% list any (each reason at most 1.8%), against every one of
    them listing surprisal_spike before."""
    from training import pool

    bounds = artifact.load(None).reason_bounds
    rows = [r for r in pool.rows() if r["split"] == "test" and r["label"] == "human" and r["verdict"] == "clean"]
    assert len(rows) > 500
    per: dict[str, int] = {}
    listed = 0
    for r in rows:
        values = {k: math.nan if v is None else v for k, v in r["features"].items()}
        hit = [x.code for x in evidence_reasons() if unusual(values, bounds, x.features)]
        listed += bool(hit)
        for code in hit:
            per[code] = per.get(code, 0) + 1
    assert listed / len(rows) < 0.2, listed / len(rows)
    assert max(per.values()) / len(rows) < 0.03, per


@pytest.mark.slow
def test_bundled_clean_examples_list_no_reason():
    det = Detector()
    for path in CLEAN_EXAMPLES:
        s = det.score(path.read_text(encoding="utf-8"))
        assert s.verdict == "clean" and s.reasons == () and s.spans == (), (path.name, s.reasons)
        assert s.hygiene_flags  # their scrape damage is still reported, as hygiene


@pytest.mark.slow
def test_negative_cases_list_only_unusual_evidence():
    det = Detector()
    bounds = det.artifact.reason_bounds
    for case in cases("negative"):
        s = det.score(case["text"])
        if s.verdict != "clean":
            continue
        for r in s.explanation:
            assert unusual(s.features, bounds, r.features) == r.features, (case["id"], r.code)


def test_docs_page_is_the_table():
    from detector.cli_output import reasons_markdown

    page = (ROOT / "docs" / "reasons.md").read_text(encoding="utf-8")
    table = "\n".join(reasons_markdown()).strip()
    assert page.rstrip().endswith(table), "docs/reasons.md is stale: regenerate its tables with detect reasons --markdown"
