"""``make eval``: a markdown report and ROC curves for a model on the dev and test splits.

Every figure comes from the product's own path: a :class:`detector.api.Detector` scoring each text
through :func:`detector.cascade.run`, exactly as ``detect score`` does (LM token scores are read from the
score cache when present, :class:`training.cache.CachedScorer`). The full model, for comparison, is the
same Detector with ``cascade=False`` (every text read with the full LM budget).

Figures per machine kind against the human kinds, WMT mt against human translation, the never-seen
system and language, FPR per human kind at each stored threshold, by generator setting and text length,
the cascade against the full model, FPR and TPR per length band with the model's own thresholds by length
(records and their short excerpts), and MT systems and language pairs held out of training
(:mod:`training.experiments.holdouts`).
"""
from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from training import data, metrics
from training.train import arrays, select

CHUNK = 64  # texts per score_many call (progress is shown after each)


@dataclass
class SplitScores:
    """The product's scores on one split: p_machine (NaN: not_english, counted as 0 in the metrics),
    verdicts and LM tokens read per text, with each text's labels."""

    p: np.ndarray
    verdicts: np.ndarray
    lm_tokens: np.ndarray
    y: np.ndarray
    kinds: np.ndarray
    holdout: np.ndarray

    @property
    def scores(self) -> np.ndarray:
        return np.nan_to_num(self.p, nan=0.0)


def detector_for(model_dir=None, cascade: bool = True, fpr: float = 0.01, device: str = "cpu"):
    """The Detector ``make eval`` measures: the model's own LM and budget, with the score cache."""
    from detector.api import Detector
    from detector.artifact import load
    from detector.lm import LMScorer
    from training.cache import CachedScorer

    meta_lm = load(model_dir).meta["lm"]
    return Detector(model_dir, fpr=fpr, scorer=CachedScorer(LMScorer.for_model(meta_lm, device=device)), cascade=cascade)


def split_scores(detector, records: list[dict], split: str) -> SplitScores:
    """Score every record of ``split`` with ``detector`` (``Detector.score_many``, the CLI's path)."""
    rs, y, kinds, _, holdout = arrays(records, split)
    results = []
    for start in range(0, len(rs), CHUNK):
        results += detector.score_many([r["text"] for r in rs[start:start + CHUNK]])
        print(f"\r  {split}: {len(results)}/{len(rs)} scored", end="\n" if len(results) == len(rs) else "",
              file=sys.stderr, flush=True)
    return SplitScores(np.array([s.p_machine for s in results], float), np.array([s.verdict for s in results]),
                       np.array([s.lm_tokens for s in results], float), y, kinds, holdout)


def cascade_section(split: str, full: SplitScores, casc: SplitScores, artifact) -> list[str]:
    t = artifact.meta["thresholds"]["0.01"]["threshold"]
    f, c = (metrics.kind_metrics(s.scores, s.y, s.kinds, s.holdout, t) for s in (full, casc))
    keys = [k for k in sorted(f) if k.startswith(("auroc", "fpr", "tpr")) and f[k] is not None]
    bands = ", ".join(f"{st.tokens} tokens ({st.low:.3f}, {st.high:.3f})" for st in artifact.stages)
    same = np.mean(full.verdicts == casc.verdicts)
    lines = [f"## Cascade vs full model, {split} split (threshold {t:.4f}, target FPR 0.01)", "",
             f"Stages before the full model: {bands or 'none'}. LM tokens read per text: cascade "
             f"{casc.lm_tokens.mean():.1f}, full model {full.lm_tokens.mean():.1f} "
             f"({1 - casc.lm_tokens.sum() / max(full.lm_tokens.sum(), 1):.1%} fewer); texts that never reach the "
             f"LM: {np.mean(casc.lm_tokens == 0):.1%}; verdicts equal to the full model's: {same:.1%}.", "",
             "| metric | full model | cascade | cascade - full |", "|---|---|---|---|"]
    lines += [f"| {k} | {f[k]:.4f} | {c[k]:.4f} | {c[k] - f[k]:+.4f} |" for k in keys]
    return lines + [""]


