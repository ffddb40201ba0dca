"""Scoring inside pipelines (tag, then filter): a step that writes `<name>_score` / `<name>_int_score` into
`doc.metadata` in batches, and a separate threshold filter, so a threshold can change without rescoring."""

from __future__ import annotations

from datatrove.data import Document, DocumentsPipeline
from datatrove.pipeline.base import PipelineStep
from datatrove.pipeline.filters.base_filter import BaseFilter
from datatrove.pipeline.writers.disk_base import DiskWriter

from smolcorpus.config.base import default_of
from smolcorpus.config.stack_edu import CodeScoringConfig
from smolcorpus.runtime.step_stats import merge_stats
from smolcorpus.score_keys import grade_counter, score_keys


class ClassifierScorer(PipelineStep):
    """Add `<name>_score` (float) and `<name>_int_score` (int) to each document's metadata.

    Args:
        model_dir: a folder written by `smolcorpus classifier train`.
        name: metadata key prefix; default: the classifier's own name.
        batch_size: documents per scoring call (default: the config's `scoring.batch_size`, 64).
        max_chars: texts are cut to this many characters before scoring (default 100 000; an encoder sees at most
            its max length in tokens anyway); cut documents are counted as `truncated_chars`.
        device / dtype: for the kinds that run a torch model (embedding, and published FineWeb-Edu-style
            transformers classifiers): `auto` (default: a GPU when torch sees one), `cpu`, `cuda[:N]`; `float32`
            (default), `bfloat16`, `float16`.
    """

    name = "🎓 Classifier score"
    type = "🔢 - SCORER"

    def __init__(self, model_dir: str, name: str | None = None,
                 batch_size: int = default_of(CodeScoringConfig, "batch_size"), max_chars: int = 100_000,
                 device: str = "auto", dtype: str = "float32"):  # fmt: skip
        super().__init__()
        self.device = device
        self.dtype = dtype
        from smolcorpus.classifiers.base import read_model_config

        self.model_dir = str(model_dir)
        self.config = read_model_config(model_dir)  # fail fast, in the submitting process, on a bad folder
        self.key_prefix = name or self.config["name"]
        self.batch_size = batch_size
        self.max_chars = max_chars

    def run(self, data: DocumentsPipeline, rank: int = 0, world_size: int = 1) -> DocumentsPipeline:
        from smolcorpus.classifiers.base import load_classifier

        if getattr(self, "_classifier", None) is None:  # once per process, not per run() call
            # device and dtype reach the kinds that run a torch model (kinds.KINDS: their load_options)
            self._classifier = load_classifier(self.model_dir, device=self.device, dtype=self.dtype)
        classifier = self._classifier
        score_key, int_key = score_keys(self.key_prefix)
        batch: list[Document] = []
        for document in data or ():
            batch.append(document)
            if len(batch) == self.batch_size:
                yield from self._score(classifier, batch, score_key, int_key)
                batch = []
        if batch:
            yield from self._score(classifier, batch, score_key, int_key)

    def _score(self, classifier, batch: list[Document], score_key: str, int_key: str) -> list[Document]:
        scorable = [doc for doc in batch if doc.text.strip()]
        if len(scorable) < len(batch):  # left unscored: the threshold filter drops them as missing_<key>
            self.stat_update("skipped_empty_text", value=len(batch) - len(scorable))
        if not scorable:
            return batch
        texts = [doc.text[: self.max_chars] for doc in scorable]
        cut = sum(len(doc.text) > self.max_chars for doc in scorable)
        if cut:
            self.stat_update("truncated_chars", value=cut)
        truncated_before = classifier.truncated
        with self.track_time(unit="batch"):
            scores = classifier.score(texts)
        if classifier.truncated > truncated_before:
            self.stat_update("truncated_to_max_length", value=classifier.truncated - truncated_before)
        for doc, score, int_score in zip(scorable, scores, classifier.int_scores(scores), strict=True):
            doc.metadata[score_key] = float(score)
            doc.metadata[int_key] = int(int_score)
            self.stat_update(grade_counter(self.key_prefix, int(int_score)))
        self.stat_update("scored", value=len(scorable))
        return batch


