"""The spin route: its own model on the thesaurus features, combined with the classifier by noisy-OR."""
import json
import shutil

import numpy as np
import pytest

from detector import artifact as M
from detector.submodels import spin
from detector.api import Detector
from detector.cascade import final_combination
from detector.submodels import SPIN
from detector.errors import ModelError
from fakes import FakeScorer


def _toy_model():
    rng = np.random.default_rng(0)
    human = np.column_stack([rng.normal(2, 1, 200), rng.normal(4, 1, 200), rng.poisson(0.05, 200), rng.uniform(0, 0.1, 200)])
    spun = np.column_stack([rng.normal(9, 2, 60), rng.normal(13, 2, 60), rng.poisson(2.5, 60), rng.uniform(0.1, 0.4, 60)])
    return spin.fit(np.vstack([human, spun]), np.array([0] * 200 + [1] * 60))


def test_spin_probability_rises_with_swap_evidence_and_tolerates_nan():
    m = _toy_model()
    q = spin.probability(m, np.array([[1.5, 3.0, 0, 0.02], [12.0, 16.0, 4, 0.3], [np.nan] * 4]))
    assert q[0] < 0.05 < 0.95 < q[1]
    assert 0.0 <= q[2] <= 1.0


def test_noisy_or_never_lowers_the_classifier_and_is_bounded():
    p, q = np.array([0.0, 0.2, 0.99, 1.0]), np.array([0.3, 0.0, 0.5, 0.9])
    out = spin.combine(p, q)
    assert np.all(out >= p - 1e-12) and np.all(out >= q - 1e-12) and np.all(out <= 1.0)


def _artifact(names, model, inputs):
    return M.Artifact(None, {"features": names, "submodels": {"spin_route": {"inputs": inputs}}},
                      submodels={"spin_route": model})


def test_final_combination_without_a_spin_route_returns_p_unchanged():
    art = M.Artifact(None, {"features": list(spin.THESAURUS_INPUTS)})
    p = np.array([0.1, 0.7])
    out, q = final_combination(art, p, np.zeros((2, 4)))
    assert out is p and q is None


def test_final_combination_reads_the_inputs_by_name():
    names = ["other.x.v1", *reversed(spin.THESAURUS_INPUTS)]
    art = _artifact(names, _toy_model(), list(spin.THESAURUS_INPUTS))
    strong = [0.0, 0.3, 4, 16.0, 12.0]  # columns in ``names`` order
    out, q = final_combination(art, np.array([0.0, 0.0]), np.array([[0.0, 0.02, 0, 3.0, 1.5], strong]))
    assert q[0] < 0.05 and q[1] > 0.95 and np.allclose(out, q)  # noisy-OR with p = 0 is q


def test_artifact_route_takes_its_inputs_from_meta():
    names = ["other.x.v1", *spin.THESAURUS_INPUTS]
    # the route was fitted on the columns in another order: meta says which
    order = [spin.THESAURUS_INPUTS[i] for i in (3, 2, 1, 0)]
    rng = np.random.default_rng(1)
    m = spin.fit(np.vstack([np.column_stack([rng.uniform(0, 0.1, 200), rng.poisson(0.05, 200), rng.normal(4, 1, 200),
                                             rng.normal(2, 1, 200)]),
                            np.column_stack([rng.uniform(0.1, 0.4, 60), rng.poisson(2.5, 60), rng.normal(13, 2, 60),
                                             rng.normal(9, 2, 60)])]), np.array([0] * 200 + [1] * 60))
    art = _artifact(names, m, order)
    _, q = final_combination(art, np.zeros(2), np.array([[0.0, 1.5, 3.0, 0, 0.02], [0.0, 12.0, 16.0, 4, 0.3]]))
    assert q[0] < 0.05 and q[1] > 0.95
    assert spin.inputs({"inputs": order}) == order


def test_the_route_reads_generic_lm_signs_as_well_as_the_probes():
    from detector.features import registry

    assert set(spin.THESAURUS_INPUTS) < set(spin.INPUTS) and set(spin.GENERIC_INPUTS) < set(spin.INPUTS)
    assert all(f in registry() for f in spin.INPUTS)


def test_shipped_model_has_a_spin_route_and_reports_it():
    art = M.load()
    assert art.submodels["spin_route"] is not None
    assert art.meta["submodels"]["spin_route"]["inputs"] == list(spin.INPUTS)
    text = "The council approved the new budget on Tuesday after a long debate about schools, roads and parks. " * 3
    s = Detector(scorer=FakeScorer(), cascade=False).score(text, with_features=True)
    assert 0.0 <= s.features[SPIN.feature] <= 1.0


def test_a_spin_route_needs_its_inputs_among_the_model_features(tmp_path):
    shutil.copytree(M.default_model_dir(), tmp_path / "m")
    meta_path = tmp_path / "m" / "meta.json"
    meta = json.loads(meta_path.read_text())
    meta["features"] = [f for f in meta["features"] if f != spin.INPUTS[1]]
    meta_path.write_text(json.dumps(meta))
    with pytest.raises(ModelError, match="spin route"):
        M.load(tmp_path / "m")


def test_tampered_spin_model_is_refused(tmp_path):
    shutil.copytree(M.default_model_dir(), tmp_path / "m")
    with open(tmp_path / "m" / SPIN.file, "ab") as f:
        f.write(b"x")
    with pytest.raises(ModelError, match="sha256"):
        M.load(tmp_path / "m")
