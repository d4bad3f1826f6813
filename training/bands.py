"""Thresholds per length band (:mod:`detector.bands`), chosen on dev with the product's own scores.

``make train`` calls :func:`write` on the model it has just saved; ``python -m training.bands --model DIR``
(re)chooses the bands of any model. The dev texts are the dev records and their short excerpts
(:mod:`training.corpus.excerpts`), scored by :class:`detector.Detector` exactly as a user's texts are
(cascade included, LM scores from the training cache).

The rule, per band and stated false-positive rate: every human kind gets its split-conformal threshold on the
band's dev texts (:func:`training.fit.kind_threshold`), and the band takes the largest; each human source of a
kind with enough dev texts to certify the rate on its own holds it too, so that the rate holds for any mix of
those sources, not only the mix dev happens to have. (Counting each document once per band, a record and its
excerpt as one draw, was measured in session 38 and not kept: dev has 98 scrape-damaged documents of 80+
words, one short of a 1% certificate, so every length would abstain at the default rate.) A band in which a
human kind that the whole dev split certifies at that rate cannot be certified (too few dev texts of that kind
and length) has no threshold at that rate: its texts get ``too_short``. Candidate bands start at
:data:`STARTS` words; a band that cannot hold the default rate is merged into the band below it, or the second
band with the third (longer texts are not worse served by a threshold chosen on somewhat shorter ones), while
the shortest band abstains rather than borrow a threshold from longer texts. At a rate that a merged candidate
band holds on its own, the merged band's threshold is at least that candidate's, so the stated rate holds in
each candidate band wherever its dev texts can certify it.
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np

from detector.bands import label
from detector.policy import DEFAULT_FPR
from training import fit

STARTS = (80, 200)  # candidate band starts in words, above the model's min_words


def kind_band_threshold(p, sources, fpr: float) -> tuple[float | None, bool]:
    """(threshold, certified) for one human kind's texts in one band: their conformal threshold, raised to
    that of each source whose texts certify ``fpr`` on their own. None when the kind has no texts in the band.

    >>> p, sources = np.r_[np.linspace(0, .4, 100), np.linspace(.2, .8, 100)], np.repeat(["cool", "hot"], 100)
    >>> round(kind_band_threshold(p, None, 0.05)[0], 2), round(kind_band_threshold(p, sources, 0.05)[0], 2)
    (0.75, 0.78)
    """
    if not len(p):
        return None, False
    t, certified = fit.kind_threshold(p, fpr)
    names = np.unique(sources) if sources is not None else ()
    for s in names if len(names) > 1 else ():  # one source: its threshold is the kind's
        t_s, ok = fit.kind_threshold(p[sources == s], fpr)
        t = max(t, t_s) if ok else t
    return t, certified


def _band_thresholds(p, y, kinds, sources, certified_pooled: dict[str, bool], fpr: float):
    """(threshold or None, per-kind dev counts) for one band's dev texts at ``fpr``."""
    human = {k: (kinds == k) & (y == 0) for k in certified_pooled}
    found = {k: kind_band_threshold(p[m], sources[m], fpr) for k, m in human.items()}
    counts = {k: int(m.sum()) for k, m in human.items()}
    if any(certified_pooled[k] and not found[k][1] for k in certified_pooled):
        return None, counts
    return max([t for t, _ in found.values() if t is not None] or [0.0]), counts


