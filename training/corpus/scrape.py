"""Scrape damage, as careless scrapers inflict it on human text (seed 001 is the model).

Apostrophes, quotation marks and dashes stripped; words glued where link markup was removed;
mojibake (UTF-8 read as cp1252); boilerplate lines around the article. Human text stays human.
"""
from __future__ import annotations

import re

from .rng import rng_for

BOILERPLATE_TOP = ("Navigation", "Skip to content", "Menu", "Home | News | World", "Share this article",
                   "Join our Telegram channel and get important news uncensored!", "Advertisement", "•",
                   "Listen to this article", "Subscribe to our newsletter")
BOILERPLATE_BOTTOM = ("Leave a Comment", "Related Articles", "Share on Facebook Share on Twitter",
                      "Click here to subscribe", "Copyright 2022. All rights reserved.", "Read more:",
                      "Download our app for breaking news", "Tags: world, politics", "Advertisement")
_APOSTROPHE = re.compile(r"(?<=\w)['’](?=\w)")
_QUOTES = re.compile(r"[\"“”‘’]|(?<!\w)'|'(?!\w)")
_DASH = re.compile(r" [-–—] ")
_GLUE = re.compile(r"(?<=[a-z]) (?=[A-Za-z]{3,})")


def strip_marks(text: str) -> str:
    text = _APOSTROPHE.sub("", text)
    text = _QUOTES.sub("", text)
    return _DASH.sub("  ", text)


def glue_words(text: str, key: str, n: int) -> str:
    """Remove the space at ``n`` random word boundaries, as when link markup is dropped."""
    spots = [m.start() for m in _GLUE.finditer(text)]
    chosen = set(rng_for("glue", key).sample(spots, min(n, len(spots))))
    return "".join(ch for i, ch in enumerate(text) if i not in chosen)


def mojibake(text: str) -> str:
    """Typographic characters encoded as UTF-8 and read back as cp1252."""
    return re.sub(r"[’‘“”–—…é]", lambda m: m.group().encode("utf-8").decode("cp1252", errors="replace"), text)


def add_boilerplate(paragraphs: list[str], key: str) -> list[str]:
    rng = rng_for("boilerplate", key)
    top = rng.sample(BOILERPLATE_TOP, rng.randint(0, 2))
    bottom = rng.sample(BOILERPLATE_BOTTOM, rng.randint(1, 2))
    return top + paragraphs + bottom


def damage(paragraphs: list[str], key: str) -> tuple[list[str], dict]:
    """Apply a seeded mix of scrape damage; returns the damaged paragraphs and what was done."""
    rng = rng_for("scrape", key)
    done = {"strip_marks": rng.random() < 0.8, "glue": rng.randint(0, 4), "boilerplate": rng.random() < 0.5}
    if done["strip_marks"] or done["glue"] == 0:
        done["strip_marks"] = True
    out = [strip_marks(p) if done["strip_marks"] else p for p in paragraphs]
    if done["glue"]:
        per_para = [glue_words(p, f"{key}:{i}", 1) if rng.random() < done["glue"] / max(1, len(out)) * 2 else p
                    for i, p in enumerate(out)]
        out = per_para
    if done["boilerplate"]:
        out = add_boilerplate(out, key)
    return out, done
