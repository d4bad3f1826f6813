"""Shared test inputs: THE loader of the golden cases (``tests/cases/*.jsonl``: ``{id, text, label, note,
expect}``), the seed articles, and the edge inputs every feature test runs."""
import json
from pathlib import Path

CASES = Path(__file__).parent / "cases"


def cases(*names: str) -> list[dict]:
    """Every record of ``tests/cases/<name>.jsonl`` for each name, in file order."""
    return [json.loads(line) for name in names
            for line in (CASES / f"{name}.jsonl").read_text(encoding="utf-8").splitlines() if line.strip()]


def texts(name: str) -> dict[str, str]:
    """``{id: text}`` of one case file."""
    return {c["id"]: c["text"] for c in cases(name)}


SEEDS = {c["id"]: c for c in cases("seeds")}


def edge_texts(clean: str, emoji: str = "Talks ended 👍🏽 👨\u200d👩\u200d👧") -> dict[str, str]:
    """"", whitespace, one word, non-Latin scripts, emoji and a very long text built from ``clean``."""
    return {"empty": "", "whitespace": "   \n\t ", "one_word": "one", "cyrillic": "Переговоры закончились.",
            "chinese": "日内瓦会谈周一结束，双方没有达成协议。", "emoji": emoji, "very_long": clean * 500}
