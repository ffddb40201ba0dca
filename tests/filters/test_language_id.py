"""Language ID with the offline lid.176.ftz on real documents."""

from datatrove.data import Document

from smolcorpus.assets import resolve_lid_model
from smolcorpus.filters.language_id import FastTextLanguageID, LanguageScoreFilter


def test_offline_model_tags_real_english_and_other_languages(real_documents):
    assert resolve_lid_model().endswith("lid.176.ftz")
    step = FastTextLanguageID()
    english = [Document(text=t, id=i) for i, t in list(real_documents.items())[:40]]
    tagged = list(step.run(iter(english)))
    assert sum(d.metadata["language"] == "en" for d in tagged) >= 30
    german = Document(text="Die Ableitung einer Funktion beschreibt ihre lokale Änderungsrate.", id="de")
    [german] = step.run(iter([german]))
    assert german.metadata["language"] == "de" and german.metadata["language_score"] > 0.5
    english_only = LanguageScoreFilter(("en",), 0.65)  # FineMath's, the finemath config's defaults
    assert english_only.filter(german) == (False, "language_de")
    low = Document(text="x", id="low", metadata={"language": "en", "language_score": 0.3})
    assert english_only.filter(low) == (False, "language_score_low")


def test_tex_dense_english_pages_are_english_on_their_prose():
    """lid.176 reads TeX as no language: on these real English pages the whole text scored under FineMath's 0.65."""
    from smolcorpus.extraction.math_extractor import extract_math_text
    from tests.extraction.math_pages import shared_page

    whole, prose = FastTextLanguageID(), FastTextLanguageID(on_prose=True)
    for page in ("math_dev/pages/intmath_katex_mathjax_comparison.html.gz",
                 "extraction_gt/readability_test_pages/mathjax/source.html.gz"):  # fmt: skip
        text = extract_math_text(shared_page(page)).text
        [by_text] = whole.run(iter([Document(text=text, id=page)]))
        [by_prose] = prose.run(iter([Document(text=text, id=page)]))
        assert by_text.metadata["language_score"] < 0.7
        assert by_prose.metadata["language"] == "en" and by_prose.metadata["language_score"] > 0.75
        assert by_prose.text == text
    # a page of formulas alone has no prose: it is scored on its text
    [only_math] = prose.run(iter([Document(text="$$x^2 + y^2 = z^2$$", id="m")]))
    assert only_math.metadata["language"]
