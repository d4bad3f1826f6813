"""Held-out metrics: AUROC per machine kind against the human kinds, FPR per human kind, never-seen."""
from __future__ import annotations

import numpy as np

HUMAN_KINDS = ("native", "human_translation", "scrape_damaged")


def auroc(y: np.ndarray, p: np.ndarray) -> float | None:
    from sklearn.metrics import roc_auc_score

    return float(roc_auc_score(y, p)) if len(np.unique(y)) == 2 else None


def kind_metrics(p: np.ndarray, y: np.ndarray, kinds: np.ndarray, holdout: np.ndarray, threshold: float) -> dict:
    """The figures the acceptance list names, on one split. A kind that labels both machine and human texts
    (a user's default ``user``) gets its TPR over its machine texts and its FPR over its human ones."""
    human = y == 0
    out = {"auroc_all": auroc(y, p), "n": int(len(y))}
    for kind in sorted(set(kinds[y == 1])):
        sel = (kinds == kind) | human
        out[f"auroc_{kind}_vs_human"] = auroc(y[sel], p[sel])
        out[f"tpr_{kind}"] = float(np.mean(p[(kinds == kind) & ~human] >= threshold))
    sel = (kinds == "mt") | (kinds == "human_translation")
    out["auroc_mt_vs_human_translation"] = auroc(y[sel], p[sel])
    for held in ("system", "language"):
        m = (holdout == held) & (kinds == "mt")
        ref = (kinds == "human_translation") & ((holdout == held) if held == "language" else True)
        out[f"auroc_never_seen_{held}"] = auroc(np.r_[np.ones(m.sum()), np.zeros(ref.sum())], np.r_[p[m], p[ref]])
        out[f"n_never_seen_{held}"] = int(m.sum())
    for kind in (*HUMAN_KINDS, *sorted(set(kinds[human]) - set(HUMAN_KINDS))):
        if ((kinds == kind) & human).any():
            out[f"fpr_{kind}"] = float(np.mean(p[(kinds == kind) & human] >= threshold))
    return out


# generator settings the corpus records in ``detail``, per machine kind, for the breakdown tables
SETTINGS = {"spun": ("rate",), "roundtrip": ("pivot",), "mt": ("pair", "system", "domain")}


def breakdown(p: np.ndarray, y: np.ndarray, kinds: np.ndarray, details: list[dict], threshold: float,
              settings: dict = SETTINGS, min_n: int = 10) -> list[tuple[str, str, str, int, float | None, float]]:
    """Each machine kind split by one generator setting: rows of (kind, setting, value, n, AUROC, TPR at
    ``threshold``). Machine-translated texts are ranked against human translations (of the same language
    pair, for the pair), the other kinds against every human text. Values with fewer than ``min_n`` texts
    are pooled as "other"."""
    rows = []
    human = y == 0
    for kind, keys in settings.items():
        mine = kinds == kind
        ref = (kinds == "human_translation") if kind == "mt" else human
        if not mine.any() or not ref.any():
            continue
        for key in keys:
            values = np.array([str((d or {}).get(key, "")) for d in details])
            counts = {v: int((mine & (values == v)).sum()) for v in set(values[mine])}
            small = {v for v, n in counts.items() if n < min_n}
            values = np.where(np.isin(values, list(small)) & mine, "other", values)
            for v in sorted(set(values[mine]), key=lambda v: (v == "other", v)):
                sel = mine & (values == v)
                same = ref & (values == v)  # human translations of the same pair; none share an MT system
                both = sel | (same if kind == "mt" and same.any() else ref)
                rows.append((kind, key, v, int(sel.sum()), auroc(y[both], p[both]), float(np.mean(p[sel] >= threshold))))
    return rows


LENGTH_EDGES = (100, 200, 400)  # words; the breakdown's bucket edges


def length_breakdown(p: np.ndarray, y: np.ndarray, kinds: np.ndarray, words: np.ndarray,
                     edges: tuple[int, ...] = LENGTH_EDGES) -> list[tuple[str, str, int, int, float | None]]:
    """Each machine kind by text length: rows of (kind, length bucket in words, n machine, n reference,
    AUROC). A kind is ranked against the reference texts of the same bucket (human translations for mt,
    every human text for the other kinds), so a row says how well texts of that length are told apart.

    >>> length_breakdown(np.array([.9, .2, .4, .6]), np.array([1, 0, 1, 0]),
    ...                  np.array(["mt", "human_translation"] * 2), np.array([50, 60, 300, 500]), edges=(100,))
    [('mt', '<100', 1, 1, 1.0), ('mt', '>=100', 1, 1, 0.0)]
    """
    bounds = (0, *edges, None)
    rows = []
    for kind in sorted(set(kinds[y == 1])):
        ref = (kinds == "human_translation") if kind == "mt" else (y == 0)
        for lo, hi in zip(bounds[:-1], bounds[1:]):
            inside = (words >= lo) & ((words < hi) if hi is not None else True)
            mine, other = (kinds == kind) & inside, ref & inside
            if not mine.any():
                continue
            label = f"<{hi}" if lo == 0 else (f">={lo}" if hi is None else f"{lo}-{hi - 1}")
            both = mine | other
            rows.append((str(kind), label, int(mine.sum()), int(other.sum()), auroc(y[both], p[both])))
    return rows


def human_breakdown(p: np.ndarray, kinds: np.ndarray, sources: np.ndarray, details: list[dict],
                    threshold: float, min_n: int = 10) -> list[tuple[str, str, int, float]]:
    """False-positive rate of each human kind by where its texts come from: rows of (kind, source or
    source/domain, n, FPR at ``threshold``). WMT texts carry a domain (news, social, e-commerce...), where
    an unseen kind of text shows up first; groups under ``min_n`` texts are pooled as "<source>/other".

    >>> human_breakdown(np.array([.9, .1, .2]), np.array(["native"] * 3), np.array(["wmt", "wmt", "bbc"]),
    ...                 [{"domain": "social"}, {"domain": "social"}, {}], 0.5, min_n=1)
    [('native', 'bbc', 1, 0.0), ('native', 'wmt/social', 2, 0.5)]
    """
    where = np.array([s if not (d or {}).get("domain") else f"{s}/{d['domain']}" for s, d in zip(sources, details)])
    rows = []
    for kind in HUMAN_KINDS:
        mine = kinds == kind
        counts = {w: int((mine & (where == w)).sum()) for w in set(where[mine])}
        pooled = np.array([w if counts.get(w, 0) >= min_n or "/" not in w else w.split("/")[0] + "/other"
                           for w in where])
        for w in sorted(set(pooled[mine]), key=lambda w: (w.endswith("/other"), w)):
            sel = mine & (pooled == w)
            rows.append((kind, str(w), int(sel.sum()), float(np.mean(p[sel] >= threshold))))
    return rows


def paired_auroc(p: np.ndarray, y: np.ndarray, groups: np.ndarray, machine: np.ndarray, human: np.ndarray) -> float | None:
    """AUROC over the (machine, human) pairs that share a group (the same source document): how often the
    machine text scores above the human one, ties counted half. What is left of the pooled AUROC once
    differences between documents are taken out; None when no group has both."""
    wins = total = 0.0
    for g in set(groups[machine]) & set(groups[human]):
        m, h = p[machine & (groups == g)], p[human & (groups == g)]
        diff = m[:, None] - h[None, :]
        wins += float((diff > 0).sum() + 0.5 * (diff == 0).sum())
        total += diff.size
    return wins / total if total else None
