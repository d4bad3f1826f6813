"""Convert shared lexicons and corpora into the compact resources the detector ships.

Run from the project root (reads the raw material in ``data/raw``; writes ``detector/resources``)::

    .venv/bin/python -m training.lexicons

Outputs are deterministic (sorted rows, gzip with mtime 0), so rerunning on the same inputs gives the
same sha256, which ``data/MANIFEST-lexicons.md`` records.
"""
from __future__ import annotations

import argparse
import collections
import gzip
import hashlib
import io
import json
import re
from pathlib import Path
from typing import Iterable, Iterator

from detector.features.lexical import PhraseIndex, tokens

CLEAN_CORPORA = ("bbc", "abc", "wsj", "wmt")
CLEAN_WMT_LABELS = ("native_en", "human_ref")  # human English; "mt" records are not clean
MIN_WORD_COUNT = 3  # a corpus word enters the word list from this many occurrences
SYNONYM_MIN_LEN = 3  # single-word headwords shorter than this are too ambiguous to probe
PHRASE_MAX_WORDS = 3  # multiword headwords up to this many words
SYNONYM_MIN_COUNT = 10  # a synonym must be this common in the news corpora
MAX_NEWS_HITS = 0  # a tortured phrase seen in any news record (2.1 M words MT + 2.0 M human) is ordinary English
_ASCII_WORD = re.compile(r"[a-z]+(?:'[a-z]+)*")
_PAREN = re.compile(r"\s*\([^)]*\)")
_SIMPLE_PHRASE = re.compile(r"[a-z0-9']+(?:(?:\s+|-)[a-z0-9']+)+")
_YEAR = re.compile(r"\b(?:19|20)\d\d\b")
# Stripped contractions are scrape damage, never vocabulary (a few occur in WMT social text).
STRIPPED_CONTRACTIONS = frozenset(
    "dont doesnt didnt isnt wasnt werent arent couldnt wouldnt shouldnt hasnt havent hadnt "
    "theyre youre weve theyve youve thats whats theres heres shes whos aint mustnt neednt".split()
)


# Everyday English found among entries made only of the 2,000 commonest corpus words (reviewed by hand).
ORDINARY_ENGLISH = frozenset("""
actually occur|be that as it|border situation|call tree|community security|dark out|digital machines|
driving reason|education data|fresh set|green money|group head|higher income levels|higher pay levels|
image features|just go for it|low pay levels|making countries|network safety|on the off chance|
planning and testing|quality drive|question set|shared data|sound just|speech processing|unique mark|
worldwide inquiry""".replace("\n", "").split("|"))


def news_texts(corpora_dir: Path, clean_only: bool = True) -> Iterator[str]:
    """Texts of the news corpora: BBC, ABC, WSJ and WMT (native/reference English only if ``clean_only``)."""
    for name in CLEAN_CORPORA:
        with gzip.open(corpora_dir / f"{name}.jsonl.gz", "rt", encoding="utf-8") as fh:
            for line in fh:
                doc = json.loads(line)
                if name != "wmt" or not clean_only or doc.get("label") in CLEAN_WMT_LABELS:
                    yield doc["text"]


def count_words(texts: Iterable[str]) -> collections.Counter:
    """Lowercase ASCII word counts; possessive 's is stripped, other apostrophe forms are skipped."""
    counts: collections.Counter = collections.Counter()
    for text in texts:
        for word in _ASCII_WORD.findall(text.lower().replace("\u2019", "'")):
            if word.endswith("'s"):
                word = word[:-2]
            if "'" not in word:
                counts[word] += 1
    return counts


def wordnet_lemmas(wordnet_dir: Path, multiword: bool = False) -> set[str]:
    """Lemmas of WordNet's index files: single all-letter words, or (``multiword``) collocations."""
    out: set[str] = set()
    for pos in ("noun", "verb", "adj", "adv"):
        for line in (wordnet_dir / f"index.{pos}").read_text(encoding="utf-8").splitlines():
            lemma = line.split(" ", 1)[0]
            if line.startswith(" ") or not lemma.isascii():
                continue
            if multiword and ("_" in lemma or "-" in lemma):
                out.add(" ".join(tokens(lemma.replace("_", " "))))
            elif not multiword and lemma.isalpha():
                out.add(lemma)
    return out


