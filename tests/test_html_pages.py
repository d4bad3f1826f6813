"""detector.html_pages: the explain and compare pages, checked as text and, when Chromium is installed, in a browser.

The browser tests run headless Chromium offline: a screenshot (the page renders), ``--dump-dom`` (the
spans and edits are in the DOM after the scripts ran, and the page recorded no script errors).
"""
import json
import html
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from detector.api import Detector
from detector.compare import compare
from detector.html_pages import compare_page, explain_page
from fakes import FakeScorer
from casedata import texts  # noqa: E402

SEEDS = texts("seeds")
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
needs_chromium = pytest.mark.skipif(CHROMIUM is None, reason="chromium not installed (apt-get install chromium)")


@pytest.fixture(scope="module")
def pages(tmp_path_factory):
    det = Detector(scorer=FakeScorer())
    text = SEEDS["seed-000"]
    out = tmp_path_factory.mktemp("pages")
    explain = out / "explain.html"
    explain.write_text(explain_page(text, det.score(text), det.scorer.score(text)), encoding="utf-8")
    cmp = out / "compare.html"
    cmp.write_text(compare_page(compare(text, SEEDS["seed-001"], embeddings=False)), encoding="utf-8")
    return explain, cmp


def test_explain_page_marks_tokens_spans_and_panel(pages):
    page = pages[0].read_text(encoding="utf-8")
    assert re.search(r'class="span" data-reason="[a-z_]+"', page)
    assert 'class="tok b1"' in page and "p_machine" in page and "Scrape damage" in page
    assert "http://" not in page and "https://" not in page  # nothing fetched


def test_explain_page_is_for_editors():
    """Verdict in words, numbered reasons by title with links to every place (a visible number at each), the
    LM shading off until the expert toggle, and the LM use said truly."""
    from detector.explain_html import verdict_words
    from detector.reasons import info

    det = Detector(scorer=FakeScorer())
    text = SEEDS["seed-003"]
    score = det.score(text)
    page = explain_page(text, score, det.scorer.score(text))
    assert score.explanation and verdict_words(score)[0].startswith("Machine-made")
    for n, r in enumerate(score.explanation, 1):
        assert html.escape(info(r.code).title) in page and f'<span class="badge" data-c="{(n - 1) % 6 + 1}">{n}</span>' in page
        if r.spans:
            assert len(re.findall(r'href="#place-\d+"', page)) >= len(r.spans)
    anchors = set(re.findall(r'id="(place-\d+)"', page))
    assert anchors and all(f'href="#{a}"' in page for a in anchors)
    assert len(re.findall(r'class="tag" data-n="[0-9,]+"', page)) == len(anchors)
    assert "<body>" in page and "lm-on" not in page.split("<style>")[0] and 'id="lm-toggle"' in page
    used = ("read the first %d tokens" % score.lm_tokens) if score.lm_tokens else "was not used"
    assert used in page
    clean = det.score(SEEDS["seed-002"])
    assert verdict_words(clean)[0].startswith("Human-written")


def test_compare_page_links_pairs_and_edits(pages):
    page = pages[1].read_text(encoding="utf-8")
    assert 'data-kind="name_changed"' in page and 'data-kind="quote_broken"' in page
    suspect_side, original_side = page.split('data-side="1"')
    ids = {i for found in re.findall(r'data-pair="([0-9 ]+)"', suspect_side) for i in found.split()}
    partners = {i for found in re.findall(r'data-pair="([0-9 ]+)"', original_side) for i in found.split()}
    assert ids and ids == partners  # every aligned passage has its partner on the other side


def test_text_is_escaped():
    page = explain_page('<script>alert("x")</script> & more', None, None)
    assert "<script>alert" not in page and "&lt;script&gt;alert(&quot;x&quot;)" in page


def _chromium(*args: str, profile: Path) -> subprocess.CompletedProcess:
    flags = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
             "--disable-background-networking", "--disable-component-update", "--disable-sync",
             f"--user-data-dir={profile}"]
    return subprocess.run([CHROMIUM, *flags, *args], capture_output=True, text=True, timeout=120)


@needs_chromium
@pytest.mark.parametrize("which, marker", [(0, 'class="span"'), (1, 'class="edit"')])
def test_page_in_headless_chromium(pages, tmp_path, which, marker):
    page = pages[which]
    shot = tmp_path / "shot.png"
    res = _chromium(f"--screenshot={shot}", "--window-size=1280,900", page.as_uri(), profile=tmp_path / "p1")
    assert shot.is_file() and shot.stat().st_size > 20_000, res.stderr[-2000:]
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    dom = _chromium("--dump-dom", page.as_uri(), profile=tmp_path / "p2").stdout
    assert 'data-ready="1"' in dom, "the page script did not run"
    assert 'data-errors="0"' in dom, re.findall(r'data-last-error="[^"]*"', dom)
    assert marker in dom
    assert re.search(r'class="span" data-reason="[a-z_]+"' if which == 0 else r'class="edit" data-kind="name_changed"',
                     dom)
