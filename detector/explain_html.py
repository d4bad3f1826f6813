"""The explanation page (``detect explain --html``), written for an editor rather than for the model's authors.

It says the verdict and the confidence in words; lists the reasons by their titles (:mod:`detector.reasons`),
strongest first, each numbered, with its description and links to every place it points at; marks those
places in the text with a visible number (it survives print and screenshots; nothing is hover-only); lists
the sentences that hold the evidence; shows scrape damage apart, as damage; and says whether the language
model was read for the verdict and how far. Shading every token by its LM rank is for experts: off by
default, a checkbox turns it on.

>>> page = explain_page("Talks ended , then .", None, None)
>>> "<b>" in explain_page("<b>", None, None), 'id="lm-toggle"' in page
(False, True)
"""
from __future__ import annotations

import html
import math

from .html_pages import RANK_BUCKETS, Mark, page, render, token_marks

PALETTE = 6  # reason colours; the 7th reason reuses the 1st


def explain_page(text: str, score, token_scores, title: str = "detector explain") -> str:
    """The page for one text, its :class:`~detector.api.Score` and its token scores (either may be None)."""
    from .reasons import info

    reasons = score.explanation if score is not None else ()
    marks = token_marks(token_scores)
    numbers: dict = {}  # (start, end) -> the numbers of the reasons that point at it, and their span codes
    for n, r in enumerate(reasons, 1):
        for sp in r.spans:
            ns, codes = numbers.setdefault((sp.start, sp.end), ([], []))
            ns.append(n) if n not in ns else None
            codes.append(sp.reason) if sp.reason not in codes else None
    for k, ((start, end), (ns, codes)) in enumerate(sorted(numbers.items())):
        colour = str((ns[-1] - 1) % PALETTE + 1)  # the most specific reason's colour (the last listed)
        marks.append(Mark(start, start, 0, "anchor", (("id", f"place-{k}"),)))
        marks.append(Mark(start, end, 0, "span", (("data-reason", codes[0]), ("data-c", colour),
                                                  ("title", "; ".join(info(c).title for c in codes)))))
        marks.append(Mark(end, end, 0, "tag", (("data-n", ",".join(map(str, ns))), ("data-c", colour))))
    for sp in score.hygiene_spans if score is not None else ():
        marks.append(Mark(sp.start, sp.end, 1, "hyg", (("data-reason", sp.reason), ("title", _title(sp.reason)))))
    for k, s in enumerate(score.sentences if score is not None else ()):
        marks.append(Mark(s.start, s.start, 0, "anchor", (("id", f"sentence-{k}"),)))
    places = {where: k for k, where in enumerate(sorted(numbers))}
    body = (f"{_headline(score)}<main><div class=\"text\">{render(text, marks)}</div></main>"
            f"<aside>{_reasons(reasons, places)}{_sentences(text, score)}{_hygiene(score)}"
            f"{_expert(score, token_scores)}</aside>")
    return page(title, body, _CSS, _JS)


def _title(code: str) -> str:
    from .reasons import info

    try:
        return info(code).title
    except Exception:  # a code from a newer model: show the slug
        return code


def verdict_words(score) -> tuple[str, str]:
    """(headline, the confidence in a sentence) for a score."""
    if score is None:
        return "Not scored", ""
    if score.verdict == "not_english":
        return "Not English", "The text is not English, so it was not scored."
    pct = lambda p: f"{100 * p:.1f}%"  # noqa: E731
    p, t = score.p_machine, score.threshold
    if score.verdict == "too_short":
        return "Too short to judge", f"{score.words} words: too few for a verdict (the model's estimate, " \
                                     f"{pct(p)}, is not meaningful)."
    chance = f"The model puts the chance that this text is machine-made at {pct(p)}"
    if score.verdict == "machine":
        strength = "very likely" if p >= max(t, 0.99) else "likely"
        return f"Machine-made ({strength})", f"{chance}; texts from {pct(t)} up are flagged."
    strength = "no sign of machine origin" if p < min(t, 0.2) else "some signs, below the flagging line"
    return f"Human-written ({strength})", f"{chance}; texts are flagged from {pct(t)} up."


def _headline(score) -> str:
    e = html.escape
    head, sentence = verdict_words(score)
    verdict = e(score.verdict) if score is not None else "none"
    lm = ""
    if score is not None and score.verdict != "not_english":
        lm = (f"The language model read the first {score.lm_tokens} tokens for this verdict."
              if score.lm_tokens else "The language model was not used: the text's own features decided.")
        lm = f" {lm} {score.words:,} words."
    return (f'<header class="verdict {verdict}"><div class="head">{e(head)}</div>'
            f'<div class="sub">{e(sentence)}{e(lm)}</div></header>')


def _reasons(reasons, places: dict) -> str:
    e = html.escape
    if not reasons:
        return ("<h3>Why</h3><div class=\"note\">No evidence unusual for human writing was found.</div>")
    items = []
    for n, r in enumerate(reasons, 1):
        i = r.info
        colour = (n - 1) % PALETTE + 1
        if r.spans:
            links = " ".join(f'<a href="#place-{places[sp.start, sp.end]}">{k}</a>' for k, sp in enumerate(r.spans, 1))
            where = f'<div class="where">{len(r.spans)} place{"s" if len(r.spans) != 1 else ""}: {links}</div>'
        else:
            where = '<div class="where">The whole text (no single place).</div>'
        strength = "" if math.isnan(r.strength) else f' <span class="note">{_strength(r.strength)}</span>'
        items.append(f'<li data-code="{e(r.code)}"><span class="badge" data-c="{colour}">{n}</span> '
                     f"<b>{e(i.title)}</b>{strength}<div class=\"desc\">{e(i.description)}</div>{where}</li>")
    return "<h3>Why: the evidence, strongest first</h3><ol class=\"reasons\">" + "".join(items) + "</ol>"


