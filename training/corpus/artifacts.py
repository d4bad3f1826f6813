"""Punctuation, quotation, title and name damage as seen in in-the-wild round trips (seeds 000, 003).

Apertium's rule-based output rarely shows the damage that neural round trips leave (``done." ,``,
``Interfax. reported.``, a quotation closed mid-sentence, office titles swapped, names respelt). A share
of the round-trip records get a few of these, so the classifier can learn that they mean "machine".
"""
from __future__ import annotations

import re

from .rng import rng_for

P_ARTIFACTS = 0.4  # share of Apertium round trips that also get in-the-wild damage
_SENT_LAST_WORD = re.compile(r"(?<=[a-z]) ([a-z]{3,})\.(?=\s|$)")
_QUOTE_END = re.compile(r'([.!?])"(?=\s*$)')
_COMMA = re.compile(r"(?<=\w), (?=\w)")
_PERIOD = re.compile(r"(?<=[a-z])\.(?= [A-Z])")
_QUOTED = re.compile(r'"(\w+(?: \w+){3,})')
_TITLES = (("Secretary of State", "Foreign Minister"), ("Foreign Minister", "Secretary of State"),
           ("Prime Minister", "President"), ("Chancellor", "Prime Minister"), ("spokesman", "representative"))
_SURNAME = re.compile(r"\b[A-Z][a-z]{5,}\b")


def detached_period(p: str, rng) -> str:
    """``agency Interfax reported.`` -> ``agency Interfax. reported.``"""
    spots = list(_SENT_LAST_WORD.finditer(p))
    if not spots:
        return p
    m = rng.choice(spots)
    return p[:m.start()] + ". " + m.group(1) + "." + p[m.end():]


def quote_then_comma(p: str, rng) -> str:
    return _QUOTE_END.sub(lambda m: m.group(1) + '" ,', p, count=1)


def space_before_comma(p: str, rng) -> str:
    spots = list(_COMMA.finditer(p))
    if not spots:
        return p
    m = rng.choice(spots)
    return p[:m.start()] + " , " + p[m.end():]


def double_period(p: str, rng) -> str:
    spots = list(_PERIOD.finditer(p))
    return p if not spots else p[:spots[-1].start()] + ". ." + p[spots[-1].end():]


def quote_closed_early(p: str, rng) -> str:
    """Close a quotation after a few words and capitalise what follows."""
    m = _QUOTED.search(p)
    if not m:
        return p
    words = m.group(1).split(" ")
    cut = rng.randint(2, len(words) - 1)
    head, tail = " ".join(words[:cut]), " ".join(words[cut:])
    return p[:m.start()] + '"' + head + '." ' + tail[:1].upper() + tail[1:] + p[m.end():]


PARAGRAPH_DAMAGE = (detached_period, quote_then_comma, space_before_comma, double_period, quote_closed_early)


def swap_title(paras: list[str], rng) -> list[str]:
    """Give one titled mention a different office title (the person keeps the other mentions)."""
    for old, new in _TITLES:
        hits = [(i, m.start()) for i, p in enumerate(paras) for m in re.finditer(re.escape(old) + r" [A-Z]", p)]
        if hits:
            i, at = rng.choice(hits)
            paras = list(paras)
            paras[i] = paras[i][:at] + new + paras[i][at + len(old):]
            return paras
    return paras


def respell_name(paras: list[str], rng) -> list[str]:
    """Respell one later mention of a repeated surname (Baerbock -> Berbock)."""
    text = "\n".join(paras)
    names = sorted({w for w in _SURNAME.findall(text) if text.count(w) >= 2})
    if not names:
        return paras
    name = rng.choice(names)
    vowels = [i for i, c in enumerate(name) if c in "aeiou" and i > 1]
    if not vowels:
        return paras
    k = rng.choice(vowels)
    variant = name[:k] + name[k + 1:]
    last = max(i for i, p in enumerate(paras) if name in p)
    paras = list(paras)
    paras[last] = paras[last].replace(name, variant, 1)
    return paras


def _apply(k: int, paras: list[str], rng) -> list[str]:
    if k >= len(PARAGRAPH_DAMAGE):
        return (swap_title, respell_name)[k - len(PARAGRAPH_DAMAGE)](paras, rng)
    for i in rng.sample(range(len(paras)), min(3, len(paras))):
        changed = PARAGRAPH_DAMAGE[k](paras[i], rng)
        if changed != paras[i]:
            return paras[:i] + [changed] + paras[i + 1:]
    return paras


def inject(paras: list[str], key: str) -> tuple[list[str], list[str]]:
    """Apply 2-4 kinds of damage where they fit; returns the paragraphs and the kinds applied."""
    rng = rng_for("artifacts", key)
    names = [f.__name__ for f in PARAGRAPH_DAMAGE] + ["swap_title", "respell_name"]
    want, out, applied = rng.randint(2, 4), list(paras), []
    for k in rng.sample(range(len(names)), len(names)):
        changed = _apply(k, out, rng)
        if changed != out:
            out, applied = changed, applied + [names[k]]
        if len(applied) >= want:
            break
    return out, applied