def choose(p: np.ndarray, y: np.ndarray, kinds: np.ndarray, words: np.ndarray, min_words: int,
           pooled: dict, starts: tuple[int, ...] = STARTS, sources=None) -> dict:
    """The ``length_bands`` entry of ``meta.json`` from dev scores ``p`` (``pooled``: the model's one-threshold
    table, whose ``certified_by_kind`` says which kinds the whole dev split certifies at each rate;
    ``sources``: each text's source, by default one for all).

    >>> rng = np.random.default_rng(0)
    >>> p = np.r_[rng.uniform(0, .5, 300), rng.uniform(.4, 1, 300)]
    >>> y, kinds = np.r_[np.zeros(300), np.ones(300)], np.array(["native"] * 300 + ["mt"] * 300)
    >>> words = np.r_[np.full(20, 50), np.full(280, 300), np.full(300, 300)]
    >>> pooled = {"0.01": {"certified_by_kind": {"native": True}}}
    >>> out = choose(p, y, kinds, words, 30, pooled)
    >>> [(b["words"], b["thresholds"]["0.01"] is None) for b in out["bands"]]
    [('30-79', True), ('80+', False)]
    """
    p, y, kinds, words = map(np.asarray, (p, y, kinds, words))
    sources = np.asarray(sources) if sources is not None else np.zeros(len(p), dtype=int)
    edges = [min_words] + [s for s in starts if s > min_words]
    default = f"{DEFAULT_FPR:g}"

    def inside(i, e):
        return (words >= e[i]) & ((words < e[i + 1]) if i + 1 < len(e) else True)

    cert = pooled[default]["certified_by_kind"]

    def _at(sel):
        return p[sel], y[sel], kinds[sel], sources[sel]

    def holds(i):
        sel = inside(i, edges)
        return _band_thresholds(*_at(sel), cert, DEFAULT_FPR)[0] is not None

    merged = True
    while merged:  # a band above the shortest that cannot hold the default rate joins a neighbour
        merged = False
        for i in range(1, len(edges)):
            if not holds(i) and (i >= 2 or len(edges) > 2):
                del edges[i if i >= 2 else 2]  # into the band below it; the second band takes the third
                merged = True
                break
    candidates = [min_words] + [s for s in starts if s > min_words]
    bands = []
    for i in range(len(edges)):
        sel = inside(i, edges)
        row = {"min_words": edges[i], "words": label(edges, i), "thresholds": {}, "dev": {}}
        # the candidate bands merged into this one: at a rate one of them holds on its own, it holds its
        # threshold too (a merged band's pooled quantile would let its higher-scoring part exceed the rate)
        parts = [j for j, c in enumerate(candidates) if edges[i] <= c and (i + 1 == len(edges) or c < edges[i + 1])]
        for key, entry in pooled.items():
            t, counts = _band_thresholds(*_at(sel), entry["certified_by_kind"], float(key))
            if t is not None and len(parts) > 1:
                for j in parts:
                    part = sel & inside(j, candidates)
                    t_part = _band_thresholds(*_at(part), entry["certified_by_kind"], float(key))[0]
                    t = max(t, t_part) if t_part is not None else t
            row["thresholds"][key] = t
            flagged = p[sel] >= t if t is not None else np.zeros(int(sel.sum()), bool)
            row["dev"][key] = {
                "n_by_kind": counts,
                "fpr_by_kind": {k: float(np.mean(flagged[(kinds[sel] == k) & (y[sel] == 0)])) for k, n in counts.items() if n},
                "tpr": float(np.mean(flagged[y[sel] == 1])) if (y[sel] == 1).any() else None,
            }
        for key in sorted(row["thresholds"], key=float, reverse=True):  # abstaining at a rate: at every stricter one
            if row["thresholds"][key] is None:
                for stricter in (k for k in row["thresholds"] if float(k) < float(key)):
                    row["thresholds"][stricter] = None
                    row["dev"][stricter]["tpr"] = 0.0 if row["dev"][stricter]["tpr"] is not None else None
        bands.append(row)
    return {"chosen_on": "dev records and their excerpts (training.corpus.excerpts)",
            "rule": "per band: every human kind's split-conformal threshold, raised to that of each of its sources "
                    "whose texts certify the rate alone; the largest over kinds; null (too_short) where a "
                    "kind the whole dev split certifies cannot be certified with the band's dev texts, and at "
                    "every stricter rate than one where the band abstains; a merged band's threshold at least "
                    "that of each candidate band in it that certifies the rate on its own",
            "bands": bands}


def dev_texts(records: list[dict]) -> list[dict]:
    """The dev records and their excerpts."""
    from training.corpus.excerpts import excerpts

    dev = [r for r in records if r["split"] == "dev"]
    return dev + excerpts(dev)


def product_scores(model_dir: Path, texts: list[str], scorer=None) -> tuple[np.ndarray, np.ndarray]:
    """(p_machine, words) for each text from :class:`detector.Detector` on ``model_dir`` with one threshold
    (bands off, so every text long enough is scored), LM scores from the training cache."""
    from detector import Detector
    from detector.lm import LMScorer
    from training.cache import CachedScorer

    det = Detector(model_dir, threshold=0.5, scorer=CachedScorer(scorer or LMScorer.for_model(_meta(model_dir)["lm"])))
    scores = det.score_many(texts)
    return np.array([s.p_machine for s in scores], float), np.array([s.words for s in scores])


def write(model_dir: Path, records: list[dict], scorer=None, log=print) -> dict:
    """Choose the bands of ``model_dir`` on dev (``records``: the corpus) and store them in its ``meta.json``."""
    rows = dev_texts(records)
    p, words = product_scores(model_dir, [r["text"] for r in rows], scorer)
    y = np.array([r["label"] == "machine" for r in rows], dtype=int)
    kinds, sources = (np.array([r[f] for r in rows]) for f in ("kind", "source"))
    meta = _meta(model_dir)
    ok = ~np.isnan(p)  # not_english texts have no score
    meta["length_bands"] = choose(p[ok], y[ok], kinds[ok], words[ok], int(meta["min_words"]), meta["thresholds"],
                                  sources=sources[ok])
    (Path(model_dir) / "meta.json").write_text(json.dumps(meta, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    for b in meta["length_bands"]["bands"]:
        log(f"  length band {b['words']} words: " + ", ".join(
            f"{k}: {'abstain (too_short)' if t is None else f'{t:.4f}'}" for k, t in b["thresholds"].items()))
    return meta["length_bands"]


def _meta(model_dir: Path) -> dict:
    return json.loads((Path(model_dir) / "meta.json").read_text(encoding="utf-8"))


def main(argv=None) -> int:
    from training.data import load_corpus

    ap = argparse.ArgumentParser(description="Choose a model's thresholds per length band on dev.")
    ap.add_argument("--model", type=Path, default=Path("detector/resources/model"))
    args = ap.parse_args(argv)
    write(args.model, load_corpus(), log=lambda m: print(m, file=sys.stderr))
    return 0


if __name__ == "__main__":
    sys.exit(main())
