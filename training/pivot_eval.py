"""Round trips through pivot languages the corpus never uses: does the detector generalise past its pivots?

Every corpus round trip goes through Spanish or Catalan. This check takes ``--n`` native articles of one
split (``test`` by default: their documents are in no training record) and round-trips the same articles
through every pivot with Apertium: the two seen in training and two never seen, Galician (``en-gl``) and
Esperanto (``en-eo``). Each round trip is made two ways: as the corpus makes them (the in-the-wild
artifacts injected into the same share of documents, ``artifacts.P_ARTIFACTS``) and plain (the pivot's
own damage only). Each set is scored by the full model, as ``make eval`` scores the corpus, and ranked
against every human record of the split. Writes ``docs/eval/pivot_eval.md``.

    python -m training.pivot_eval            # needs apertium-en-gl and apertium-eo-en (Debian)
"""
from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

import numpy as np

from detector import model as M
from detector.lm import LMScorer
from training import data, metrics
from training.corpus import artifacts, roundtrip
from training.corpus.rng import unit
from training.evaluate import split_scores

SPLIT_TAG = "pivot-eval"  # the split name the generated records are scored under


def paragraphs(text: str) -> list[str]:
    """A corpus text's paragraphs: its non-empty lines (the layouts separate paragraphs by one or two
    newlines, and never break a line inside one).

    >>> paragraphs("First one.\\n\\nSecond one.\\nThird.\\n")
    ['First one.', 'Second one.', 'Third.']
    """
    return [line.strip() for line in text.splitlines() if line.strip()]


def join(paras: list[str], like: str) -> str:
    """Paragraphs joined the way the original text ``like`` separates them."""
    return ("\n\n" if re.search(r"\n\s*\n", like) else "\n").join(paras)


def originals(records: list[dict], split: str, n: int) -> list[dict]:
    """``n`` native records of ``split``, chosen by a stable hash of their group (the same on every run)."""
    natives = [r for r in records if r["split"] == split and r["kind"] == "native"]
    return sorted(natives, key=lambda r: unit("pivot-eval", r["group"]))[:n]


def round_trips(chosen: list[dict], pivot: str, inject: bool) -> list[dict]:
    """Machine records made from ``chosen`` via ``pivot``; documents whose paragraphs Apertium lost are
    skipped, as :func:`training.corpus.derive.roundtrips` skips them."""
    docs = [paragraphs(r["text"]) for r in chosen]
    out = []
    for r, paras, got in zip(chosen, docs, roundtrip.round_trip_many(docs, pivot)):
        if len(got) != len(paras) or not all(p.strip() for p in got):
            continue
        detail = {"pivot": pivot, "artifacts": []}
        if inject and unit("artifacts", r["group"]) < artifacts.P_ARTIFACTS:
            got, detail["artifacts"] = artifacts.inject(got, r["group"])
        out.append({"id": f"{r['id']}#pivot-eval:{pivot}:{int(inject)}", "group": r["group"], "kind": "roundtrip",
                    "label": "machine", "split": SPLIT_TAG, "text": join(got, r["text"]), "detail": detail})
    return out


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--model", type=Path, default=None)
    ap.add_argument("--split", default="test")
    ap.add_argument("--n", type=int, default=80, help="native articles round-tripped through each pivot")
    ap.add_argument("--fpr", type=float, default=0.01)
    ap.add_argument("--out", type=Path, default=Path("docs/eval/pivot_eval.md"))
    args = ap.parse_args(argv)
    pivots = [*roundtrip.PIVOTS, *roundtrip.EVAL_PIVOTS]
    missing = [p for p in pivots if not roundtrip.available(p)]
    try:
        artifact = M.load(args.model)
        if missing:
            raise RuntimeError("apertium modes missing for " + ", ".join(missing) + "; run: apt-get install apertium "
                               + " ".join(roundtrip.PACKAGES[p] for p in missing))
    except Exception as e:  # noqa: BLE001 - one line for the user
        print(f"error: {e}", file=sys.stderr)
        return 2
    records = data.load_corpus()
    chosen = originals(records, args.split, args.n)
    humans = [dict(r, split=SPLIT_TAG) for r in records if r["split"] == args.split and r["label"] == "human"]
    made = {(p, inject): round_trips(chosen, p, inject) for p in pivots for inject in (True, False)}
    for (p, inject), rs in made.items():
        print(f"  {p} {'with' if inject else 'without'} injected artifacts: {len(rs)} of {len(chosen)}",
              file=sys.stderr, flush=True)
    pool = humans + [r for rs in made.values() for r in rs]
    scorer = LMScorer(max_tokens=artifact.meta["lm"]["max_tokens"])
    p, y, *_ = split_scores(artifact, pool, scorer, SPLIT_TAG)
    ids = np.array([r["id"] for r in pool])
    threshold = artifact.threshold(args.fpr)
    human = y == 0
    lines = ["# Round trips through pivots never seen in training", "",
             f"Model: {artifact.path}. The same {len(chosen)} native `{args.split}` articles round-tripped through each "
             f"pivot with Apertium, ranked against the {int(human.sum())} human records of `{args.split}` "
             f"(`python -m training.pivot_eval`). TPR at the stored threshold {threshold:.4f} (target FPR {args.fpr:g}); "
             f"FPR of those human records at it: {np.mean(p[human] >= threshold):.4f}.", "",
             "| pivot | in training | injected artifacts | n | AUROC vs human | TPR |", "|---|---|---|---|---|---|"]
    for (piv, inject), rs in made.items():
        sel = np.isin(ids, [r["id"] for r in rs])
        both = sel | human
        a = metrics.auroc(y[both], p[both])
        lines.append(f"| {piv} | {'yes' if piv in roundtrip.PIVOTS else '**no**'} | "
                     f"{'as the corpus (' + format(artifacts.P_ARTIFACTS, '.0%') + ' of documents)' if inject else 'none'} | "
                     f"{int(sel.sum())} | {'-' if a is None else f'{a:.4f}'} | {np.mean(p[sel] >= threshold):.3f} |")
    text = "\n".join(lines) + "\n"
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(text, encoding="utf-8")
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
