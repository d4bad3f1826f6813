"""A small learned 1-D convolution over the LM's per-token scores (the learned half of issue 27's
token-sequence features; the hand-built half, ``lm.seq.*`` quantiles, autocorrelation and run lengths of
NLL - entropy, was measured by :mod:`training.experiments.dev_study` and dropped: docs/eval/history.md).

Each text becomes a sequence of per-token vectors from the cached :class:`~detector.lm.TokenScores`
(NLL, entropy, NLL - entropy, log rank, the thesaurus probe's gain, a top-guess flag), standardised with
train statistics. Two dilated convolutions, max- and mean-pooled over the tokens, give one logit. It is
fitted on the train split's translation kinds only (mt against human_translation, like the translation
probe), with fixed epochs (no dev-based stopping); its out-of-fold train logits (folds over document
groups) and its dev logits (the fold models averaged) are then one more column for the calibrated
classifier. Dev only: ``python -m training.experiments.token_cnn`` prints the dev AUROCs of the net alone
and of ``make train``'s calibrated gradient boosting over the registered features (the sub-models' logits
left out, which would need their own out-of-fold fits) with and without the net's logit.

``--translation-only`` reads only the mt and human_translation records (the LM scores of those alone,
``python -m training.prescore --kinds mt,human_translation``): the net alone, and gradient boosting over
the registered features plus the two translation sub-models' logits (out-of-fold on train, fitted as
``make train`` fits them), with and without the net's logit, on dev MT against human translation, by source.
"""
from __future__ import annotations

import sys

import numpy as np

CHANNELS = 6
EPOCHS = 12
FOLDS = 5


def token_matrix(scores, max_tokens: int = 256) -> np.ndarray:
    """(tokens, CHANNELS) float32 for one text's scores; the first token (after the prepended id 0) kept."""
    nll = np.asarray(scores.nll, np.float32)[:max_tokens]
    ent = np.asarray(scores.entropy, np.float32)[:max_tokens]
    rank = np.asarray(scores.rank, np.float32)[:max_tokens]
    alt = (np.asarray(scores.alt_logp, np.float32)[:max_tokens] if scores.alt_logp is not None
           else np.full_like(nll, np.nan))
    gain = np.nan_to_num(alt + nll, nan=0.0)  # log p(synonym) - log p(token): > 0 where a synonym fits better
    return np.stack([nll, ent, nll - ent, np.log1p(rank - 1), gain, (rank == 1).astype(np.float32)], axis=1)


def _batch(mats: list[np.ndarray], mean, std):
    import torch

    n = max(len(m) for m in mats)
    x = np.zeros((len(mats), CHANNELS, n), np.float32)
    mask = np.zeros((len(mats), n), np.float32)
    for i, m in enumerate(mats):
        x[i, :, : len(m)] = ((m - mean) / std).T
        mask[i, : len(m)] = 1
    return torch.from_numpy(x), torch.from_numpy(mask)


def _net(width: int = 32):
    import torch
    from torch import nn

    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.c1 = nn.Conv1d(CHANNELS, width, 5, padding=2)
            self.c2 = nn.Conv1d(width, width, 5, padding=4, dilation=2)
            self.out = nn.Linear(2 * width, 1)

        def forward(self, x, mask):
            h = torch.relu(self.c2(torch.relu(self.c1(x))))
            m = mask[:, None, :]
            mean = (h * m).sum(2) / m.sum(2).clamp(min=1)
            mx = (h - 1e4 * (1 - m)).amax(2)
            return self.out(torch.cat([mean, mx], 1)).squeeze(1)

    return Net()


def fit(mats: list[np.ndarray], y: np.ndarray, seed: int = 0, epochs: int = EPOCHS):
    """A fitted net and the standardisation it reads (train statistics)."""
    import torch

    torch.manual_seed(seed)
    allrows = np.concatenate(mats)
    mean, std = allrows.mean(0), allrows.std(0) + 1e-6
    net = _net()
    opt = torch.optim.AdamW(net.parameters(), lr=2e-3, weight_decay=1e-2)
    rng = np.random.default_rng(seed)
    yt = torch.tensor(y, dtype=torch.float32)
    for _ in range(epochs):
        order = rng.permutation(len(mats))
        for start in range(0, len(order), 64):
            idx = order[start:start + 64]
            x, mask = _batch([mats[i] for i in idx], mean, std)
            loss = torch.nn.functional.binary_cross_entropy_with_logits(net(x, mask), yt[idx])
            opt.zero_grad()
            loss.backward()
            opt.step()
    return net.eval(), (mean, std)


def logits(model, mats: list[np.ndarray]) -> np.ndarray:
    import torch

    net, (mean, std) = model
    out = []
    with torch.no_grad():
        for start in range(0, len(mats), 128):
            x, mask = _batch(mats[start:start + 128], mean, std)
            out.append(net(x, mask).numpy())
    return np.concatenate(out) if out else np.zeros(0)


def oof_and_dev(mats_train, kinds_train, groups_train, mats_dev, translation=("mt", "human_translation")):
    """Out-of-fold logits for every train text (from nets fitted on the other folds' translation texts)
    and dev logits (the fold nets averaged)."""
    from sklearn.model_selection import GroupKFold

    sel = np.isin(kinds_train, translation)
    y = (kinds_train == translation[0]).astype(int)
    oof = np.zeros(len(mats_train))
    dev = np.zeros(len(mats_dev))
    for k, (fit_idx, out_idx) in enumerate(GroupKFold(n_splits=FOLDS).split(mats_train, y, groups_train)):
        fit_idx = fit_idx[sel[fit_idx]]
        model = fit([mats_train[i] for i in fit_idx], y[fit_idx], seed=k)
        oof[out_idx] = logits(model, [mats_train[i] for i in out_idx])
        dev += logits(model, mats_dev) / FOLDS
    return oof, dev


