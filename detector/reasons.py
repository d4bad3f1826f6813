"""Reasons: what a verdict rests on, in one table that the CLI (``detect reasons``), the JSON, the HTML page
and the docs all read.

Every reason code has a plain-language title and a one-line description. An *evidence* reason names the
features whose values are its evidence; it is listed for a text only when one of them is **unusual for
human text**: above the bound the model stores in ``meta.json`` (``reason_bounds``: by default the 99th
percentile of the human texts of the dev split, with the full LM budget). So ordinary wording in a clean
article ("America", a rare-ish collocation, one surprising word) is never reported as an accusation. A
listed reason's ``strength`` is its contribution to the verdict: how far p_machine falls when its
features are set to a typical (median) training text's values; reasons are ranked by it. A *span* reason
points at characters; a *document* reason is a property of the whole text and says so (it has no spans).

Hygiene codes (scrape damage: not evidence of machine origin) and the gate's reasons are in the same
table, so every slug a user meets has a title.

>>> info("title_country_mismatch").title
'Office title from another country'
>>> info("language_de").title
'Not English (language: de)'
>>> unusual({"punct.detached_period.v1": 2.0}, {"punct.detached_period.v1": 0.0}, ("punct.detached_period.v1",))
('punct.detached_period.v1',)
"""
from __future__ import annotations

import math
from dataclasses import dataclass

from .errors import InputError
from .spans import Measured, Span

EVIDENCE, HYGIENE, GATE = "evidence", "hygiene", "gate"
SPAN, DOCUMENT = "span", "document"


@dataclass(frozen=True)
class ReasonInfo:
    """One row of the table: the code, who uses it, its title and description, and its evidence features."""

    code: str
    group: str  # evidence | hygiene | gate
    level: str  # span | document
    title: str
    description: str
    features: tuple[str, ...] = ()  # evidence reasons: the features whose values are the evidence


@dataclass(frozen=True)
class Reason:
    """A reason listed for one text: its code, its strength (p_machine points it adds), its spans (empty for
    a document-level reason) and the features whose values were unusual for human text."""

    code: str
    strength: float
    spans: tuple[Span, ...]
    features: tuple[str, ...]

    @property
    def info(self) -> ReasonInfo:
        return info(self.code)

    def as_dict(self, text: str | None = None) -> dict:
        i = self.info
        strength = None if math.isnan(self.strength) else round(self.strength, 4)  # NaN: not_english
        return {"code": self.code, "title": i.title, "level": i.level, "strength": strength,
                "spans": [s.as_dict(text) for s in self.spans], "features": list(self.features)}


def _e(code, level, title, description, *features) -> ReasonInfo:
    return ReasonInfo(code, EVIDENCE, level, title, description, tuple(features))


def _h(code, title, description) -> ReasonInfo:
    return ReasonInfo(code, HYGIENE, SPAN, title, description)


def _g(code, title, description) -> ReasonInfo:
    return ReasonInfo(code, GATE, DOCUMENT, title, description)


