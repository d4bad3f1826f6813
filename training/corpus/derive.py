"""Derived versions of native documents: round trips, spins, scrape damage; plus hygiene noise."""
from __future__ import annotations

from pathlib import Path

from . import artifacts, roundtrip, scrape, spinner
from .rng import unit

P_ROUNDTRIP, P_SPUN, P_SCRAPE = 0.85, 0.45, 0.45  # chance a native document gets each derived version
P_NOISE = 0.12  # records of any kind that get boilerplate lines (hygiene noise, not a label cue)
P_MOJIBAKE = 0.05  # records of any kind rendered with mojibake
P_SCRAPED_MACHINE = 0.08  # machine records also scrape-damaged, so damage never implies "human"


def roundtrips(natives: list[dict], log) -> list[dict]:
    """Round-trip the chosen natives, Spanish for half of them and Catalan for the rest."""
    out = []
    for pivot in roundtrip.PIVOTS:
        todo = [r for r in natives if unit("rt", r["group"]) < P_ROUNDTRIP
                and (unit("pivot", r["group"]) < 0.5) == (pivot == "spa")]
        log(f"round trip via {pivot}: {len(todo)} documents")
        for r, paras in zip(todo, roundtrip.round_trip_many([r["paragraphs"] for r in todo], pivot)):
            if len(paras) != len(r["paragraphs"]) or not all(p.strip() for p in paras):
                continue  # Apertium lost a paragraph: the structure would no longer match the original
            detail = {"pivot": pivot, "generator": "apertium"}
            if unit("artifacts", r["group"]) < artifacts.P_ARTIFACTS:
                paras, detail["artifacts"] = artifacts.inject(paras, r["group"])
            out.append(derived(r, "roundtrip", "machine", paras, detail))
    return out


def spins(natives: list[dict], lexicon: Path) -> list[dict]:
    out = []
    for r in natives:
        if unit("spun", r["group"]) >= P_SPUN:
            continue
        rate = spinner.RATES[int(unit("rate", r["group"]) * len(spinner.RATES))]
        paras = [spinner.spin(p, rate, f"{r['group']}:{i}", lexicon) for i, p in enumerate(r["paragraphs"])]
        out.append(derived(r, "spun", "machine", paras, {"generator": "wordnet+tortured", "rate": rate}))
    return out


def scraped(natives: list[dict]) -> list[dict]:
    out = []
    for r in natives:
        if unit("scrape", r["group"]) >= P_SCRAPE:
            continue
        paras, done = scrape.damage(r["paragraphs"], r["group"])
        out.append(derived(r, "scrape_damaged", "human", paras, {"generator": "scrape", **done}))
    return out


def derived(orig: dict, kind: str, label: str, paras: list[str], detail: dict) -> dict:
    suffix = detail.get("pivot") or detail.get("rate") or ""
    return dict(orig, id=f"{orig['group']}#{kind}{':' if suffix else ''}{suffix}", kind=kind, label=label,
                paragraphs=paras, detail=dict(orig["detail"], **detail), original_id=orig["id"])


def add_noise(record: dict) -> dict:
    """Hygiene noise on any kind: boilerplate lines, and scrape damage on a few machine records."""
    rid, paras, detail = record["id"], record["paragraphs"], dict(record["detail"])
    if record["label"] == "machine" and unit("scraped", rid) < P_SCRAPED_MACHINE:
        paras, done = scrape.damage(paras, rid)
        detail["scraped"] = True
    elif record["kind"] != "scrape_damaged" and unit("noise", rid) < P_NOISE:
        paras = scrape.add_boilerplate(paras, rid)
        detail["boilerplate"] = True
    if unit("mojibake", rid) < P_MOJIBAKE:
        detail["mojibake"] = True
    return dict(record, paragraphs=paras, detail=detail)
