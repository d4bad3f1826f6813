"""How :func:`detector.compare.compare` scales: seconds and peak memory on 500- to 5,000-sentence pairs.

The original is bundled corpus articles (``native`` records of ``data/corpus`` that have a ``roundtrip``
or ``spun`` version), one after another until it holds N alignable sentences; the suspect is those
articles' round-trip or spun versions in the same order, one sentence a line, with about 2% of the
sentences dropped, 2% added from other articles and 1% swapped with their neighbour. Each size runs in
a fresh process, after a tiny comparison that does the imports, so its peak resident memory is its
own: ``peak MiB`` is the process's, ``+MiB`` what the comparison added to it (``seconds`` is wall
time, ``cpu s`` the process's CPU time: the same on an idle machine). ``found`` is the share of the suspect's sentences
from a derived version that land in a pair inside their own article.

    python -m training.compare_scale                                # 500, 1,000, 2,000, 5,000 sentences
    python -m training.compare_scale --sizes 20000 --json reports/compare_scale.json
    python -m training.compare_scale --exhaustive --sizes 500 1000  # every original sentence a candidate
"""
from __future__ import annotations

import argparse
import bisect
import json
import random
import resource
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass
from pathlib import Path

from detector.compare import align as align_module
from detector.compare import compare
from detector.compare.align import units
from training.data import load_corpus

SIZES = (500, 1_000, 2_000, 5_000)
DROP, ADD, SWAP = 0.02, 0.02, 0.01  # per suspect sentence: dropped, followed by an added one, swapped
SPARE_ARTICLES = 40  # articles without a derived version that the added sentences come from
WARM_UP = "Talks ended on Monday. Officials said so."


@dataclass
class ScalePair:
    suspect: str
    original: str
    # per suspect line: the index of the article it came from (-1: added from elsewhere)
    article_of_line: list[int]
    # per article: its [start, end) character span in the original
    article_spans: list[tuple[int, int]]


def _alignable(text: str) -> list[str]:
    """The sentences of ``text`` that take part in alignment, as strings (one unit each)."""
    return [text[u.start:u.end] for u in units(text)]


def build_pair(n_sentences: int, seed: int = 0, records: list[dict] | None = None) -> ScalePair:
    """An original of ``n_sentences`` alignable sentences from corpus articles and a suspect derived from it."""
    records = load_corpus() if records is None else records
    by_id = {r["id"]: r for r in records}
    children: dict[str, list[dict]] = {}
    for r in records:
        if r["kind"] in ("roundtrip", "spun") and r.get("original_id") in by_id:
            children.setdefault(r["original_id"], []).append(r)
    rng = random.Random(seed)
    originals = sorted(children)
    rng.shuffle(originals)
    others = sorted((r for r in records if r["kind"] == "native" and r["id"] not in children), key=lambda r: r["id"])
    spare = [s for r in rng.sample(others, min(SPARE_ARTICLES, len(others))) for s in _alignable(r["text"])]
    o_parts, s_lines, article_of_line, spans, total, pos = [], [], [], [], 0, 0
    for k, oid in enumerate(originals):
        if total >= n_sentences:
            break
        o_sents = _alignable(by_id[oid]["text"])
        d_sents = _alignable(rng.choice(sorted(children[oid], key=lambda r: r["id"]))["text"])
        if total + len(o_sents) > n_sentences:  # the last article: its first sentences, and as many derived
            keep = n_sentences - total
            d_sents = d_sents[:max(1, round(keep * len(d_sents) / len(o_sents)))]
            o_sents = o_sents[:keep]
        text = "\n".join(o_sents)
        o_parts.append(text)
        spans.append((pos, pos + len(text)))
        pos += len(text) + 2
        total += len(o_sents)
        for line in _perturbed(d_sents, spare, rng):
            s_lines.append(line[1])
            article_of_line.append(k if line[0] else -1)
    return ScalePair("\n".join(s_lines), "\n\n".join(o_parts), article_of_line, spans)


def _perturbed(sents: list[str], spare: list[str], rng: random.Random) -> list[tuple[bool, str]]:
    """(derived?, sentence) with sentences dropped, added from ``spare`` and swapped with the next."""
    out: list[tuple[bool, str]] = []
    for s in sents:
        if rng.random() >= DROP:
            out.append((True, s))
        if rng.random() < ADD:
            out.append((False, rng.choice(spare)))
    for i in range(len(out) - 1):
        if rng.random() < SWAP:
            out[i], out[i + 1] = out[i + 1], out[i]
    return out


