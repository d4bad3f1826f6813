"""Self-contained HTML reports (inline CSS and JS, nothing fetched): ``explain`` and ``compare`` pages.

:func:`explain_page` (built in :mod:`detector.explain_html`) is the page for editors: the verdict in
words, numbered reasons with their places marked in the text, and the LM's token ranks as an expert toggle
(:func:`token_marks`: the GLTR rank buckets).
:func:`compare_page` shows suspect and original side by side: aligned passages share a ``data-pair``
id (hovering one highlights its partner, clicking scrolls to it) and edits are ``class="edit"`` with
``data-kind``. All text goes through :func:`html.escape`.

Both pages record script errors on ``<html data-errors="N">`` so a headless browser test can read them
from the DOM.

>>> "<b>" in explain_page("<b>", None, None)
False
"""
from __future__ import annotations

import html
from dataclasses import dataclass

RANK_BUCKETS = ((1, "b1", "rank 1"), (10, "b10", "rank 2-10"), (100, "b100", "rank 11-100"),
                (None, "bmore", "rank > 100"))


@dataclass(frozen=True)
class Mark:
    """An element to wrap around ``text[start:end]``; lower layers are the outer elements."""

    start: int
    end: int
    layer: int
    cls: str
    attrs: tuple[tuple[str, str], ...] = ()

    def open_tag(self) -> str:
        attrs = "".join(f' {k}="{html.escape(v, quote=True)}"' for k, v in self.attrs)
        return f'<span class="{self.cls}"{attrs}>'


def render(text: str, marks: list[Mark]) -> str:
    """``text`` escaped, with every mark's element around its characters (split where marks cross)."""
    points = sorted({0, len(text)} | {m.start for m in marks} | {m.end for m in marks})
    gaps: dict[int, list[Mark]] = {}
    for m in marks:
        if m.start == m.end:
            gaps.setdefault(m.start, []).append(m)
    spans = sorted((m for m in marks if m.start < m.end), key=lambda m: m.start)
    out, active, k = [], [], 0
    for a, b in zip(points, points[1:] + [None]):
        out += [m.open_tag() + "</span>" for m in gaps.get(a, [])]
        if b is None:
            break
        active = [m for m in active if m.end > a]
        while k < len(spans) and spans[k].start <= a:
            if spans[k].end > a:
                active.append(spans[k])
            k += 1
        layered = sorted(active, key=lambda m: m.layer)
        out.append("".join(m.open_tag() for m in layered) + html.escape(text[a:b]) + "</span>" * len(layered))
    return "".join(out)


def _bucket(rank: int) -> tuple[str, str]:
    for top, cls, label in RANK_BUCKETS:
        if top is None or rank <= top:
            return cls, label
    raise AssertionError("unreachable")


def token_marks(token_scores) -> list[Mark]:
    if token_scores is None:
        return []
    marks = []
    for (s, e), nll, rank in zip(token_scores.offsets.tolist(), token_scores.nll.tolist(), token_scores.rank.tolist()):
        cls, _ = _bucket(int(rank))
        marks.append(Mark(int(s), int(e), 2, f"tok {cls}", (("title", f"rank {rank}, surprisal {nll:.1f} nats"),)))
    return marks


def explain_page(text: str, score, token_scores, title: str = "detector explain") -> str:
    """The explanation page (:func:`detector.explain_html.explain_page`)."""
    from .explain_html import explain_page as build

    return build(text, score, token_scores, title)


def compare_page(comparison, title: str = "detector compare", names: tuple[str, str] = ("suspect", "original")) -> str:
    """Suspect and original side by side with linked pairs and highlighted edits."""
    c = comparison
    sides = []
    for side, text in ((0, c.suspect_text), (1, c.original_text)):
        marks = []
        owners: dict[tuple[int, int], list[str]] = {}
        for k, p in enumerate(c.pairs):
            owners.setdefault(p.original if side else p.suspect, []).append(str(k))
        for (s, e), ids in owners.items():
            marks.append(Mark(s, e, 0, "pair", (("data-pair", " ".join(ids)),
                                                ("title", f"pair {', '.join(ids)}: similarity "
                                                 + ", ".join(f"{c.pairs[int(i)].similarity:.2f}" for i in ids)))))
        for p in c.pairs:
            marks += [_edit_mark(ed, side, c) for ed in p.edits]
        label = html.escape(names[side])
        sides.append(f'<section class="col" data-side="{side}"><h2>{label}</h2>'
                     f'<div class="text">{render(text, marks)}</div></section>')
    return page(title, f'<header>{_compare_summary(c)}</header><div class="cols">{"".join(sides)}</div>')


def _edit_mark(ed, side: int, c) -> Mark:
    s, o = ed.suspect, ed.original
    start, end = o if side else s
    tip = f"{ed.kind}: “{c.suspect_text[s[0]:s[1]]}” ← “{c.original_text[o[0]:o[1]]}”"
    return Mark(start, end, 1, "edit gap" if start == end else "edit", (("data-kind", ed.kind), ("title", tip)))


