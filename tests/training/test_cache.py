"""The LM score cache: round trip, and keys that change with whatever the stored scores depend on."""
import numpy as np

from detector.lm import TokenScores
from training import cache as C


def _scores(n=3):
    return TokenScores(np.array([[i, i + 1] for i in range(n)], np.int32), np.arange(n, dtype=np.float32),
                       np.ones(n, np.int32), np.zeros(n, np.float32), np.full(n, np.nan, np.float32),
                       np.full(n, -1, np.int16), np.zeros((2, 4), np.float32))


def test_round_trip_and_miss(tmp_path):
    cache = C.ScoreCache("sha", 128, tmp_path)
    assert cache.get("abc") is None
    cache.put("abc", _scores())
    got = cache.get("abc")
    assert np.array_equal(got.nll, np.arange(3, dtype=np.float32)) and got.hidden.shape == (2, 4)
    assert C.ScoreCache("sha", 64, tmp_path).get("abc") is None  # another budget
    assert C.ScoreCache("other", 128, tmp_path).get("abc") is None  # another LM file


def test_a_rebuilt_thesaurus_keys_fresh_scores(tmp_path, monkeypatch):
    C.ScoreCache("sha", 128, tmp_path).put("abc", _scores())
    monkeypatch.setattr(C, "probe_digest", lambda: "0123456789abcdef")
    assert C.ScoreCache("sha", 128, tmp_path).get("abc") is None


def test_probe_digest_reads_the_shipped_lexicon():
    d = C.probe_digest()
    assert len(d) == 16 and d == C.probe_digest() and int(d, 16) >= 0


def test_other_hidden_layers_key_fresh_scores(tmp_path):
    C.ScoreCache("sha", 128, tmp_path, (15, 30)).put("abc", _scores())
    assert C.ScoreCache("sha", 128, tmp_path, (15, 30)).get("abc") is not None
    assert C.ScoreCache("sha", 128, tmp_path).get("abc") is None  # today's default layers
    assert C.ScoreCache("sha", 128, tmp_path, (5, 10, 15, 20, 25)).get("abc") is None
    assert C.ScoreCache("sha", 128, tmp_path, (20, 30)).get("abc") is None


def test_for_scorer_keys_by_the_scorers_layers(tmp_path):
    from detector.lm import LMScorer, spec_for

    scorer = LMScorer(128, spec=spec_for({"name": "SmolLM2-135M-Instruct.Q4_1", "hidden_layers": [20]}))
    scorer.sha256 = "sha"
    C.ScoreCache("sha", 128, tmp_path).put("abc", _scores())
    assert C.ScoreCache.for_scorer(scorer, tmp_path).get("abc") is None
    C.ScoreCache.for_scorer(scorer, tmp_path).put("abc", _scores())
    assert C.ScoreCache("sha", 128, tmp_path, (20,)).get("abc") is not None


def test_cached_scorer_reads_the_cache_for_its_budget_and_scores_other_budgets(tmp_path):
    """What make eval hands the Detector: full-budget scores from the cache, other budgets from the scorer."""
    from fakes import FakeScorer

    fake = FakeScorer()
    cached = C.CachedScorer(fake, tmp_path)
    text = "The talks in Geneva ended on Monday without a deal, officials said. " * 5
    first = cached.score_many([text])
    assert fake.calls == [(1, fake.max_tokens)] and cached.max_tokens == fake.max_tokens
    again = cached.score_many([text])
    assert fake.calls == [(1, fake.max_tokens)]  # read from the cache, not scored again
    assert np.array_equal(first[0].nll, again[0].nll) and np.array_equal(first[0].hidden, again[0].hidden)
    cached.score_many([text], max_tokens=8)
    assert fake.calls[-1] == (1, 8)
