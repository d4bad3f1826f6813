"""Generators the corpus never uses: does the detector generalise past its own machine kinds?

``--n`` native articles of one split (``test`` by default: their documents are in no training record)
are rewritten two ways the corpus never uses, and the same articles the ways it does, for comparison:

- **Round trips** with Apertium through every pivot: the two the corpus uses (Spanish, Catalan) and three
  it never does, Galician (``en-gl``), Esperanto (``en-eo``) and Serbo-Croatian (``eng-hbs``). Each is made
  as the corpus makes round trips (the in-the-wild artifacts injected into the same share of documents,
  ``artifacts.P_ARTIFACTS``) and plain (the pivot's own damage only).
- **Spins** by the corpus spinner with its WordNet thesaurus, and by the same spinner drawing synonyms from
  another thesaurus: Aiksaurus, built on the Moby thesaurus (Debian ``aiksaurus``, GPL data read here
  only). The detector's own probes come from WordNet, so this is the spinner the caveat in the README
  worries about. Rates as in the corpus (15/30/50%, chosen per document).

Each set is scored by the full model, as ``make eval`` scores the corpus, and ranked against every human
record of the split. Writes ``docs/eval/unseen_generators.md``.

    make unseen-eval      # installs apertium-en-gl, apertium-eo-en, apertium-hbs-eng and aiksaurus if missing
"""
from __future__ import annotations

import argparse
import re
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np

from detector import artifact as M
from detector.text import lines
from training import data, metrics
from training.corpus import artifacts, roundtrip, spinner
from training.corpus.rng import unit
from training.evaluate import detector_for, shown_path, split_scores, write_report

SPLIT_TAG = "unseen-eval"  # the split name the generated records are scored under
LEXICON = Path("data/raw/tortured-phrases.json.gz")  # the corpus spinner's tortured phrases (its half)
THESAURI = ("wordnet", "moby")
SEEN = {"spa", "cat", "wordnet"}
_HEAD = re.compile(r"^=== .* =+$")


def paragraphs(text: str) -> list[str]:
    """A corpus text's paragraphs: its non-blank lines (the layouts separate paragraphs by one or two
    newlines, and never break a line inside one).

    >>> paragraphs("First one.\\n\\nSecond one.\\nThird.\\n")
    ['First one.', 'Second one.', 'Third.']
    """
    return [line.text.strip() for line in lines(text)]


def join(paras: list[str], like: str) -> str:
    """Paragraphs joined the way the original text ``like`` separates them."""
    return ("\n\n" if re.search(r"\n\s*\n", like) else "\n").join(paras)


def originals(records: list[dict], split: str, n: int) -> list[dict]:
    """``n`` native records of ``split``, chosen by a stable hash of their group (the same on every run)."""
    natives = [r for r in records if r["split"] == split and r["kind"] == "native"]
    return sorted(natives, key=lambda r: unit("pivot-eval", r["group"]))[:n]  # key kept: the same articles as before


def _record(orig: dict, kind: str, tag: str, paras: list[str], detail: dict) -> dict:
    return {"id": f"{orig['id']}#{SPLIT_TAG}:{tag}", "group": orig["group"], "kind": kind, "label": "machine",
            "split": SPLIT_TAG, "text": join(paras, orig["text"]), "detail": detail}


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
        out.append(_record(r, "roundtrip", f"{pivot}:{int(inject)}", got, detail))
    return out


def parse_aiksaurus(output: str, word: str, senses: int = spinner.MAX_SENSES) -> tuple[str, ...]:
    """Synonyms of ``word`` from ``aiksaurus word`` output: its first ``senses`` meanings, filtered as the
    WordNet table is (ASCII, lowercase, not the word itself).

    >>> parse_aiksaurus("=== shop ===\\nmart, store, shop\\n\\n=== trust ===\\ncartel\\n\\n=== x ===\\nfoo\\n", "shop")
    ('cartel', 'mart', 'store')
    >>> parse_aiksaurus("*** No synonyms known. ***\\n", "zzz")
    ()
    """
    blocks, current = [], None
    for line in output.splitlines():
        if _HEAD.match(line.strip()):
            current = []
            blocks.append(current)
        elif current is not None and line.strip():
            current += [w.strip() for w in line.split(",")]
    words = {w for b in blocks[:senses] for w in b}
    return tuple(sorted(w for w in words if w and w != word and w.isascii() and w == w.lower()))


def moby_table(texts: list[str]) -> dict[str, tuple[str, ...]]:
    """Aiksaurus synonyms for every word of ``texts`` the spinner could swap."""
    words = {w for t in texts for w in spinner._WORD.findall(t) if w not in spinner._STOP}
    table = {}
    for w in sorted(words):
        out = subprocess.run(["aiksaurus", w], capture_output=True, text=True).stdout
        if syns := parse_aiksaurus(out, w):
            table[w] = syns
    return table


