"""Fluent MT the way it will be met: leave one MT system (or one language pair) out of training, test on it.

For each held-out unit, every train and dev record of the unit is removed (MT outputs of a system; for a
language pair, its MT outputs and human translations), a model is trained on the rest with
:func:`training.train.run` (the same fitting code as ``make train``, without the cascade's early exits),
and the unit's test MT is ranked against the test human translations (of the same pair for a pair) by
that model's full-budget :class:`detector.Detector`. The model trained on everything is scored on the same
texts for comparison. ``make eval`` prints the table (``training.evaluate``); ``python -m
training.experiments.holdouts`` writes ``docs/eval/holdouts.md``.
"""
from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

import numpy as np

from training import data, metrics

SYSTEMS = {  # held-out system units: what each is
    "DeepL-2021": "DeepL (HT-vs-MT, de-en)",
    "Google-2021": "Google Translate (HT-vs-MT, de-en)",
    "WMT online": "WMT's anonymised online systems (Online-A/B/G/W; Online-Y is never in train anyway)",
    "WMT submissions": "every research team's WMT submission",
}
PAIRS = ("de-en", "ja-en", "ru-en", "uk-en")  # is-en is test-only already (the never-seen language)


def unit_of(record: dict, unit: str) -> bool:
    """Does ``record`` belong to the held-out ``unit`` (a key of :data:`SYSTEMS` or a pair)?"""
    d = dict(record.get("detail") or {})
    if unit in PAIRS:
        return record["kind"] in ("mt", "human_translation") and d.get("pair") == unit
    if record["kind"] != "mt":
        return False
    online = str(d.get("system", "")).startswith("Online-")
    if unit == "WMT online":
        return record["source"] == "wmt" and online
    if unit == "WMT submissions":
        return record["source"] == "wmt" and not online
    return d.get("system") == unit


def without(records: list[dict], unit: str) -> list[dict]:
    """The records a model held out from ``unit`` may learn from (and choose thresholds on)."""
    return [r for r in records if r["split"] == "test" or not unit_of(r, unit)]


def test_rows(records: list[dict], unit: str) -> list[dict]:
    """The unit's test MT and the human translations it is ranked against."""
    pair = unit if unit in PAIRS else None
    return [r for r in records if r["split"] == "test" and (
        (r["kind"] == "mt" and unit_of(r, unit)) or
        (r["kind"] == "human_translation" and (pair is None or r["detail"].get("pair") == pair)))]


def auroc_on(model_dir, rows: list[dict], scorer) -> float | None:
    from detector import Detector

    det = Detector(model_dir, scorer=scorer, cascade=False)
    p = np.nan_to_num([s.p_machine for s in det.score_many([r["text"] for r in rows])], nan=0.0)
    return metrics.auroc(np.array([r["kind"] == "mt" for r in rows], dtype=int), p)


def run(records: list[dict], extra: list[dict], units: list[str], log, model_dir=None,
        features: list[str] | None = None) -> list[tuple]:
    """Rows of (unit, test MT, test human translations, AUROC of the model trained on everything, AUROC
    held out). ``features``: the registered features the held-out models read (default: all)."""
    from detector.lm import LMScorer
    from training import train
    from training.cache import CachedScorer

    scorer = LMScorer(max_tokens=train.MAX_TOKENS)
    cached = CachedScorer(scorer)
    out = []
    for unit in units:
        rows = test_rows(records, unit)
        n_mt = sum(r["kind"] == "mt" for r in rows)
        kept = without(records, unit)
        log(f"held out {unit}: {len(records) - len(kept)} train/dev records removed; {n_mt} test MT")
        with tempfile.TemporaryDirectory() as tmp:
            train.run(kept, Path(tmp) / "model", scorer, "gbm", log,
                      translation_extra=[r for r in extra if not unit_of(r, unit)], cascade=False,
                      features=features)
            held = auroc_on(Path(tmp) / "model", rows, cached)
        out.append((unit, n_mt, len(rows) - n_mt, auroc_on(model_dir, rows, cached), held))
    return out


def section(rows: list[tuple]) -> list[str]:
    lines = ["## Held-out MT systems and language pairs (test split)", "",
             "Each unit's train and dev records were removed and a model trained on the rest (`make train`'s "
             "fitting, no early exits); its test MT ranked against test human translations (of the same pair "
             "for a pair), full LM budget. *All data*: the shipped model on the same texts.", "",
             "| held out | test MT | test human translations | AUROC, all data | AUROC, held out |",
             "|---|---|---|---|---|"]
    for unit, n_mt, n_ht, a_all, a_held in rows:
        what = SYSTEMS[unit] if unit in SYSTEMS else f"language pair {unit}"
        lines.append(f"| {unit}: {what} | {n_mt} | {n_ht} | {_f(a_all)} | {_f(a_held)} |")
    return lines + [""]


def _f(x) -> str:
    return "-" if x is None else f"{x:.4f}"


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description="Leave-one-system-out and leave-one-language-pair-out evaluation.")
    ap.add_argument("--units", nargs="*", default=[*SYSTEMS, *PAIRS])
    ap.add_argument("--model", type=Path, default=None, help="the model trained on everything (default: shipped)")
    ap.add_argument("--out", type=Path, default=Path("docs/eval/holdouts.md"))
    args = ap.parse_args(argv)
    log = lambda m: print(m, file=sys.stderr, flush=True)  # noqa: E731
    records = data.load_corpus()
    rows = run(records, data.bundled_translation_extra(records, log), args.units, log, args.model)
    from training.evaluate import write_report

    write_report(args.out, ["# Held-out systems and language pairs", ""] + section(rows))
    return 0


if __name__ == "__main__":
    sys.exit(main())
