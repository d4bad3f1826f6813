"""Short excerpts: 3-4 consecutive lines of a corpus record, the length of a quoted passage or a snippet.

Derived at load time from the dev and test records (never from train), deterministically (seeded by the
record id), so that thresholds can be chosen and checked per length band (:mod:`detector.bands`) on texts
of every kind that are short for the same reason real ones are: cut out of a longer text.

>>> r = {"id": "x", "split": "dev", "kind": "native", "label": "human", "group": "g", "source": "bbc",
...      "detail": {}, "text": "\\n".join(f"Line {i} has a few words in it." for i in range(8)), "words": 56}
>>> [e["id"] for e in excerpts([r])], excerpts([r])[0]["text"].count("\\n") + 1 in (3, 4)
(['x#excerpt'], True)
"""
from __future__ import annotations

from detector.text import word_count

from .rng import rng_for

LINES = (3, 4)  # an excerpt's consecutive lines
SPLITS = ("dev", "test")


def excerpt(record: dict) -> dict | None:
    """One excerpt of ``record``: 3 or 4 of its consecutive non-blank lines (None if it has no more lines
    than that: the whole text would not be an excerpt)."""
    rng = rng_for("excerpt", record["id"])
    sep = "\n\n" if "\n\n" in record["text"] else "\n"
    lines = [ln for ln in record["text"].split("\n") if ln.strip()]
    n = rng.choice(LINES)
    if len(lines) <= n:
        return None
    start = rng.randrange(len(lines) - n + 1)
    text = sep.join(lines[start:start + n])
    detail = dict(record.get("detail") or {}, excerpt={"of": record["id"], "start": start, "lines": n})
    return dict(record, id=f"{record['id']}#excerpt", text=text, words=word_count(text), detail=detail)


def excerpts(records: list[dict], splits: tuple[str, ...] = SPLITS) -> list[dict]:
    """An excerpt of every record of ``splits`` that has more lines than an excerpt takes."""
    out = (excerpt(r) for r in records if r["split"] in splits)
    return [e for e in out if e is not None]