def dev_aurocs(p: np.ndarray, y: np.ndarray, kinds: np.ndarray) -> dict[str, float | None]:
    """All texts, and each machine kind against its reference (MT against human translations, the other
    kinds against every human text)."""
    from training import metrics

    out = {"all": metrics.auroc(y, p)}
    for kind in sorted(set(kinds[y == 1])):
        ref = (kinds == "human_translation") if kind == "mt" else (y == 0)
        sel = (kinds == kind) | ref
        out[f"{kind} vs {'human_translation' if kind == 'mt' else 'human'}"] = metrics.auroc(y[sel], p[sel])
    return out


def translation_columns(train: list[dict], dev: list[dict], extra: list[dict], scorer):
    """The translation n-gram model's and the translation probe's logits as ``make train`` gives the
    classifier: out-of-fold for the train records, the fitted model's for dev (C chosen on dev)."""
    from detector.submodels import ngram, probe
    from training import hidden_fit, ngram_fit
    from training.featurize import hidden_vectors

    model, _, _, by_id = ngram_fit.fit_translation(train + extra, dev, probe.TRANSLATION_KINDS)
    z = {"train": np.array([by_id[r["id"]] for r in train]), "dev": ngram.logits(model, [r["text"] for r in dev])}
    H = {s: hidden_vectors([r["text"] for r in rs], scorer) for s, rs in (("train", train), ("dev", dev))}
    y = {s: np.array([r["label"] == "machine" for r in rs], dtype=int) for s, rs in (("train", train), ("dev", dev))}
    c, _ = hidden_fit.choose_c(H["train"], y["train"], H["dev"], y["dev"])
    pm, oof = hidden_fit.fit(H["train"], y["train"], np.array([r["group"] for r in train]), c)
    m = {"train": oof, "dev": probe.logits(pm, H["dev"])}
    return {s: np.c_[z[s], m[s]] for s in ("train", "dev")}


def by_source(p: np.ndarray, y: np.ndarray, sources: np.ndarray) -> dict[str, float | None]:
    """MT against human translation AUROC on all rows and on each source's rows."""
    from training import metrics

    return {"mt vs human_translation": metrics.auroc(y, p),
            **{f"  {s} only": metrics.auroc(y[sources == s], p[sources == s]) for s in sorted(set(sources))}}


def main(argv=None) -> int:
    import argparse

    import torch

    from detector import features as F
    from detector.lm import LMScorer
    from detector.submodels import probe
    from training import data, fit as fitting
    from training.cache import ScoreCache
    from training.featurize import feature_rows
    from training.train import MAX_TOKENS

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--translation-only", action="store_true",
                    help="mt and human_translation records only, with the translation sub-models' logits")
    ap.add_argument("--controls", type=int, default=0,
                    help="also stack N shuffled copies of the net's logits (no signal, same values): the gain noise alone gives")
    args = ap.parse_args(argv)
    torch.set_num_threads(2)
    records = data.load_corpus(splits=("train", "dev"))
    if args.translation_only:
        extra = data.bundled_translation_extra(records, lambda m: print(m, file=sys.stderr))
        records = [r for r in records if r["kind"] in probe.TRANSLATION_KINDS]
    scorer = LMScorer(max_tokens=MAX_TOKENS)
    scorer.load()
    cache = ScoreCache.for_scorer(scorer)
    split = {s: [r for r in records if r["split"] == s] for s in ("train", "dev")}
    mats = {s: [token_matrix(sc) for sc in cache.score_many(scorer, [r["text"] for r in rs])] for s, rs in split.items()}
    kinds = {s: np.array([r["kind"] for r in rs]) for s, rs in split.items()}
    y = {s: np.array([r["label"] == "machine" for r in rs], dtype=int) for s, rs in split.items()}
    groups = np.array([r["group"] for r in split["train"]])
    oof, dev = oof_and_dev(mats["train"], kinds["train"], groups, mats["dev"])
    names = F.feature_names()
    X = {s: feature_rows([r["text"] for r in rs], scorer, names, s) for s, rs in split.items()}
    if args.translation_only:
        sub = translation_columns(split["train"], split["dev"], extra, scorer)
        X = {s: np.c_[X[s], sub[s]] for s in X}
        sources = np.array([r["source"] for r in split["dev"]])
        measure = lambda p: by_source(p, y["dev"], sources)  # noqa: E731
        plain, stacked = "features + translation sub-models", "features + translation sub-models + net"
    else:
        measure = lambda p: dev_aurocs(p, y["dev"], kinds["dev"])  # noqa: E731
        plain, stacked = "features", "features + net"
    rows = {"net alone": measure(dev)}
    rng = np.random.default_rng(0)
    variants = [(plain, None, None), (stacked, oof, dev)] + [
        (f"control {k + 1}: shuffled net", rng.permutation(oof), rng.permutation(dev)) for k in range(args.controls)]
    for label, col_train, col_dev in variants:
        Xt, Xd = (X["train"], X["dev"]) if col_train is None else (np.c_[X["train"], col_train], np.c_[X["dev"], col_dev])
        clf = fitting.fit_calibrated(Xt, y["train"], groups, "gbm")
        rows[label] = measure(clf.predict_proba(Xd)[:, 1])
    print("| dev AUROC | " + " | ".join(rows) + " |\n|---|" + "---|" * len(rows))
    for k in rows["net alone"]:
        print(f"| {k} | " + " | ".join("n/a" if rows[r][k] is None else f"{rows[r][k]:.4f}" for r in rows) + " |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
