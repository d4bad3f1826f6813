"""Reading labelled records: the committed corpus (data/corpus/) or a user's own JSONL file."""
from __future__ import annotations

import gzip
import json
from pathlib import Path

from detector.errors import InputError

CORPUS = Path("data/corpus")
SPLITS = ("train", "dev", "test")


MODES = ("replace", "add")  # make train DATA=... MODE=: the user's records alone, or added to the corpus
USER_PREFIX = "user:"  # added to a user record's id and group when it joins the corpus (MODE=add)


def load_corpus(root: Path = CORPUS, splits=SPLITS) -> list[dict]:
    out = []
    for split in splits:
        path = Path(root) / f"{split}.jsonl.gz"
        with gzip.open(path, "rt", encoding="utf-8") as f:
            out.extend(json.loads(line) for line in f)
    return out


def load_user_jsonl(path: Path) -> list[dict]:
    """A user's JSONL with at least ``text`` and ``label`` (machine|human); optional id/group/split/kind/source.

    ``group`` defaults to ``id``, else the line number; ``split`` (train|dev|test) to one derived from the
    group (:func:`training.corpus.build.split_of`: 20% test, 15% dev, the rest train)."""
    from training.corpus.build import split_of

    rows, seen = [], {}
    opener = gzip.open if str(path).endswith(".gz") else open
    with opener(path, "rt", encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            if not line.strip():
                continue
            try:
                r = json.loads(line)
            except json.JSONDecodeError as e:
                raise InputError(f"{path}:{n}: invalid JSON ({e.msg}); expected one object per line") from e
            if not isinstance(r, dict) or not isinstance(r.get("text"), str) or r.get("label") not in ("machine", "human"):
                raise InputError(f"{path}:{n}: needs a string 'text' and 'label' machine|human")
            if r.get("split") not in (None, *SPLITS):
                raise InputError(f"{path}:{n}: 'split' is {r['split']!r}; expected one of {', '.join(SPLITS)} or none")
            rid, group = str(r.get("id", n)), str(r.get("group", r.get("id", n)))
            if rid in seen:
                raise InputError(f"{path}:{n}: id {rid!r} repeats line {seen[rid]}'s; every record needs its own id")
            seen[rid] = n
            rows.append({"id": rid, "group": group, "split": r.get("split") or split_of(group),
                         "label": r["label"], "kind": r.get("kind", "user"), "source": r.get("source", "user"),
                         "detail": r.get("detail", {}), "text": r["text"]})
    return rows


def combine(corpus: list[dict], user: list[dict], mode: str) -> list[dict]:
    """The records ``make train`` fits on: the user's alone (``replace``), or the bundled corpus's and the
    user's (``add``). Added records keep their split and get :data:`USER_PREFIX` before their id and group,
    so that no user document shares a group (a split, a cross-validation fold) with a corpus one; a user
    record whose text the corpus already holds is left out (it could sit in another split).

    >>> corpus = [{"id": "a", "group": "g", "split": "train", "text": "x"}]
    >>> user = [{"id": "a", "group": "g", "split": "test", "text": "y"}, {"id": "b", "group": "h", "split": "dev", "text": "x"}]
    >>> [(r["id"], r["group"], r["split"]) for r in combine(corpus, user, "add")]
    [('a', 'g', 'train'), ('user:a', 'user:g', 'test')]
    >>> combine(corpus, user, "replace") == user
    True
    """
    if mode not in MODES:
        raise InputError(f"unknown mode {mode!r}; expected one of {', '.join(MODES)}")
    if mode == "replace":
        return list(user)
    texts = {r["text"] for r in corpus}
    added = [dict(r, id=USER_PREFIX + r["id"], group=USER_PREFIX + r["group"]) for r in user if r["text"] not in texts]
    return list(corpus) + added


def load_training(path: Path | None, mode: str = "replace") -> tuple[list[dict], list[dict]]:
    """What ``make train DATA=path MODE=mode`` reads: (the records to fit on, the user's records as read).
    Without ``path``, the bundled corpus (and no user records)."""
    if mode not in MODES:
        raise InputError(f"unknown mode {mode!r}; expected one of {', '.join(MODES)}")
    if path is None:
        if mode == "add":
            raise InputError("MODE=add adds DATA to the bundled corpus; give DATA=your.jsonl too")
        return load_corpus(CORPUS), []
    user = load_user_jsonl(path)
    if mode == "replace":
        return combine([], user, mode), user
    if not (CORPUS / "train.jsonl.gz").is_file():
        raise InputError(f"MODE=add needs the bundled corpus, {CORPUS}/, which is not here: run from a checkout "
                         "of the repository (make data builds it) or use MODE=replace")
    return combine(load_corpus(CORPUS), user, mode), user


def bundled_translation_extra(corpus: list[dict], log) -> list[dict]:
    """The bundled corpus's extra train records for the translation n-gram model, built from data/raw/
    (none when data/raw/wmt.jsonl.gz is absent)."""
    from training.corpus.build import translation_extra

    raw = Path("data/raw")
    if not (raw / "wmt.jsonl.gz").is_file():
        log("  no data/raw/wmt.jsonl.gz: the translation n-gram model learns from the corpus alone")
        return []
    extra = translation_extra(raw, corpus)
    log(f"  {len(extra)} extra train mt/human_translation records (every WMT system) for the translation n-gram model")
    return extra


def log_added(records: list[dict], user: list[dict], log) -> None:
    """Say what MODE=add trains on: the corpus's records, the user's, and the user's left out."""
    added = sum(r["id"].startswith(USER_PREFIX) for r in records)
    log(f"  {len(records) - added} corpus records and {added} of {len(user)} of yours"
        + (f" ({len(user) - added} repeat a corpus text: left out)" if added < len(user) else ""))