def _strength(push: float) -> str:
    """A reason's contribution in words: p_machine points, or why it has none of its own."""
    if push >= 0.005:
        return f"raises the chance by {100 * push:.0f} points" if push >= 0.01 else "raises the chance a little"
    return "adds little on its own (other evidence already decides)"


def _sentences(text: str, score) -> str:
    if score is None or not score.sentences:
        return ""
    e = html.escape
    rows = []
    for k, s in enumerate(score.sentences):
        snippet = text[s.start:s.end]
        snippet = snippet if len(snippet) <= 90 else snippet[:87] + "…"
        kinds = ", ".join(_title(c) for c in s.codes)
        rows.append(f'<li><a href="#sentence-{k}">{e(snippet)}</a> <span class="note">{e(kinds)}</span></li>')
    return f"<h3>Sentences with evidence ({len(rows)})</h3><ul class=\"sents\">{''.join(rows)}</ul>"


def _hygiene(score) -> str:
    if score is None or not score.hygiene_flags:
        return ""
    counts: dict[str, int] = {}
    for sp in score.hygiene_spans:
        counts[sp.reason] = counts.get(sp.reason, 0) + 1
    items = "".join(f"<li>{html.escape(_title(c))} ×{counts.get(c, 0)}</li>" for c in score.hygiene_flags)
    return ("<h3>Scrape damage (not evidence of machine origin)</h3><ul>" + items +
            "</ul><div class=\"note\">Dotted underline in the text.</div>")


def _expert(score, token_scores) -> str:
    n = len(token_scores) if token_scores is not None else 0
    legend = "".join(f'<span class="tok {cls}">{html.escape(label)}</span> ' for _, cls, label in RANK_BUCKETS)
    p = "" if score is None or score.p_machine != score.p_machine else f" p_machine {score.p_machine:.3f}."
    return (f'<h3>For experts</h3><label><input type="checkbox" id="lm-toggle"> shade words by the language '
            f"model's rank of them</label><div class=\"lm-legend\">{legend}</div><div class=\"note\">{n} tokens "
            f"shaded; hover a word for its rank and surprisal.{p}</div>")


_COLOURS = ("#c92a2a", "#1971c2", "#2f9e44", "#e8590c", "#7048e8", "#0c8599")
_CSS = """
body{font:16px/1.6 Georgia,serif;margin:0;color:#1d1d1f;background:#fafafa}
header.verdict{padding:14px 28px;margin-right:360px;border-bottom:4px solid #999;background:#fff;font-family:system-ui,sans-serif}
header.machine{border-color:#c92a2a}header.clean{border-color:#2f9e44}.head{font-size:24px;font-weight:600}
.sub{color:#444;font-size:14px}main{margin-right:360px;padding:16px 28px}
aside{position:fixed;right:0;top:0;bottom:0;width:330px;overflow:auto;padding:12px 16px;background:#fff;
border-left:1px solid #ddd;font:14px/1.45 system-ui,sans-serif}h3{font-size:14px;margin:16px 0 6px;color:#333}
.text{white-space:pre-wrap;background:#fff;padding:16px 22px;border:1px solid #e3e3e3;border-radius:6px}
.note{color:#666;font-size:12px}.desc{color:#333}.where{font-size:12px;color:#555}.where a{margin-right:3px}
ol.reasons{padding-left:0;list-style:none;margin:0}ol.reasons li{margin-bottom:10px}ul{margin:0;padding-left:18px}
.badge,.tag::after{display:inline-block;min-width:1.2em;padding:0 3px;border-radius:8px;color:#fff;
font:bold 11px/1.5 system-ui,sans-serif;text-align:center}.tag::after{content:attr(data-n);vertical-align:super;margin-left:1px}
.span{border-bottom:2px solid;background:rgba(255,230,150,.45)}.hyg{text-decoration:underline dotted #868e96}
:target{outline:3px solid #fab005}.tok{border-radius:2px}
body.lm-on .tok.b1{background:#d7f5d3}body.lm-on .tok.b10{background:#fff3bf}body.lm-on .tok.b100{background:#ffd8a8}
body.lm-on .tok.bmore{background:#ffc9c9}.lm-legend .tok.b1{background:#d7f5d3}.lm-legend .tok.b10{background:#fff3bf}
.lm-legend .tok.b100{background:#ffd8a8}.lm-legend .tok.bmore{background:#ffc9c9}.lm-legend .tok{padding:0 3px;font-size:12px}
@media print{aside{position:static;width:auto;border:0}main,header.verdict{margin-right:0}}
""" + "".join(f'.badge[data-c="{i}"],.tag[data-c="{i}"]::after{{background:{c}}}.span[data-c="{i}"]{{border-color:{c}}}'
              for i, c in enumerate(_COLOURS, 1))

_JS = """(function(){var t=document.getElementById("lm-toggle");if(t){t.addEventListener("change",function(){
document.body.classList.toggle("lm-on",t.checked);});}
document.documentElement.setAttribute("data-ready","1");})();"""