def _compare_summary(c) -> str:
    e = html.escape
    fmt = lambda v: "n/a" if v is None else f"{v:.3f}"  # noqa: E731
    counts = "".join(f'<span class="edit legend" data-kind="{e(k)}">{e(k)} {n}</span> '
                     for k, n in c.edit_counts().items())
    return (f'<div>verdict <b class="verdict">{e(c.verdict)}</b> · aligned share {c.share_aligned:.2f} · '
            f'coverage {c.coverage:.2f} · {len(c.pairs)} pairs · similarity {e(c.similarity_method)}</div>'
            f'<div>p_machine suspect {fmt(c.p_machine_suspect)} · original {fmt(c.p_machine_original)} · '
            f'likely original: <b>{e(c.likely_original)}</b> ({e(", ".join(c.likely_reasons))})</div>'
            f'<div class="counts">{counts}</div>')


_CSS = """
body{font:15px/1.55 system-ui,sans-serif;margin:0;color:#1d1d1f;background:#fafafa}
main{margin-right:330px;padding:20px 28px}aside{position:fixed;right:0;top:0;bottom:0;width:300px;overflow:auto;
padding:16px;background:#fff;border-left:1px solid #ddd}h3{font-size:13px;margin:14px 0 4px;color:#555}
.text{white-space:pre-wrap;background:#fff;padding:16px 20px;border:1px solid #e3e3e3;border-radius:6px}
.big{font-size:20px}.note{color:#777;font-size:12px}ul{margin:0;padding-left:18px}
.tok.b1{background:#d7f5d3}.tok.b10{background:#fff3bf}.tok.b100{background:#ffd8a8}.tok.bmore{background:#ffc9c9}
.span{text-decoration:underline wavy #c92a2a;text-underline-offset:3px;position:relative;cursor:help}
.span:hover::after{content:attr(data-reason);position:absolute;left:0;top:1.5em;background:#222;color:#fff;
font-size:12px;padding:2px 6px;border-radius:3px;white-space:nowrap;z-index:5}
.span.on{outline:2px solid #c92a2a}.hyg{text-decoration:underline dotted #868e96;text-underline-offset:3px}
header{padding:12px 20px;background:#fff;border-bottom:1px solid #ddd}.cols{display:flex;gap:16px;padding:12px}
.col{flex:1;min-width:0}.col .text{height:calc(100vh - 170px);overflow:auto}h2{font-size:15px;margin:4px 0}
.pair{background:#eef4ff;cursor:pointer}.pair.hl{background:#b7d3ff}
.edit{border-bottom:2px solid #888}.edit.gap::before{content:"\\2038";color:#c92a2a;font-weight:bold}
.edit[data-kind=name_changed]{background:#e5dbff}.edit[data-kind=title_changed]{background:#d0bfff}
.edit[data-kind=number_changed]{background:#ffe066}.edit[data-kind=negation_flipped]{background:#ff8787}
.edit[data-kind=punctuation_damage]{background:#ffa94d}.edit[data-kind=quote_broken]{background:#ffc078}
.edit[data-kind=word_substituted]{background:#fff3bf}.edit[data-kind=added]{background:#d3f9d8}
.edit[data-kind=dropped]{background:#ffe3e3}.legend{padding:0 4px;font-size:12px}
"""

_ERRORS_JS = """(function(){var d=document.documentElement;d.setAttribute("data-errors","0");
function rec(m){d.setAttribute("data-errors",String(+d.getAttribute("data-errors")+1));
d.setAttribute("data-last-error",String(m));}window.onerror=function(m){rec(m);};
var ce=console.error;console.error=function(){rec(Array.prototype.join.call(arguments," "));
return ce.apply(console,arguments);};})();"""

_PAGE_JS = """(function(){function ids(el){return (el.getAttribute("data-pair")||"").split(" ");}
var pairs=[].slice.call(document.querySelectorAll("[data-pair]"));
function partners(el){var mine=ids(el);return pairs.filter(function(p){return ids(p).some(function(i){
return mine.indexOf(i)>=0;});});}
pairs.forEach(function(el){el.addEventListener("mouseenter",function(){partners(el).forEach(function(p){
p.classList.add("hl");});});el.addEventListener("mouseleave",function(){partners(el).forEach(function(p){
p.classList.remove("hl");});});el.addEventListener("click",function(){var side=el.closest("[data-side]");
var other=partners(el).filter(function(p){return p.closest("[data-side]")!==side;})[0];
if(other){other.scrollIntoView({block:"center",behavior:"smooth"});}});});
[].slice.call(document.querySelectorAll(".span[data-span]")).forEach(function(el){var k=el.getAttribute("data-span");
var same=document.querySelectorAll('.span[data-span="'+k+'"]');el.addEventListener("mouseenter",function(){
[].forEach.call(same,function(s){s.classList.add("on");});});el.addEventListener("mouseleave",function(){
[].forEach.call(same,function(s){s.classList.remove("on");});});});
document.documentElement.setAttribute("data-ready","1");})();"""


def page(title: str, body: str, css: str = _CSS, js: str = _PAGE_JS) -> str:
    """A whole self-contained page: the script-error recorder, ``css``, ``body`` and ``js``."""
    t = html.escape(title)
    return (f'<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"><title>{t}</title>'
            f"<script>{_ERRORS_JS}</script><style>{css}</style></head><body>{body}"
            f"<script>{js}</script></body></html>\n")