class ScoreThresholdFilter(BaseFilter):
    """Keep documents whose `<name>_int_score` (or `<name>_score` with `use_float`) is ≥ `threshold`."""

    name = "🎓 Score threshold"

    def __init__(
        self, name: str, threshold: float, use_float: bool = False, exclusion_writer: DiskWriter | None = None
    ):
        super().__init__(exclusion_writer)
        self.key = score_keys(name)[0 if use_float else 1]
        self.threshold = threshold
        self.reason = f"below_{name}_threshold"

    def filter(self, doc: Document) -> bool | tuple[bool, str]:
        value = doc.metadata.get(self.key)
        if value is None:
            return False, f"missing_{self.key}"
        return True if value >= self.threshold else (False, self.reason)


class PerLanguageScorer(PipelineStep):
    """Stack-Edu scoring: one classifier per language (or a shared one), all writing `<name>_score`/`_int_score`.

    Args:
        model_dirs: language → model folder, e.g. {"Python": "models/python_edu", "Java": "models/java_edu"}.
        default_model_dir: used for languages without their own model; None leaves them unscored (counted as
            `unscored_<language>`, and dropped later by the threshold filter as missing scores).
        name: metadata key prefix.
        batch_size: documents per scoring call (the config's `stack_edu.scoring.batch_size`).
        language_key: metadata key holding the language (default "language").
        device / dtype: as `ClassifierScorer`'s, for every language's model.
    """

    name = "🎓 Per-language classifier score"
    type = "🔢 - SCORER"

    def __init__(self, model_dirs: dict[str, str], default_model_dir: str | None, name: str, batch_size: int,
                 language_key: str = "language", device: str = "auto", dtype: str = "float32"):  # fmt: skip
        super().__init__()
        options = {"name": name, "batch_size": batch_size, "device": device, "dtype": dtype}
        self.scorers = {lang: ClassifierScorer(d, **options) for lang, d in model_dirs.items()}
        self.default = ClassifierScorer(default_model_dir, **options) if default_model_dir else None
        self.language_key = language_key

    def run(self, data: DocumentsPipeline, rank: int = 0, world_size: int = 1) -> DocumentsPipeline:
        pending: dict[str, list[Document]] = {}
        for document in data or ():
            language = str(document.metadata.get(self.language_key, ""))
            scorer = self.scorers.get(language, self.default)
            if scorer is None:
                self.stat_update(f"unscored_{language or 'unknown'}")
                yield document
                continue
            batch = pending.setdefault(language if language in self.scorers else "", [])
            batch.append(document)
            if len(batch) == scorer.batch_size:
                yield from scorer.run(iter(batch))
                self.stat_update("scored", value=len(batch))
                batch.clear()
        for key, batch in pending.items():
            if batch:
                yield from self.scorers.get(key, self.default).run(iter(batch))
                self.stat_update("scored", value=len(batch))
        # the per-language scorers counted grades and truncations in their own stats: report them as this step's
        for scorer in [*self.scorers.values(), *([self.default] if self.default else [])]:
            merge_stats(self, scorer, exclude=("scored",))


class LanguageThresholdFilter(BaseFilter):
    """Keep documents whose `<name>_int_score` reaches their language's threshold (`thresholds`, else
    `default_threshold`; Stack-Edu's 3 and Java's 2 are the config's defaults: `stack_edu.scoring`).
    Reasons: `below_threshold_<language>`, `missing_<name>_int_score`."""

    name = "🎓 Per-language threshold"

    def __init__(self, name: str, thresholds: dict[str, float], default_threshold: float,
                 language_key: str = "language", exclusion_writer: DiskWriter | None = None):  # fmt: skip
        super().__init__(exclusion_writer)
        self.key = score_keys(name)[1]
        self.thresholds = dict(thresholds)
        self.default_threshold = default_threshold
        self.language_key = language_key

    def filter(self, doc: Document) -> bool | tuple[bool, str]:
        value = doc.metadata.get(self.key)
        if value is None:
            return False, f"missing_{self.key}"
        language = str(doc.metadata.get(self.language_key, ""))
        threshold = self.thresholds.get(language, self.default_threshold)
        return value >= threshold or (False, f"below_threshold_{language or 'unknown'}")
