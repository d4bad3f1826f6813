"""Check the language check (``detector/language.py``) on the corpus and on Apertium translations.

English side: every corpus record (all splits; the check has no parameters fitted on them) must stay
English. Foreign side: ``--n`` native test-split articles translated with Apertium into Spanish and
Catalan must all be called not English. Needs ``apertium`` (``make data`` installs it).

    python -m training.experiments.language_eval
"""
from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
from collections import Counter

from detector.language import check
from training import data


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=40, help="native test articles per target language")
    args = ap.parse_args(argv)
    records = data.load_corpus()
    wrong = [(r["split"], r["kind"], r["id"]) for r in records if (lang := check(r["text"])) and not lang.english]
    print(f"English corpus records called not English: {len(wrong)} of {len(records)} (all splits)")
    for w in wrong[:20]:
        print("  ", *w)
    if shutil.which("apertium") is None:
        print("apertium is missing: skipped the translated side (make data installs it)", file=sys.stderr)
        return 1 if wrong else 0
    native = [r for r in records if r["split"] == "test" and r["kind"] == "native"][: args.n]
    missed = 0
    for pair in ("eng-spa", "eng-cat"):
        outcomes = Counter()
        for r in native:
            out = subprocess.run(["apertium", "-u", pair], input=r["text"], capture_output=True, text=True,
                                 check=True).stdout
            lang = check(out)
            outcomes["not English" if lang and not lang.english else "English or undecided"] += 1
        missed += outcomes["English or undecided"]
        print(f"Apertium {pair} translations of {len(native)} native test articles: {dict(outcomes)}")
    return 1 if wrong or missed else 0


if __name__ == "__main__":
    sys.exit(main())
