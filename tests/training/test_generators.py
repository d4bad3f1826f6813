"""Corpus generators on small inline texts."""
import pytest

from training.corpus import layout, roundtrip, scrape, spinner
from training.corpus.build import edit_rate, split_of

PARAS = ["The talks ended on Monday without a deal.", "He said the proposal was not acceptable to them."]


@pytest.mark.skipif(not roundtrip.available("spa"), reason="apertium with eng-spa is not installed "
                    "(apt-get install apertium apertium-eng-spa apertium-eng-cat)")
@pytest.mark.parametrize("pivot", ["spa", "cat", "glg", "epo", "hbs"])
def test_round_trip_changes_words_and_keeps_paragraphs(pivot):
    if not roundtrip.available(pivot):
        pytest.skip(f"apertium pair for {pivot} missing")
    out = roundtrip.round_trip_many([PARAS, PARAS[:1]], pivot)
    assert [len(d) for d in out] == [2, 1]
    assert edit_rate(" ".join(out[0]), " ".join(PARAS)) > 0.05
    assert "*" not in " ".join(out[0]) and "  " not in " ".join(out[0])


@pytest.mark.skipif(not (spinner.WORDNET_DIR / "index.noun").exists(), reason="WordNet (wordnet-base) not installed")
def test_spinner_takes_another_thesaurus(tmp_path):
    import gzip
    import json

    lex = tmp_path / "lex.json.gz"
    with gzip.open(lex, "wt") as f:
        json.dump({"phrases": []}, f)
    text = "farmers expect harvest " * 20
    out = spinner.spin(text, 0.5, "k", lex, table={"harvest": ("reaping",)})
    assert "reaping" in out and set(out.split()) <= {"farmers", "expect", "harvest", "reaping"}


def test_apertium_marks_are_removed():
    assert roundtrip.clean_output("the *Berbock said  #going") == "the Berbock said going"


@pytest.mark.skipif(not (spinner.WORDNET_DIR / "index.noun").exists(), reason="WordNet (wordnet-base) not installed")
def test_spinner_rewrites_deterministically(tmp_path):
    import gzip
    import json

    lex = tmp_path / "lex.json.gz"
    with gzip.open(lex, "wt") as f:
        json.dump({"phrases": [{"tortured": "colossal information", "correct": "big data"}]}, f)
    text = "The government announced a large investment in public transport and big data across the country."
    a = spinner.spin(text, 0.5, "k", lex)
    assert a == spinner.spin(text, 0.5, "k", lex)
    assert edit_rate(a, text) > 0.1
    assert spinner.spin("", 0.5, "k", lex) == ""


def test_scrape_damage_strips_marks_and_keeps_human_words():
    paras, done = scrape.damage(["He said \"it's over\" - and left.", "Russia's demands stand."], "key")
    joined = " ".join(paras)
    if done["strip_marks"]:
        assert "'" not in joined and '"' not in joined
        assert "its" in joined or "itsover" in joined


def test_glue_removes_spaces():
    glued = scrape.glue_words("we launched special talks on Monday", "k", 2)
    assert len(glued) == len("we launched special talks on Monday") - 2


def test_mojibake():
    assert scrape.mojibake("It’s") == "Itâ€™s"


def test_render_layouts_are_seeded_by_record():
    a = layout.render(['He said "yes" - twice.', "Next."], "id-1")
    assert a == layout.render(['He said "yes" - twice.', "Next."], "id-1")
    styles = {layout.render(['He said "yes".'], f"id-{i}")[1]["quotes"] for i in range(20)}
    assert styles == {"curly", "straight"}


def test_curly_quotes():
    assert layout.curly('He said "it\'s fine" and \'ok\'.') == "He said “it’s fine” and ‘ok’."


def test_paragraph_plan_is_shared_by_a_group():
    assert layout.paragraph_plan("g", 10) == layout.paragraph_plan("g", 10)
    assert sum(layout.paragraph_plan("g", 10)) >= 10


def test_split_is_a_function_of_the_group():
    assert split_of("bbc:x") == split_of("bbc:x")
    assert {split_of(f"g{i}") for i in range(200)} == {"train", "dev", "test"}
