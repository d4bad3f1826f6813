"""``make eval``: a markdown report and ROC curves for a model on the dev and test splits.

Figures per machine kind against the human kinds, WMT mt against human translation, the never-seen
system and language, FPR per human kind at each stored threshold, and the ablation table.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

from detector import model as M
from detector import hidden, mt_ngram, mt_probe, ngram
from detector.lm import LMScorer
from training import data, metrics
from training import cascade, evidence_rule
from training.featurize import hidden_vectors, model_rows, token_counts
from training.train import arrays, select


def submodel_columns(artifact, texts, scorer) -> dict[str, np.ndarray]:
    """The fitted sub-models' outputs per text: the n-gram models' and the hidden-state probes' logits."""
    out = {}
    if artifact.ngram is not None:
        out[ngram.FEATURE] = ngram.logits(artifact.ngram, texts)
    if artifact.mt_ngram is not None:
        out[mt_ngram.FEATURE] = mt_ngram.logits(artifact.mt_ngram, texts)
    probes = [(m, probe) for m, probe in ((hidden, artifact.hidden), (mt_probe, artifact.mt_probe)) if probe is not None]
    H = hidden_vectors(texts, scorer) if probes else None
    for module, probe in probes:
        out[module.FEATURE] = module.logits(probe, H)
    return out


def split_scores(artifact, records, scorer, split):
    """The full model's p_machine on a split (evidence rule applied), with what the cascade reuses:
    each text's evidence-rule floor and the sub-models' outputs."""
    rs, y, kinds, _, holdout = arrays(records, split)
    texts = [r["text"] for r in rs]
    z = submodel_columns(artifact, texts, scorer)
    X = model_rows(texts, scorer, artifact.features, split, artifact.meta["lm"]["max_tokens"], z)
    rule = artifact.meta.get("evidence_rule")
    floor = (evidence_rule.apply(rule, np.zeros(len(texts)), X[:, artifact.features.index(rule["feature"])])
             if rule else np.zeros(len(texts)))
    return np.maximum(artifact.spin_route(artifact.predict_proba(X), X), floor), y, kinds, holdout, floor, z


def cascade_split(artifact, records, scorer, split, p_full, floor, z):
    """The cascade's scores on a split and the LM tokens it reads per text (vs the full model's)."""
    texts = [r["text"] for r in records if r["split"] == split]
    X = {st.tokens: model_rows(texts, scorer, st.features, f"{split}@{st.tokens} tokens", st.tokens, z)
         for st in artifact.stages}
    lengths = token_counts(texts, scorer)
    p, spent = cascade.cascade_scores(artifact.stages, X, p_full, artifact.meta["lm"]["max_tokens"], lengths, floor)
    return p, spent, np.minimum(lengths, artifact.meta["lm"]["max_tokens"])


def cascade_section(artifact, records, scorer, split, p_full, y, kinds, holdout, floor, z) -> list[str]:
    p, spent, full_spent = cascade_split(artifact, records, scorer, split, p_full, floor, z)
    t = artifact.meta["thresholds"]["0.01"]["threshold"]
    full, casc = (metrics.kind_metrics(q, y, kinds, holdout, t) for q in (p_full, p))
    keys = [k for k in sorted(full) if k.startswith(("auroc", "fpr", "tpr")) and full[k] is not None]
    bands = ", ".join(f"{st.tokens} tokens ({st.low:.3f}, {st.high:.3f})" for st in artifact.stages)
    lines = [f"## Cascade vs full model, {split} split (threshold {t:.4f}, target FPR 0.01)", "",
             f"Stages before the full model: {bands}. LM tokens read per text: cascade {spent.mean():.1f}, "
             f"full model {full_spent.mean():.1f} ({1 - spent.sum() / max(full_spent.sum(), 1):.1%} fewer); "
             f"texts that never reach the LM: {np.mean(spent == 0):.1%}.", "",
             "| metric | full model | cascade | cascade - full |", "|---|---|---|---|"]
    lines += [f"| {k} | {full[k]:.4f} | {casc[k]:.4f} | {casc[k] - full[k]:+.4f} |" for k in keys]
    return lines + [""]


def breakdown_section(artifact, records, split, p, y, kinds, fpr: float = 0.01) -> list[str]:
    """Each machine kind by generator setting (spin rate, pivot language, MT pair and system), and MT
    against the human translation of the same source document."""
    rs, _, _, groups, _ = arrays(records, split)
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
    lines += ["", f"Human texts by source and WMT domain (FPR at the same threshold; groups under 10 texts pooled):", "",
              "| kind | source | n | FPR |", "|---|---|---|---|"]
    sources = np.array([r.get("source", "") for r in rs])
    for kind, where, n, rate in metrics.human_breakdown(p, kinds, sources, [r.get("detail") for r in rs], threshold):
        lines.append(f"| {kind} | {where} | {n} | {rate:.3f} |")
    return lines + [""]


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


def _rule(artifact) -> str:
    """How the model's thresholds were chosen, as its meta.json records it (older models: empirical)."""
    return artifact.meta["thresholds"]["0.01"].get("rule", "every human kind's FPR <= target")


def report(artifact, records, scorer, out: Path) -> str:
    lines = [f"# Evaluation of {shown_path(artifact.path)}", "", f"LM: {artifact.meta['lm']['name']} "
             f"(first {artifact.meta['lm']['max_tokens']} tokens); classifier: {artifact.meta.get('classifier')}; "
             f"thresholds chosen on dev: {_rule(artifact)}.", ""]
    curves = {}
    for split in ("dev", "test"):
        p, y, kinds, holdout, floor, z = split_scores(artifact, records, scorer, split)
        for fpr_key, entry in sorted(artifact.meta["thresholds"].items(), key=lambda kv: float(kv[0])):
            res = metrics.kind_metrics(p, y, kinds, holdout, entry["threshold"])
            lines += [f"## {split} split, threshold {entry['threshold']:.4f} (target FPR {fpr_key})", ""]
            lines += table(sorted(res.items())) + [""]
        lines += breakdown_section(artifact, records, split, p, y, kinds)
        if artifact.stages:
            lines += cascade_section(artifact, records, scorer, split, p, y, kinds, holdout, floor, z)
        if split == "test":
            for kind in sorted(set(kinds[y == 1])):
                sel = (kinds == kind) | (y == 0)
                curves[kind] = (y[sel], p[sel])
    lines += ["## Ablation (test AUROC, from training)", "", "| model | AUROC all | AUROC mt vs human_translation |",
              "|---|---|---|"]
    for name, v in artifact.meta.get("ablation", {}).items():
        lines.append(f"| {name} | {v['auroc_all']:.4f} | {v['auroc_mt_vs_human_translation']:.4f} |")
    out.mkdir(parents=True, exist_ok=True)
    roc_png(curves, out / "roc.png")
    lines += ["", "![ROC](roc.png)", ""]
    text = "\n".join(lines)
    (out / "eval.md").write_text(text, encoding="utf-8")
    return text


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description="Evaluate a model on dev and test.")
    ap.add_argument("--model", type=Path, default=None)
    ap.add_argument("--out", type=Path, default=Path("reports"))
    args = ap.parse_args(argv)
    try:
        artifact = M.load(args.model)
    except Exception as e:  # noqa: BLE001 - one line for the user, whatever went wrong
        print(f"error: {e}", file=sys.stderr)
        return 2
    records = select(data.load_corpus(), max_train=0)
    print(report(artifact, records, LMScorer.for_model(artifact.meta["lm"]), args.out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
