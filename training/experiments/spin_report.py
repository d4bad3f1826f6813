"""What the thesaurus probes see of a spinner's swaps: ``python -m training.experiments.spin_report``.

For each spun dev/test record whose original is in the corpus, the words are diffed against the
original; each swap inside the LM's budget is classed by whether a probe covered it (single word or
phrase) and by its synonym gap (``lm.synonym_gap_top3.v1``'s per-word gaps). Then the gap alone as a
score (mean of the three largest) against the human kinds, and the share of texts per kind with a
``synonym_swap`` span. Reads the LM score cache (scoring what is missing).
"""
from __future__ import annotations

import argparse
import collections
import difflib
import re
import sys

import numpy as np

from detector.lm import synonyms
from detector.features.lm.thesaurus import SWAP_GAP, word_gaps
from detector.lm import LMScorer
from training import data, metrics
from training.cache import ScoreCache

_WORD = re.compile(r"[A-Za-z]+")
HUMAN_KINDS = ("native", "human_translation", "scrape_damaged")


def classify_swaps(original: str, spun: str, gaps: dict[int, float], probed: set[int], end: int) -> list[tuple[str, str]]:
    """``(class, "old->new")`` for each replaced run of words starting before character ``end`` of
    ``spun``; ``gaps`` maps a probed unit's start to its gap, ``probed`` holds every probe start.

    >>> classify_swaps("the solar system is big", "the solar scheme is big", {10: 9.0}, {10}, 99)
    [('single gap>=8', 'system->scheme')]
    >>> classify_swaps("a cooler box", "a ice chest box", {}, set(), 99)
    [('phrase unprobed', 'cooler->ice chest')]
    """
    a = [m.group().lower() for m in _WORD.finditer(original)]
    found = list(_WORD.finditer(spun))
    b = [m.group().lower() for m in found]
    out = []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(a=a, b=b, autojunk=False).get_opcodes():
        if op != "replace" or found[j1].start() >= end:
            continue
        start = found[j1].start()
        shape = "phrase" if j2 - j1 > 1 else "single"
        if start in gaps:
            g = gaps[start]
            what = f"gap>={SWAP_GAP:g}" if g >= SWAP_GAP else ("gap 4-8" if g >= 4 else "gap<4")
        else:
            what = "probed, no single-token synonym" if start in probed else "unprobed"
        out.append((f"{shape} {what}", f"{' '.join(a[i1:i2])}->{' '.join(b[j1:j2])}"))
    return out


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--splits", default="dev,test")
    args = ap.parse_args(argv)
    splits = args.splits.split(",")
    scorer = LMScorer()
    scorer.load()
    cache = ScoreCache.for_scorer(scorer)
    records = [r for r in data.load_corpus() if r["split"] in splits]
    by_id = {r["id"]: r for r in data.load_corpus()}
    classes: collections.Counter = collections.Counter()
    examples: dict[str, list[str]] = collections.defaultdict(list)
    top3, swapped = collections.defaultdict(list), collections.defaultdict(list)
    for r in records:
        scores = cache.score_many(scorer, [r["text"]])[0]
        gaps = word_gaps(r["text"], scores)
        values = sorted((g for _, _, g, _ in gaps), reverse=True)
        top3[(r["split"], r["kind"])].append(float(np.mean(values[:3])) if values else 0.0)
        swapped[(r["split"], r["kind"])].append(any(v >= SWAP_GAP for v in values))
        original = by_id.get(r["group"])
        if r["kind"] != "spun" or original is None or len(scores) == 0:
            continue
        end = int(scores.offsets[-1][1])
        probed = {s for s, _, _, _ in synonyms.probes(r["text"], end)}
        for cls, ex in classify_swaps(original["text"], r["text"], {s: g for s, _, g, _ in gaps}, probed, end):
            classes[cls] += 1
            if len(examples[cls]) < 6:
                examples[cls].append(ex)
    total = sum(classes.values()) or 1
    print(f"Swaps in the first {scorer.max_tokens} LM tokens of spun {'+'.join(splits)} texts, against the originals\n")
    print("| class | swaps | share | examples |\n|---|---|---|---|")
    for cls, n in classes.most_common():
        print(f"| {cls} | {n} | {n / total:.1%} | {', '.join(examples[cls])} |")
    print("\n| split | synonym gap alone (top 3 mean), AUROC spun vs human kinds |\n|---|---|")
    for split in splits:
        human = [v for k in HUMAN_KINDS for v in top3[(split, k)]]
        spun = top3[(split, "spun")]
        y = np.array([0] * len(human) + [1] * len(spun))
        print(f"| {split} | {metrics.auroc(y, np.array(human + spun)):.4f} |")
    print("\n| split | kind | texts with a synonym_swap span |\n|---|---|---|")
    for (split, kind), hits in sorted(swapped.items()):
        print(f"| {split} | {kind} | {np.mean(hits):.1%} ({len(hits)}) |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
