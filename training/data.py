"""Reading labelled records: the committed corpus (data/corpus/) or a user's own JSONL file."""
from __future__ import annotations

import gzip
import json
from pathlib import Path

from detector.errors import InputError

CORPUS = Path("data/corpus")
SPLITS = ("train", "dev", "test")


def load_corpus(root: Path = CORPUS, splits=SPLITS) -> list[dict]:
    out = []
    for split in splits:
        path = Path(root) / f"{split}.jsonl.gz"
        with gzip.open(path, "rt", encoding="utf-8") as f:
            out.extend(json.loads(line) for line in f)
    return out


def load_user_jsonl(path: Path) -> list[dict]:
    """A user's JSONL with at least ``text`` and ``label`` (machine|human); optional group/split/kind."""
    from training.corpus.build import split_of

    rows = []
    opener = gzip.open if str(path).endswith(".gz") else open
    with opener(path, "rt", encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            if not line.strip():
                continue
            try:
                r = json.loads(line)
            except json.JSONDecodeError as e:
                raise InputError(f"{path}:{n}: invalid JSON ({e.msg}); expected one object per line") from e
            if not isinstance(r.get("text"), str) or r.get("label") not in ("machine", "human"):
                raise InputError(f"{path}:{n}: needs a string 'text' and 'label' machine|human")
            group = str(r.get("group", r.get("id", n)))
            rows.append({"id": str(r.get("id", n)), "group": group, "split": r.get("split") or split_of(group),
                         "label": r["label"], "kind": r.get("kind", "user"), "source": r.get("source", "user"),
                         "detail": r.get("detail", {}), "text": r["text"]})
    return rows
