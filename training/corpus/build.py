"""Assemble data/corpus/: select documents, derive round trips, spins and scrape damage, split, write.

Run as ``python -m training.corpus.build`` (``make data``). Deterministic: every random choice is
seeded by a document or record key, and files are written as sorted, mtime-free gzip.
"""
from __future__ import annotations

import argparse
import gzip
import hashlib
import json
import sys
from pathlib import Path

from detector.text import word_count

from . import derive, layout, roundtrip, scrape
from .rng import unit
from .sources import MAX_WORDS, MIN_WORDS, Doc, clip, htmt_docs, native_docs, wmt_docs

QUOTA = {"bbc": 700, "abc": 620, "wsj": 184}  # natives drawn per clean source
MT_PER_DOC = 2  # MT systems kept per WMT source document
HOLDOUT_LANGUAGE = "is"  # every is-en record is test-only: the "never seen language" figure
HOLDOUT_SYSTEM = "Online-Y"  # never in train: the "never seen system" figure
MIN_EDIT_RATE = 0.05  # derived versions closer than this to their original are dropped
SPLITS = (("test", 0.2), ("dev", 0.15), ("train", 1.0))


def split_of(group: str) -> str:
    u = unit("split", group)
    acc = 0.0
    for name, share in SPLITS:
        acc += share
        if u < acc:
            return name
    return "train"


def edit_rate(a: str, b: str) -> float:
    """Share of word positions that differ (via difflib opcodes over words)."""
    import difflib

    wa, wb = a.split(), b.split()
    sm = difflib.SequenceMatcher(a=wa, b=wb, autojunk=False)
    same = sum(size for _, _, size in sm.get_matching_blocks())
    return 1 - same / max(len(wa), len(wb), 1)


def native_paragraphs(doc: Doc) -> list[str]:
    """Title alone, then the body re-cut into paragraphs of 1-3 sentences (seeded by group)."""
    body = [s for para in layout.split_sentences(doc.units[1:]) for s in para]
    return doc.units[:1] + layout.regroup(body, layout.paragraph_plan(doc.group, len(body), first_alone=False))


def select_natives(raw: Path) -> list[Doc]:
    natives = native_docs(raw)
    picked = []
    for source, quota in QUOTA.items():
        pool = sorted((d for d in natives if d.source == source), key=lambda d: unit("pick", d.group))
        picked.extend(pool[:quota])
    return picked


def wmt_records(raw: Path) -> list[dict]:
    """Content-matched WMT groups: references, natives, MT outputs and liv round trips."""
    out = []
    for group, docs in _wmt_groups(raw):
        anchor = next((d for d in docs if d.label == "human"), None)
        if anchor is None:
            continue
        n_units = len(clip(anchor.units))
        plan = layout.paragraph_plan(group, n_units)
        split = split_of(group)
        lang = anchor.detail["pair"].split("-")[0]
        if lang == HOLDOUT_LANGUAGE and anchor.kind == "human_translation":
            split = "test"
        for d in _choose_wmt(docs, group, split):
            paras = layout.regroup(d.units[:n_units], plan)
            if word_count(" ".join(paras)) < MIN_WORDS:
                continue
            holdout = ("language" if lang == HOLDOUT_LANGUAGE and d.kind != "native" else
                       "system" if d.detail.get("system") == HOLDOUT_SYSTEM else None)
            out.append(_record(d.source, group, split, d.kind, d.label, d.detail, paras,
                               f"{group}#{d.kind}:{d.detail['system']}", holdout))
    return out


def htmt_records(raw: Path) -> list[dict]:
    """Every HT-vs-MT record (:func:`htmt_docs`): the versions of one document split together and share a
    paragraph plan, so their layout is drawn exactly as for any other source."""
    out = []
    for d in htmt_docs(raw):
        units = clip(d.units)
        paras = layout.regroup(units, layout.paragraph_plan(d.group, len(units)))
        rid = f"{d.group}#{d.kind}:{d.detail['system']}"
        out.append(_record(d.source, d.group, split_of(d.group), d.kind, d.label, d.detail, paras, rid))
    return out


def _choose_wmt(docs: list[Doc], group: str, split: str) -> list[Doc]:
    humans = [d for d in docs if d.label == "human"][:1]
    machines = sorted((d for d in docs if d.kind == "mt"), key=lambda d: unit("system", group, d.detail["system"]))
    if split == "train":
        machines = [d for d in machines if d.detail["system"] != HOLDOUT_SYSTEM]
    chosen = machines[:MT_PER_DOC]
    held = [d for d in machines if d.detail["system"] == HOLDOUT_SYSTEM and d not in chosen]
    loops = [d for d in docs if d.kind == "roundtrip"][:1]
    return humans + chosen + held[:1] + loops


