"""data/corpus/MANIFEST.md: sources with licences and hashes, counts per kind x label x split."""
from __future__ import annotations

import hashlib
from collections import Counter
from pathlib import Path

SOURCES = {
    "wmt.jsonl.gz": ("WMT 2021/2022 general/news test sets (document level) and WMT 2024 English sources",
                     "test sets of the WMT shared tasks; research use; no licence file in the source repositories"),
    "bbc.jsonl.gz": ("BBC News 2004-05 (Greene & Cunningham dataset)", "copyright BBC; research use"),
    "abc.jsonl.gz": ("ABC (Australia) rural and science news 2006 (NLTK data package)", "as distributed with NLTK data"),
    "wsj.jsonl.gz": ("Wall Street Journal sample (Penn Treebank raw, NLTK data package)", "LDC sample, non-commercial"),
    "htmt_deen.jsonl.gz": ("HT-vs-MT de-en (van der Werff, van Noord & Toral, EAMT 2022, experiment 11): German news "
                           "2008-2019 translated into English by professionals (WMT references), DeepL-2021 and "
                           "Google-2021; English originals and their round trips through a human German "
                           "translation and back by DeepL/Google",
                           "code MIT; texts from the WMT news test sets, research use"),
    "tortured-phrases.json.gz": ("Problematic Paper Screener tortured phrases (Cabanac, Labbé & Magazinov)",
                                 "CC BY 4.0 (attribution required)"),
}
GENERATORS = ("Apertium eng-spa/eng-cat round trips (Debian apertium, GPL tools; output text is derived data); "
              "WordNet 3.0 synonyms (Debian wordnet-base, WordNet licence) for the spinner.")


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def count_table(records: list[dict]) -> list[str]:
    docs = Counter((r["kind"], r["label"], r["split"]) for r in records)
    words = Counter()
    for r in records:
        words[(r["kind"], r["label"], r["split"])] += r["words"]
    lines = ["| kind | label | train | dev | test | total | words |", "|---|---|---|---|---|---|---|"]
    for kind, label in sorted({(k, lab) for k, lab, _ in docs}):
        row = [docs[(kind, label, s)] for s in ("train", "dev", "test")]
        w = sum(words[(kind, label, s)] for s in ("train", "dev", "test"))
        lines.append(f"| {kind} | {label} | {row[0]} | {row[1]} | {row[2]} | {sum(row)} | {w:,} |")
    groups = Counter(split for split in {(r["group"], r["split"]) for r in records} for split in [split[1]])
    total = sum(groups.values())
    lines.append("")
    lines.append("Groups per split: " + ", ".join(f"{s} {groups[s]} ({100 * groups[s] / total:.1f}%)"
                                                   for s in ("train", "dev", "test")))
    held = Counter(r["detail"].get("holdout") for r in records if r["detail"].get("holdout"))
    lines.append("Never-seen records (not in train): " + ", ".join(f"{k} {v}" for k, v in sorted(held.items())))
    return lines


def write_manifest(raw: Path, out: Path, records: list[dict]) -> None:
    lines = ["# data/corpus manifest", "", "Built by `make data` (training/corpus/build.py) from data/raw/.", "",
             "## Sources", "", "| file | what | licence / terms | sha256 |", "|---|---|---|---|"]
    for name, (what, licence) in SOURCES.items():
        lines.append(f"| data/raw/{name} | {what} | {licence} | `{sha256(raw / name)}` |")
    lines += ["", f"Generators: {GENERATORS}", "", "## Files", "", "| file | records | sha256 |", "|---|---|---|"]
    for split in ("train", "dev", "test"):
        path = out / f"{split}.jsonl.gz"
        n = sum(1 for r in records if r["split"] == split)
        lines.append(f"| data/corpus/{split}.jsonl.gz | {n} | `{sha256(path)}` |")
    lines += ["", "## Counts (documents per kind x label x split)", ""] + count_table(records) + [""]
    (out / "MANIFEST.md").write_text("\n".join(lines), encoding="utf-8")