def build_wordlist(counts: collections.Counter, lemmas: set[str]) -> list[tuple[str, int]]:
    """Corpus words seen >= MIN_WORD_COUNT times with their counts, plus WordNet lemmas (count 0 if unseen)."""
    words = {w: n for w, n in counts.items() if n >= MIN_WORD_COUNT}
    for lemma in lemmas:
        words.setdefault(lemma, counts.get(lemma, 0))
    return sorted((w, n) for w, n in words.items() if w not in STRIPPED_CONTRACTIONS and len(w) > 1)


def wordnet_synonyms(wordnet_dir: Path, counts: collections.Counter) -> list[tuple[str, str]]:
    """(headword, comma-joined synonyms) over all of a headword's WordNet senses.

    Headwords are all-letter lemmas of at least :data:`SYNONYM_MIN_LEN` letters, and multiword lemmas of
    up to :data:`PHRASE_MAX_WORDS` all-letter words ("ice chest", "motion picture show": a spinner puts
    these in place of one word); synonyms are single all-letter words seen at least
    :data:`SYNONYM_MIN_COUNT` times in the news corpora (the common word a thesaurus spinner replaces is
    what a language model would expect back)."""
    members: dict[str, list[str]] = {}
    for pos in ("noun", "verb", "adj", "adv"):
        for line in (wordnet_dir / f"data.{pos}").read_text(encoding="latin-1").splitlines():
            if line.startswith(" "):
                continue
            fields = line.split(" ")
            n = int(fields[3], 16)
            members[f"{pos}:{fields[0]}"] = [re.sub(r"\(.*\)$", "", fields[4 + 2 * i]) for i in range(n)]
    table: dict[str, set[str]] = collections.defaultdict(set)
    for pos in ("noun", "verb", "adj", "adv"):
        for line in (wordnet_dir / f"index.{pos}").read_text(encoding="latin-1").splitlines():
            fields = line.split()
            if line.startswith(" ") or not fields:
                continue
            lemma, n_synsets = fields[0], int(fields[2])
            parts = lemma.split("_")
            if not (lemma.isascii() and all(w.isalpha() for w in parts) and len(parts) <= PHRASE_MAX_WORDS
                    and (len(parts) > 1 or len(lemma) >= SYNONYM_MIN_LEN)):
                continue
            head = " ".join(parts)
            for offset in fields[len(fields) - n_synsets:]:
                for word in members.get(f"{pos}:{offset}", ()):
                    if (word != lemma and word.isascii() and word.isalpha() and word.islower()
                            and counts.get(word, 0) >= SYNONYM_MIN_COUNT):
                        table[head].add(word)
    return sorted((w, ",".join(sorted(s))) for w, s in table.items() if s)


def normalise_phrase(phrase: str) -> str | None:
    """Lowercased phrase without parenthesised acronyms; None when it is not a plain multi-word phrase."""
    phrase = _PAREN.sub("", phrase.lower().replace("\u2019", "'")).strip()
    phrase = re.sub(r"\s+", " ", phrase)
    if not _SIMPLE_PHRASE.fullmatch(phrase) or _YEAR.search(phrase):
        return None
    return phrase


def _is_collocation(phrase: str, collocations: set[str]) -> bool:
    """True when the phrase (or its singular) is a WordNet multi-word lemma: ordinary English."""
    flat = " ".join(tokens(phrase))
    return bool({flat, flat.removesuffix("s"), flat.removesuffix("es")} & collocations)


def convert_tortured(src: Path, texts: Iterable[str], collocations: set[str]) -> tuple[list[tuple[str, str]], dict]:
    """(tortured, correct) pairs fit for news: multi-word, plain, not English collocations, unseen in news."""
    entries = json.loads(gzip.decompress(src.read_bytes()).decode("utf-8"))["phrases"]
    pairs: dict[str, str] = {}
    for entry in entries:
        tortured = normalise_phrase(entry["tortured"])
        correct = " ".join(entry["correct"].split())
        if tortured and tortured != correct.lower():
            pairs.setdefault(tortured, correct)
    index = PhraseIndex(pairs)
    hits: collections.Counter = collections.Counter()
    for text in texts:
        hits.update(key for _, _, key in index.find(text))
    dropped = {
        "seen_in_news": sorted(t for t in pairs if hits[tuple(tokens(t))] > MAX_NEWS_HITS),
        "wordnet_collocation": sorted(t for t in pairs if _is_collocation(t, collocations)),
        "ordinary_english": sorted(t for t in pairs if t in ORDINARY_ENGLISH),
    }
    drop = set().union(*dropped.values())
    keep = sorted((t, c) for t, c in pairs.items() if t not in drop)
    stats = {"source_entries": len(entries), "plain_multiword": len(pairs), "kept": len(keep), "dropped": dropped}
    return keep, stats