def breakdown_section(artifact, records, split, s: SplitScores, fpr: float = 0.01) -> list[str]:
    """Each machine kind by generator setting (spin rate, pivot language, MT pair and system), and MT
    against the human translation of the same source document."""
    rs, _, _, groups, _ = arrays(records, split)
    p, y, kinds = s.scores, s.y, s.kinds
    threshold = artifact.threshold(fpr)
    lines = [f"## {split} split by generator setting (TPR at threshold {threshold:.4f}, target FPR {fpr:g})", "",
             "mt is ranked against human translations, the other kinds against every human text; "
             "settings with fewer than 10 texts are pooled as other.", "",
             "| kind | setting | value | n | AUROC | TPR |", "|---|---|---|---|---|---|"]
    for kind, key, value, n, a, tpr in metrics.breakdown(p, y, kinds, [r.get("detail") for r in rs], threshold):
        lines.append(f"| {kind} | {key} | {value} | {n} | {'-' if a is None else f'{a:.4f}'} | {tpr:.3f} |")
    paired = metrics.paired_auroc(p, y, groups, kinds == "mt", kinds == "human_translation")
    if paired is not None:
        sel = np.isin(kinds, ["mt", "human_translation"])
        lines += ["", f"mt vs the human translation of the same source document (pairs within a document): "
                      f"AUROC {paired:.4f}; pooled over all documents: {metrics.auroc(y[sel], p[sel]):.4f}."]
    words = np.array([len(r["text"].split()) for r in rs])
    lines += ["", f"{split} split by text length (words; mt against human translations of the same length, "
                  "the other kinds against every human text of that length):", "",
              "| kind | words | n | n reference | AUROC |", "|---|---|---|---|---|"]
    for kind, bucket, n, n_ref, a in metrics.length_breakdown(p, y, kinds, words):
        lines.append(f"| {kind} | {bucket} | {n} | {n_ref} | {'-' if a is None else f'{a:.4f}'} |")
    lines += ["", "Human texts by source and WMT domain (FPR at the same threshold; groups under 10 texts pooled):", "",
              "| kind | source | n | FPR |", "|---|---|---|---|"]
    sources = np.array([r.get("source", "") for r in rs])
    for kind, where, n, rate in metrics.human_breakdown(p, kinds, sources, [r.get("detail") for r in rs], threshold):
        lines.append(f"| {kind} | {where} | {n} | {rate:.3f} |")
    return lines + [""]


REPORT_BANDS = (30, 80, 200)  # words: the length bands the report breaks FPR and TPR down by


def bands_section(model_dir, records: list[dict], split: str, fprs=(0.01, 0.05), device: str = "cpu") -> list[str]:
    """FPR per human kind and TPR per machine kind in each length band, at each operating point, on the
    split's records and their short excerpts (:mod:`training.corpus.excerpts`), with the product's verdicts
    (its thresholds per length band; ``too_short`` where a band abstains)."""
    from detector.bands import label
    from training.corpus.excerpts import excerpts

    rows = [r for r in records if r["split"] == split]
    rows += excerpts(rows, (split,))
    kinds = np.array([r["kind"] for r in rows])
    human = np.array([r["label"] == "human" for r in rows])
    lines = [f"## {split} split by length band: records and their excerpts (3-4 consecutive lines)", ""]
    for fpr in fprs:
        det = detector_for(model_dir, fpr=fpr, device=device)
        stored = det.artifact.meta.get("length_bands")
        decided = ", ".join(f"{b['words']} words: " + ("too_short" if b["thresholds"].get(f"{fpr:g}") is None
                                                       else f"{b['thresholds'][f'{fpr:g}']:.4f}")
                            for b in (stored or {}).get("bands", []))
        scores = det.score_many([r["text"] for r in rows])
        verdicts = np.array([s.verdict for s in scores])
        words = np.array([s.words for s in scores])
        lines += [f"Target FPR {fpr:g}; the model's thresholds by length: {decided or 'one for every length'}.", "",
                  "| words | kind | n | FPR (human) or TPR (machine) | too_short |", "|---|---|---|---|---|"]
        for i in range(len(REPORT_BANDS)):
            inside = (words >= REPORT_BANDS[i]) & ((words < REPORT_BANDS[i + 1]) if i + 1 < len(REPORT_BANDS) else True)
            for kind in sorted(set(kinds[inside]), key=lambda k: (not human[kinds == k][0], k)):
                sel = inside & (kinds == kind)
                lines.append(f"| {label(REPORT_BANDS, i)} | {kind} | {int(sel.sum())} | "
                             f"{np.mean(verdicts[sel] == 'machine'):.3f} | {np.mean(verdicts[sel] == 'too_short'):.3f} |")
        lines.append("")
    return lines


def write_report(path: Path, lines: list[str]) -> str:
    """Write a markdown report (parent directories made) and print it; returns the text."""
    text = "\n".join(lines).rstrip("\n") + "\n"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    print(text, end="")
    return text


def table(rows: list[tuple[str, object]]) -> list[str]:
    out = ["| metric | value |", "|---|---|"]
    for k, v in rows:
        out.append(f"| {k} | {v:.4f} |" if isinstance(v, float) else f"| {k} | {v} |")
    return out


