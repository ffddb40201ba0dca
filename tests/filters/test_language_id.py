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
    assert LanguageScoreFilter().filter(german) == (False, "language_de")
    low = Document(text="x", id="low", metadata={"language": "en", "language_score": 0.3})
    assert LanguageScoreFilter().filter(low) == (False, "language_score_low")