def write_tsv_gz(path: Path, header: list[str], rows: Iterable[tuple]) -> str:
    """Write ``# header`` lines and tab-separated rows, gzip with mtime 0; return the file's sha256."""
    body = "".join(f"# {h}\n" for h in header) + "".join("\t".join(map(str, r)) + "\n" for r in rows)
    buf = io.BytesIO()
    with gzip.GzipFile(filename="", mode="wb", fileobj=buf, mtime=0, compresslevel=9) as gz:
        gz.write(body.encode("utf-8"))
    path.write_bytes(buf.getvalue())
    return sha256(path)


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


TORTURED_HEADER = [
    "Tortured phrases (tortured<TAB>correct), converted from the Problematic Paper Screener lexicon",
    "by Guillaume Cabanac, Cyril Labbe and Alexander Magazinov, licensed CC BY 4.0",
    "(https://creativecommons.org/licenses/by/4.0/). Changes: lowercased, parenthesised acronyms removed,",
    "single words, punctuated entries, WordNet collocations, everyday phrases and entries seen in",
    "news corpora dropped.",
    "Built by training/lexicons.py; see data/MANIFEST-lexicons.md.",
]
WORDS_HEADER = [
    "English word list (word<TAB>count): lowercase words seen >= 3 times in news corpora (BBC, ABC,",
    "WSJ, WMT native, reference and machine-translated English) with their counts, plus WordNet 3.0 lemmas",
    "(count 0 when unseen). WordNet 3.0 Copyright 2006 by Princeton University. All rights reserved.",
    "WordNet licence: https://wordnet.princeton.edu/license-and-commercial-use (provided AS IS).",
    "Built by training/lexicons.py; see data/MANIFEST-lexicons.md.",
]
SYNONYMS_HEADER = [
    "Thesaurus (headword<TAB>comma-separated synonyms) from all senses of WordNet 3.0 lemmas: words of 3+",
    "letters and phrases of 2-3 words;",
    "synonyms are single lowercase words seen >= 10 times in the news corpora (BBC, ABC, WSJ, WMT).",
    "WordNet 3.0 Copyright 2006 by Princeton University. All rights reserved.",
    "WordNet licence: https://wordnet.princeton.edu/license-and-commercial-use (provided AS IS).",
    "Built by training/lexicons.py; see data/MANIFEST-lexicons.md.",
]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--raw", type=Path, default=Path("data/raw"))
    parser.add_argument("--wordnet", type=Path, default=Path("/usr/share/wordnet"))
    parser.add_argument("--out", type=Path, default=Path("detector/resources"))
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    corpora = args.raw
    src = args.raw / "tortured-phrases.json.gz"
    collocations = wordnet_lemmas(args.wordnet, multiword=True)
    pairs, stats = convert_tortured(src, news_texts(corpora, clean_only=False), collocations)
    digest = write_tsv_gz(args.out / "tortured_phrases.tsv.gz", TORTURED_HEADER, pairs)
    print(f"tortured_phrases.tsv.gz {digest} source {sha256(src)}")
    print(json.dumps({k: v for k, v in stats.items() if k != "dropped"}))
    for reason, phrases in stats["dropped"].items():
        print(f"dropped {reason} ({len(phrases)}): {', '.join(phrases)}")
    counts = count_words(news_texts(corpora, clean_only=False))
    words = build_wordlist(counts, wordnet_lemmas(args.wordnet))
    digest = write_tsv_gz(args.out / "words.tsv.gz", WORDS_HEADER, words)
    print(f"words.tsv.gz {digest} entries {len(words)}")
    synonyms = wordnet_synonyms(args.wordnet, counts)
    digest = write_tsv_gz(args.out / "synonyms.tsv.gz", SYNONYMS_HEADER, synonyms)
    print(f"synonyms.tsv.gz {digest} entries {len(synonyms)}")
    for name in CLEAN_CORPORA:
        print(f"input {name}.jsonl.gz {sha256(corpora / f'{name}.jsonl.gz')}")


if __name__ == "__main__":
    main()