def _exhaustive(s_units, o_units):
    """Every candidate for every suspect sentence: the all-pairs search that the index replaced."""
    everything = list(range(2 * len(o_units) - 1))
    return [everything for _ in s_units]


def measure(pair: ScalePair, exhaustive: bool = False) -> dict:
    """Time :func:`compare` on ``pair`` (lexical similarity, no model) in this process, after a warm-up."""
    if exhaustive:
        align_module.retrieve = _exhaustive
    compare(WARM_UP, WARM_UP)  # imports (scikit-learn: about a second and 100 MiB, once per process)
    rss_before = _rss_mib()
    started, cpu = time.perf_counter(), time.process_time()
    c = compare(pair.suspect, pair.original, embeddings=False)
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {"search": "exhaustive" if exhaustive else "index", "suspect_sentences": len(units(pair.suspect)),
            "original_chars": len(pair.original), "suspect_chars": len(pair.suspect), "seconds": round(seconds, 2),
            "cpu_seconds": round(cpu, 2), "peak_rss_mib": round(peak), "rss_before_mib": round(rss_before),
            "verdict": c.verdict, "share_aligned": round(c.share_aligned, 4), "coverage": round(c.coverage, 4),
            "pairs": len(c.pairs), "derived_found": round(derived_found(pair, c), 4)}


def derived_found(pair: ScalePair, comparison) -> float:
    """Share of derived suspect sentences inside a pair whose original span lies in their own article."""
    line_starts, at = [], 0
    for line in pair.suspect.split("\n"):
        line_starts.append(at)
        at += len(line) + 1
    found = set()
    for p in comparison.pairs:
        first, last = (bisect.bisect_right(line_starts, x) - 1 for x in (p.suspect[0], p.suspect[1] - 1))
        for line in range(first, last + 1):
            k = pair.article_of_line[line]
            if k >= 0 and pair.article_spans[k][0] <= p.original[0] and p.original[1] <= pair.article_spans[k][1]:
                found.add(line)
    derived = sum(1 for k in pair.article_of_line if k >= 0)
    return len(found) / derived if derived else float("nan")


def _rss_mib() -> float:
    with open("/proc/self/status", encoding="ascii") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", type=int, nargs="+", default=list(SIZES), help="original sentences per run")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--exhaustive", action="store_true", help="score every original sentence (the old search)")
    ap.add_argument("--one", type=Path, help=argparse.SUPPRESS)  # a worker: the pair in this JSON file
    ap.add_argument("--json", type=Path, help="also write the rows here")
    args = ap.parse_args(argv)
    if args.one:
        print(json.dumps(measure(ScalePair(**json.loads(args.one.read_text())), args.exhaustive)))
        return
    records, rows = load_corpus(), []
    print(f"{'sentences':>9}{'suspect':>9}{'chars':>10}{'search':>11}{'seconds':>9}{'cpu s':>8}{'peak MiB':>10}"
          f"{'+MiB':>6}{'verdict':>9}{'share':>7}{'cover':>7}{'found':>7}")
    with tempfile.TemporaryDirectory() as tmp:
        for n in args.sizes:
            path = Path(tmp) / f"pair-{n}.json"
            path.write_text(json.dumps(asdict(build_pair(n, args.seed, records))))
            cmd = [sys.executable, "-m", "training.compare_scale", "--one", str(path)]
            out = subprocess.run(cmd + (["--exhaustive"] if args.exhaustive else []), check=True,
                                 capture_output=True, text=True).stdout
            r = {"sentences": n, **json.loads(out.splitlines()[-1])}
            rows.append(r)
            print(f"{n:>9,}{r['suspect_sentences']:>9,}{r['original_chars']:>10,}{r['search']:>11}"
                  f"{r['seconds']:>9.2f}{r['cpu_seconds']:>8.2f}{r['peak_rss_mib']:>10,}"
                  f"{r['peak_rss_mib'] - r['rss_before_mib']:>6,}{r['verdict']:>9}{r['share_aligned']:>7.3f}"
                  f"{r['coverage']:>7.3f}{r['derived_found']:>7.3f}", flush=True)
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(rows, indent=2))


if __name__ == "__main__":
    main()
