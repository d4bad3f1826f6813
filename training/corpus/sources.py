"""Raw documents from data/raw/: BBC, ABC, WSJ, WMT and HT-vs-MT (htmt), cut into paragraph units.

A :class:`Doc` holds *units*: the title/paragraphs of a native article, or the aligned segments of
a WMT document (so a machine translation and the human reference of one source stay parallel).
"""
from __future__ import annotations

import gzip
import json
import re
from dataclasses import dataclass, field
from pathlib import Path

import ftfy

MIN_WORDS = 40  # shorter documents are left out of the corpus
MAX_WORDS = 650  # longer ones are cut at a paragraph boundary
NEWS_DOMAINS = {"news", "text", "seattle", "test", "social", "ecommerce", "literary", "fukui", "hokkaido", "iwate",
                "saga", "sanyo", "shizuoka", "ube", "yaeyama", "yamagata"}
_QUOTES = str.maketrans({"“": '"', "”": '"', "„": '"', "«": '"', "»": '"', "‘": "'", "’": "'", "‚": "'",
                         "–": "-", "—": "-", "\u00a0": " ", "\u2009": " ", "…": "..."})
_SPACES = re.compile(r"[ \t]+")


@dataclass
class Doc:
    source: str  # bbc | abc | wsj | wmt
    group: str
    kind: str  # native | human_translation | mt | roundtrip
    label: str  # human | machine
    units: list[str]
    detail: dict = field(default_factory=dict)

    @property
    def words(self) -> int:
        return sum(len(u.split()) for u in self.units)


def canonical(text: str) -> str:
    """One typography for every source: straight quotes, hyphen dashes, single spaces."""
    text = ftfy.fix_text(text, normalization="NFC").translate(_QUOTES)
    text = re.sub(r"\s+-\s+|\s*--\s*", " - ", text)
    return _SPACES.sub(" ", text).strip()


def read_jsonl(path: Path):
    with gzip.open(path, "rt", encoding="utf-8") as f:
        for line in f:
            yield json.loads(line)


def clip(units: list[str], limit: int = MAX_WORDS) -> list[str]:
    out, n = [], 0
    for u in units:
        if out and n + len(u.split()) > limit:
            break
        out.append(u)
        n += len(u.split())
    return out


def _units_from_paragraphs(text: str) -> list[str]:
    parts = re.split(r"\n\s*\n", text) if "\n\n" in text else text.split("\n")
    return [c for c in (canonical(p.replace("\n", " ")) for p in parts) if c]


def native_docs(raw: Path) -> list[Doc]:
    docs = []
    for name in ("bbc", "abc", "wsj"):
        for r in read_jsonl(raw / f"{name}.jsonl.gz"):
            docs.append(Doc(name, f"{name}:{r['id']}", "native", "human", clip(_units_from_paragraphs(r["text"])),
                            {"topic": r.get("topic")}))
    return [d for d in docs if d.words >= MIN_WORDS]


def wmt_docs(raw: Path) -> list[Doc]:
    """Every WMT record as a Doc; segments stay one unit each so parallel records stay aligned."""
    docs = []
    for r in read_jsonl(raw / "wmt.jsonl.gz"):
        if r["domain"] not in NEWS_DOMAINS:
            continue
        pair = r["pair"]
        group = f"wmt:{r['year']}:{pair}:{r['doc_id']}"
        units = [canonical(s) for s in r["text"].split("\n") if s.strip()]
        kind, label = {"native_en": ("native", "human"), "human_ref": ("human_translation", "human"),
                       "mt": ("mt", "machine")}[r["label"]]
        detail = {"year": r["year"], "pair": pair, "domain": r["domain"], "system": r["system"]}
        if pair == "liv-en":
            group = f"wmt:{r['year']}:liv:{r['doc_id']}"  # English original and its round trip share a group
            if kind == "mt":
                kind, detail["pivot"] = "roundtrip", "liv"
        docs.append(Doc("wmt", group, kind, label, units, detail))
    return docs


HTMT_KINDS = {"native_en": ("native", "human"), "human_ref": ("human_translation", "human"),
              "mt": ("mt", "machine"), "mt_from_human_translation": ("roundtrip", "machine")}


def htmt_docs(raw: Path) -> list[Doc]:
    """The HT-vs-MT de-en documents (``htmt_deen.jsonl.gz``): each one line of sentences, cut here into its
    sentences (one unit each) so that the corpus lays it out as it lays out every other source. Versions of
    one document (human, DeepL, Google; an English original and its round trips) share a group."""
    from detector.text import sentences

    docs = []
    for r in read_jsonl(raw / "htmt_deen.jsonl.gz"):
        kind, label = HTMT_KINDS[r["label"]]
        text = canonical(r["text"])
        units = [s.text for s in sentences(text)] or [text]
        detail = {"year": r["year"], "pair": r["pair"], "domain": r["domain"], "system": r["system"]}
        if kind == "roundtrip":
            detail["pivot"] = "deu (human)"
        docs.append(Doc("htmt", f"htmt:{r['year']}:{r['origlang']}:{r['doc_id']}", kind, label, units, detail))
    return docs