def translation_extra(raw: Path, corpus: list[dict]) -> list[dict]:
    """Train-only extra records for the translation n-gram model (detector.submodels.ngram): in every train WMT
    group with a human reference, each MT system's output and each further reference that the corpus
    leaves out (``MT_PER_DOC`` keeps two systems per document), rendered as corpus records are. The
    never-seen system and language stay out, as they do from train, and no text repeats one of ``corpus``.
    About 4,260 MT and 140 human records (session 14)."""
    corpus_ids, seen, out = {r["id"] for r in corpus}, {r["text"] for r in corpus}, []
    for group, docs in _wmt_groups(raw):
        anchor = next((d for d in docs if d.label == "human"), None)
        if (anchor is None or anchor.kind != "human_translation" or split_of(group) != "train"
                or anchor.detail["pair"].split("-")[0] == HOLDOUT_LANGUAGE):
            continue
        n_units = len(clip(anchor.units))
        plan = layout.paragraph_plan(group, n_units)
        for i, d in enumerate(docs):
            if d.kind not in ("mt", "human_translation") or d.detail.get("system") == HOLDOUT_SYSTEM:
                continue
            rid = f"{group}#{d.kind}:{d.detail['system']}"
            if d.kind == "human_translation" and d is not anchor:
                rid += f"#{i}"  # a further reference: its system field may repeat the anchor's
            paras = layout.regroup(d.units[:n_units], plan)
            if rid in corpus_ids or word_count(" ".join(paras)) < MIN_WORDS:
                continue
            r = finish(_record(d.source, group, "train", d.kind, d.label, dict(d.detail, extra=True), paras, rid))
            if r["text"] not in seen:
                seen.add(r["text"])
                out.append(r)
    return out


def _wmt_groups(raw: Path) -> list[tuple[str, list[Doc]]]:
    """WMT documents by group (one source document), in group order."""
    by_group: dict[str, list[Doc]] = {}
    for d in wmt_docs(raw):
        by_group.setdefault(d.group, []).append(d)
    return sorted(by_group.items())


def _record(source, group, split, kind, label, detail, paras, rid, holdout=None) -> dict:
    return {"id": rid, "group": group, "split": split, "label": label, "kind": kind, "source": source,
            "detail": dict(detail, holdout=holdout), "paragraphs": paras}


def native_records(raw: Path) -> list[dict]:
    out = []
    for d in select_natives(raw):
        out.append(_record(d.source, d.group, split_of(d.group), "native", "human", d.detail,
                           native_paragraphs(d), d.group))
    return out


def finish(record: dict) -> dict:
    """Render a record's paragraphs into its text in a record-seeded layout."""
    record = derive.add_noise(record)
    text, style = layout.render(record.pop("paragraphs"), record["id"])
    if record["detail"].get("mojibake"):
        text = scrape.mojibake(text)
    record["detail"]["layout"] = style
    record["text"] = text
    record["words"] = word_count(text)
    return record


def build(raw: Path, log) -> list[dict]:
    natives = native_records(raw)
    log(f"natives: {len(natives)}")
    derived = derive.roundtrips(natives, log) + derive.spins(natives, raw / "tortured-phrases.json.gz")
    derived += derive.scraped(natives)
    kept = [r for r in derived if r["kind"] == "scrape_damaged" or edit_rate(
        " ".join(r["paragraphs"]), " ".join(next(n for n in natives if n["id"] == r["original_id"])["paragraphs"])
    ) >= MIN_EDIT_RATE]
    log(f"derived: {len(kept)} kept of {len(derived)} (edit rate >= {MIN_EDIT_RATE})")
    records = natives + kept + wmt_records(raw) + htmt_records(raw)
    seen, unique = set(), []
    for r in sorted((finish(r) for r in records), key=lambda r: r["id"]):
        digest = hashlib.sha256(r["text"].encode()).hexdigest()
        if digest not in seen and r["words"] >= MIN_WORDS:
            seen.add(digest)
            unique.append(r)
    return unique


def write(records: list[dict], out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    for split in ("train", "dev", "test"):
        rows = [r for r in records if r["split"] == split]
        with open(out / f"{split}.jsonl.gz", "wb") as raw_f:
            with gzip.GzipFile(filename="", mode="wb", fileobj=raw_f, mtime=0, compresslevel=9) as f:
                for r in rows:
                    f.write((json.dumps(r, ensure_ascii=False, sort_keys=True) + "\n").encode("utf-8"))


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description="Build data/corpus/ from data/raw/.")
    ap.add_argument("--raw", type=Path, default=Path("data/raw"))
    ap.add_argument("--out", type=Path, default=Path("data/corpus"))
    args = ap.parse_args(argv)
    log = lambda msg: print(msg, file=sys.stderr)  # noqa: E731
    try:
        records = build(args.raw, log)
    except (roundtrip.ApertiumMissing, FileNotFoundError) as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    write(records, args.out)
    from .manifest import write_manifest

    write_manifest(args.raw, args.out, records)
    log(f"wrote {len(records)} records to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