def roc_png(curves: dict, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from sklearn.metrics import roc_curve

    fig, ax = plt.subplots(figsize=(6, 5))
    for label, (y, p) in curves.items():
        if len(np.unique(y)) == 2:
            fpr, tpr, _ = roc_curve(y, p)
            ax.plot(fpr, tpr, label=label)
    ax.set_xscale("log")
    ax.set_xlim(1e-3, 1)
    ax.set_xlabel("false-positive rate (log)")
    ax.set_ylabel("true-positive rate")
    ax.set_title("Test split ROC per machine kind vs human kinds")
    ax.legend(loc="lower right", fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def shown_path(path) -> str:
    """A model path as a report names it: relative to the working directory when inside it (reports are
    committed, so they should not carry one machine's absolute paths)."""
    path = Path(path)
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


def report(casc_detector, full_detector, records, out: Path, holdouts: bool = False, device: str = "cpu",
           splits=("dev", "test"), band_fprs=(0.01, 0.05)) -> str:
    artifact = casc_detector.artifact
    rule = artifact.meta["thresholds"]["0.01"].get("rule", "every human kind's FPR <= target")
    lines = [f"# Evaluation of {shown_path(artifact.path)}", "", f"LM: {artifact.meta['lm']['name']} "
             f"(first {artifact.max_tokens} tokens); classifier: {artifact.meta['classifier']['kind']}; "
             f"thresholds chosen on dev: {rule}.", "",
             "Scores from `Detector.score_many` (the path of `detect score`), cascade on, unless a section says "
             "otherwise.", ""]
    curves = {}
    for split in splits:
        casc = split_scores(casc_detector, records, split)
        full = split_scores(full_detector, records, split) if artifact.stages else casc
        for fpr_key, entry in sorted(artifact.meta["thresholds"].items(), key=lambda kv: float(kv[0])):
            res = metrics.kind_metrics(casc.scores, casc.y, casc.kinds, casc.holdout, entry["threshold"])
            lines += [f"## {split} split, threshold {entry['threshold']:.4f} (target FPR {fpr_key})", ""]
            lines += table(sorted(res.items())) + [""]
        foreign = int(np.isnan(casc.p).sum())
        lines += [f"{split}: {len(casc.p)} texts; {foreign} called not_english (no score; counted as p_machine 0 "
                  "above and below).", ""]
        lines += breakdown_section(artifact, records, split, casc)
        if artifact.stages:
            lines += cascade_section(split, full, casc, artifact)
        if split == "test":
            for kind in sorted(set(casc.kinds[casc.y == 1])):
                sel = (casc.kinds == kind) | (casc.y == 0)
                curves[kind] = (casc.y[sel], casc.scores[sel])
    lines += bands_section(artifact.path, records, splits[-1], band_fprs, device)
    if holdouts:
        from training.experiments import holdouts as H

        corpus = data.load_corpus()
        log = lambda m: print(m, file=sys.stderr, flush=True)  # noqa: E731
        lines += H.section(H.run(corpus, data.bundled_translation_extra(corpus, log), [*H.SYSTEMS, *H.PAIRS], log,
                                 artifact.path))
    out.mkdir(parents=True, exist_ok=True)
    roc_png(curves, out / "roc.png")
    lines += ["![ROC](roc.png)", ""]
    text = "\n".join(lines)
    (out / "eval.md").write_text(text, encoding="utf-8")
    return text


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description="Evaluate a model on dev and test.")
    ap.add_argument("--model", type=Path, default=None)
    ap.add_argument("--out", type=Path, default=Path("reports"))
    ap.add_argument("--splits", default="dev,test", help="splits to report, comma-separated (the last one also by length band)")
    ap.add_argument("--band-fprs", default="0.01,0.05", help="operating points of the length-band section")
    ap.add_argument("--no-holdouts", action="store_true",
                    help="skip the held-out systems and language pairs (they retrain a model per unit: ~1 h)")
    ap.add_argument("--device", default="cpu", help="where the LM runs: cpu (the figures in docs/), auto, cuda[:N]")
    args = ap.parse_args(argv)
    try:
        from detector.api import Detector

        casc = detector_for(args.model, device=args.device)
        full = Detector(args.model, scorer=casc.scorer, cascade=False)  # the same LM, loaded once
    except Exception as e:  # noqa: BLE001 - one line for the user, whatever went wrong
        print(f"error: {e}", file=sys.stderr)
        return 2
    records = select(data.load_corpus(), max_train=0)
    splits = tuple(s for s in args.splits.split(",") if s in ("dev", "test"))
    if not splits:
        print(f"error: --splits takes dev and/or test, got {args.splits!r}", file=sys.stderr)
        return 2
    try:
        fprs = tuple(float(f) for f in args.band_fprs.split(","))
        for f in fprs:
            casc.artifact.threshold(f)  # one of the model's stored operating points
    except Exception as e:  # noqa: BLE001 - one line for the user
        print(f"error: --band-fprs {args.band_fprs}: {e}", file=sys.stderr)
        return 2
    print(report(casc, full, records, args.out, not args.no_holdouts, args.device, splits, fprs))
    return 0


if __name__ == "__main__":
    sys.exit(main())