TABLE: tuple[ReasonInfo, ...] = (
    _e("stray_punctuation", SPAN, "Stray punctuation",
       "Punctuation cut off from its word or doubled (done.” , / said , that), as a round trip through "
       "another language leaves it.", "punct.space_before.v1", "punct.quote_then_mark.v1", "punct.repeated_mark.v1"),
    _e("detached_period", SPAN, "Period inside a sentence",
       "A full stop left in the middle of a sentence (Interfax. reported.), where a translation split or "
       "merged sentences.", "punct.detached_period.v1"),
    _e("quote_broken", SPAN, "Broken quotation",
       "A quotation that opens without closing, closes without opening or is split oddly: machine "
       "translation scrambles quotes.", "punct.quote_broken.v1"),
    _e("name_variant", SPAN, "Name spelled two ways",
       "The same person or place spelled differently in one text (a transliteration round trip).",
       "names.name_variant.v1"),
    _e("title_inconsistent", SPAN, "Office title changes",
       "One person given different office titles in the same text (Secretary of State, then Foreign "
       "Minister).", "names.title_inconsistent.v1"),
    _e("title_country_mismatch", SPAN, "Office title from another country",
       "A known official given another country's title for the office (Foreign Minister Antony Blinken "
       "for the US Secretary of State).", "names.title_country_mismatch.v1"),
    _e("tortured_phrase", SPAN, "Tortured phrase",
       "A known spinner substitute for a fixed phrase (counterfeit consciousness for artificial "
       "intelligence).", "lexical.tortured_phrase.v1"),
    _e("unidiomatic_phrase", SPAN, "Unidiomatic phrase",
       "A word-for-word rendering of an idiom or fixed expression, rare in native news.",
       "lexical.unidiomatic_phrase.v1"),
    _e("synonym_swap", SPAN, "Word swapped for a synonym",
       "A word the language model finds far less likely here than a common synonym of it, as an article "
       "spinner leaves.", "lm.synonym_gap_top3.v1"),
    _e("surprisal_spike", SPAN, "Surprising words",
       "Words the language model finds improbable in context, more of them than human news has.",
       "lm.spike_rate.v1"),
    _e("collocation_odd", SPAN, "Odd word pairing",
       "Word pairs the language model rarely sees together, more of them than human news has.",
       "lm.collocation_odd.v1"),
    _e("rare_synonym", DOCUMENT, "Rare synonyms throughout",
       "Many common words replaced by far rarer synonyms (hebdomad for week): the mark of a thesaurus "
       "spinner.", "lexical.rare_synonym.v1"),
    _e("machine_wording", DOCUMENT, "Wording typical of machine translation",
       "Word sequences that models trained on machine and human translations find typical of machine "
       "output.", "ngram.word_logit.v1", "ngram.mt_logit.v1"),
    _e("lm_machine_reading", DOCUMENT, "Reads like machine output to the language model",
       "The language model's internal reading of the text resembles its reading of machine-translated "
       "text.", "lm.hidden_logit.v1", "lm.mt_logit.v1"),
    _e("spin_pattern", DOCUMENT, "Article-spinner pattern",
       "Synonym swaps and surprising words together in the pattern an article spinner leaves.",
       "lm.spin_probability.v1"),
    _e("many_artifact_kinds", SPAN, "Several kinds of artifact",
       "Different kinds of artifact in one text (punctuation, names, titles, phrasing), which human news "
       "almost never combines; its spans are those artifacts, each with its own reason.",
       "evidence.kinds_hit.v1"),
    _e("not_english", DOCUMENT, "Not English",
       "The text is not English (or not in the Latin script); it was not scored."),
    _h("apostrophe_stripped", "Apostrophes stripped", "Apostrophes lost in scraping (dont, Russias)."),
    _h("glued_words", "Words glued together", "Spaces lost between words in scraping (talksMonday)."),
    _h("dash_stripped", "Dashes stripped", "Dashes lost in scraping, leaving words run together or doubled spaces."),
    _h("boilerplate", "Site boilerplate", "Navigation, share buttons or cookie notices scraped with the text."),
    _h("mojibake", "Garbled characters", "Characters decoded with the wrong encoding (â€™ for ’)."),
    _h("control_chars", "Control characters", "Invisible control characters in the text."),
    _g("machine_translated", "Rejected: machine-made", "The verdict is machine at the operating point in use."),
    _g("too_short", "Rejected: too short", "Under the model's minimum word count; no verdict is possible."),
    _g("missing_text", "Error: no text", "The record has no text field, or it is not a string."),
    _g("empty_text", "Error: empty text", "The text is empty or only whitespace."),
    _g("decode_error", "Error: not Unicode text", "The text could not be read as UTF-8 / Unicode."),
    _g("invalid_json", "Error: not a JSON object", "The input line is not valid JSON, or not an object."),
    _g("duplicate_key", "Error: a key given twice", "The record reads two ways (a key given twice)."),
    _g("field_conflict", "Error: already annotated", "The record already has a detector field."),
)
_BY_CODE = {r.code: r for r in TABLE}
assert len(_BY_CODE) == len(TABLE), "a reason code is in the table twice"


def info(code: str) -> ReasonInfo:
    """The table's row for ``code``; the language check's codes (``language_xx``, ``script_...``) are
    generated. An unknown code raises :class:`InputError` listing the known ones."""
    if code in _BY_CODE:
        return _BY_CODE[code]
    if code.startswith("language_"):
        return ReasonInfo(code, EVIDENCE, DOCUMENT, f"Not English (language: {code[9:]})",
                          f"The language check identified the text as {code[9:]}.")
    if code.startswith("script_"):
        return ReasonInfo(code, EVIDENCE, DOCUMENT, f"Not English ({code[7:].replace('_', ' ')} script)",
                          "Most letters are outside the Latin script.")
    raise InputError(f"unknown reason code {code!r}; known: {sorted(_BY_CODE)}")