def spins(chosen: list[dict], thesaurus: str, lexicon: Path = LEXICON) -> list[dict]:
    """Spun records made from ``chosen`` by the corpus spinner with ``thesaurus`` (wordnet or moby), each at
    the rate the corpus would pick for its document."""
    table = moby_table([r["text"] for r in chosen]) if thesaurus == "moby" else None
    out = []
    for r in chosen:
        rate = spinner.RATES[int(unit("rate", r["group"]) * len(spinner.RATES))]
        paras = [spinner.spin(p, rate, f"{r['group']}:{i}", lexicon, table) for i, p in enumerate(paragraphs(r["text"]))]
        out.append(_record(r, "spun", f"{thesaurus}:{rate}", paras, {"thesaurus": thesaurus, "rate": rate}))
    return out


def missing_tools() -> list[str]:
    """Debian packages this check needs that are not installed."""
    need = [roundtrip.PACKAGES[p] for p in [*roundtrip.PIVOTS, *roundtrip.EVAL_PIVOTS] if not roundtrip.available(p)]
    if shutil.which("aiksaurus") is None:
        need.append("aiksaurus")
    if not (spinner.WORDNET_DIR / "index.noun").exists():
        need.append("wordnet-base")
    return need


def _row(cells: list) -> str:
    return "| " + " | ".join(str(c) for c in cells) + " |"


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--model", type=Path, default=None)
    ap.add_argument("--split", default="test")
    ap.add_argument("--n", type=int, default=90, help="native articles rewritten by each generator")
    ap.add_argument("--fpr", type=float, default=0.01)
    ap.add_argument("--out", type=Path, default=Path("docs/eval/unseen_generators.md"))
    args = ap.parse_args(argv)
    try:
        artifact = M.load(args.model)
        if need := missing_tools():
            raise RuntimeError("missing Debian packages; run: apt-get install apertium " + " ".join(need))
        if not LEXICON.exists():
            raise RuntimeError(f"{LEXICON} not found; run from the project root")
    except Exception as e:  # noqa: BLE001 - one line for the user
        print(f"error: {e}", file=sys.stderr)
        return 2
    records = data.load_corpus()
    chosen = originals(records, args.split, args.n)
    humans = [dict(r, split=SPLIT_TAG) for r in records if r["split"] == args.split and r["label"] == "human"]
    made = {("roundtrip", p, inject): round_trips(chosen, p, inject)
            for p in [*roundtrip.PIVOTS, *roundtrip.EVAL_PIVOTS] for inject in (True, False)}
    made.update({("spun", t, None): spins(chosen, t) for t in THESAURI})
    pool = humans + [r for rs in made.values() for r in rs]
    scored = split_scores(detector_for(args.model, fpr=args.fpr), pool, SPLIT_TAG)
    p, y = scored.scores, scored.y
    ids = {r["id"]: i for i, r in enumerate(pool)}
    threshold = artifact.threshold(args.fpr)
    human = y == 0

    def cells(rs: list[dict]) -> list:
        sel = np.zeros(len(pool), bool)
        sel[[ids[r["id"]] for r in rs]] = True
        a = metrics.auroc(y[sel | human], p[sel | human])
        return [int(sel.sum()), "-" if a is None else f"{a:.4f}", f"{np.mean(p[sel] >= threshold):.3f}"]

    lines = ["# Generators never seen in training", "",
             f"Model: {shown_path(artifact.path)}. The same {len(chosen)} native `{args.split}` articles rewritten by each "
             f"generator, ranked against the {int(human.sum())} human records of `{args.split}` "
             f"(`make unseen-eval`). TPR at the stored threshold {threshold:.4f} (target FPR {args.fpr:g}); the "
             f"FPR of those human records at it is {np.mean(p[human] >= threshold):.4f}.", "",
             "## Round trips (Apertium)", "",
             "| pivot | in training | injected artifacts | n | AUROC vs human | TPR |", "|---|---|---|---|---|---|"]
    for (kind, piv, inject), rs in made.items():
        if kind == "roundtrip":
            lines.append(_row([piv, "yes" if piv in SEEN else "**no**",
                               f"as the corpus ({artifacts.P_ARTIFACTS:.0%} of documents)" if inject else "none",
                               *cells(rs)]))
    lines += ["", "## Spins (the corpus spinner, by thesaurus)", "",
              "| thesaurus | in training | rate | n | AUROC vs human | TPR |", "|---|---|---|---|---|---|"]
    for (kind, thesaurus, _), rs in made.items():
        if kind == "spun":
            seen = "yes" if thesaurus in SEEN else "**no**"
            lines.append(_row([thesaurus, seen, "all", *cells(rs)]))
            for rate in spinner.RATES:
                lines.append(_row([thesaurus, seen, f"{rate:.0%}", *cells([r for r in rs if r["detail"]["rate"] == rate])]))
    write_report(args.out, lines)
    return 0


if __name__ == "__main__":
    sys.exit(main())
