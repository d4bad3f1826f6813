"""Shared test inputs: the golden seed articles and the edge inputs every feature test runs."""
import json
from pathlib import Path

SEEDS = {c["id"]: c for c in map(json.loads, (Path(__file__).parent / "cases" / "seeds.jsonl").open(encoding="utf-8"))}


def edge_texts(clean: str, emoji: str = "Talks ended 👍🏽 👨\u200d👩\u200d👧") -> dict[str, str]:
    """"", whitespace, one word, non-Latin scripts, emoji and a very long text built from ``clean``."""
    return {"empty": "", "whitespace": "   \n\t ", "one_word": "one", "cyrillic": "Переговоры закончились.",
            "chinese": "日内瓦会谈周一结束，双方没有达成协议。", "emoji": emoji, "very_long": clean * 500}