def evidence_reasons() -> tuple[ReasonInfo, ...]:
    return tuple(r for r in TABLE if r.group == EVIDENCE and r.features)


def evidence_features() -> tuple[str, ...]:
    """Every feature some reason reads (the ones ``reason_bounds`` must cover)."""
    return tuple(dict.fromkeys(f for r in evidence_reasons() for f in r.features))


def unusual(values: dict[str, float], bounds: dict[str, float], features: tuple[str, ...]) -> tuple[str, ...]:
    """The features among ``features`` whose value is above its human bound (a feature with no value or
    no bound is never unusual)."""
    out = []
    for f in features:
        v, b = values.get(f, math.nan), bounds.get(f)
        if b is not None and v == v and v > b:
            out.append(f)
    return tuple(out)


def candidates(measured: dict[str, Measured], bounds: dict[str, float]) -> list[tuple[ReasonInfo, tuple[str, ...]]]:
    """The evidence reasons whose evidence is unusual for human text, each with its unusual features."""
    values = {n: m.value for n, m in measured.items()}
    out = []
    for r in evidence_reasons():
        hit = unusual(values, bounds, r.features)
        if hit:
            out.append((r, hit))
    return out


def spans_of(measured: dict[str, Measured], r: ReasonInfo, hit: tuple[str, ...]) -> tuple[Span, ...]:
    """The spans of reason ``r`` from its unusual features (none for a document-level reason). A derived
    feature (the evidence totals) points at the spans of the features it counts, each with its own reason."""
    from .features import registry

    if r.level == DOCUMENT:
        return ()
    out, reg = set(), registry()
    for f in hit:
        reads = reg[f].reads if f in reg else None
        if reads:
            out.update(s for n in reads() if n in measured for s in measured[n].spans)
        else:
            out.update(s for s in measured[f].spans if s.reason == r.code)
    return tuple(sorted(out))


def rank(found: list[Reason]) -> tuple[Reason, ...]:
    """Strongest first; equal strengths keep the table's order."""
    order = {r.code: i for i, r in enumerate(TABLE)}
    return tuple(sorted(found, key=lambda r: (-r.strength, order.get(r.code, len(order)))))


def explain(artifact, stage, measured: dict[str, Measured], floor: float = 0.0) -> tuple[Reason, ...]:
    """The reasons listed for one text decided by ``stage``: those whose evidence is unusual for human text
    (:func:`candidates`, over the features the deciding stage read), strongest first.

    Strength: p_machine before minus p_machine after setting the reason's features to their training
    medians (both through the stage's classifier and, at the final stage, the spin route), never below
    0. The spin route's reason gets what the route adds to the classifier (the noisy-OR); the evidence
    rule's reason gets, besides, what its floor adds (``floor``)."""
    import numpy as np

    from .cascade import final_combination, row
    from .submodels import SPIN

    SPIN_FEATURE = SPIN.feature
    rule = artifact.meta.get("evidence_rule") or {}
    used = set(stage.features) | ({SPIN_FEATURE} if stage.final else set())  # what the decision read
    found = candidates({n: m for n, m in measured.items() if n in used}, artifact.reason_bounds)
    if not found:
        return ()
    medians = artifact.meta.get("feature_medians", {})
    x = row(measured, stage.features)
    rows = [x]
    for r, hit in found:
        x2 = x.copy()
        for f in hit:
            if f in stage.features:
                x2[0, stage.features.index(f)] = medians.get(f, math.nan)
        rows.append(x2)
    X = np.vstack(rows)
    p_cls = np.clip(stage.predict_proba(X), 0.0, 1.0)  # one call for every variant
    p = final_combination(artifact, p_cls, X)[0] if stage.final else p_cls
    out = []
    for k, (r, hit) in enumerate(found, 1):
        push = float(p[0] - p[k])
        if SPIN_FEATURE in hit:
            push += float(p[0] - p_cls[0])
        if rule.get("feature") in hit:
            push += max(0.0, floor - float(p[0]))
        out.append(Reason(r.code, max(0.0, push), spans_of(measured, r, hit), hit))
    return rank(out)

