"""Benchmark decontamination: drop documents that share an n-gram of words with a benchmark item.

FineMath matched 13-grams against GSM8K, MATH, MMLU (and ARC); code corpora check HumanEval and MBPP. Words are
lower-cased runs of letters, digits and underscores, so formatting, punctuation and LaTeX/code symbols do not hide
a copy. Each benchmark is counted separately: the drop reason is `contaminated_<benchmark>`.
"""

from __future__ import annotations

import gzip
import json
import re
from dataclasses import dataclass, field
from pathlib import Path

from datatrove.data import Document
from datatrove.pipeline.filters.base_filter import BaseFilter
from datatrove.pipeline.writers.disk_base import DiskWriter

_WORD = re.compile(r"\w+")

# which fields hold the text of an item, for the benchmark files people usually have
KNOWN_FIELDS = {
    "humaneval": ("prompt", "canonical_solution"),
    "mbpp": ("text", "prompt", "code"),
    "gsm8k": ("question", "answer"),
    "math": ("problem", "solution"),
    "math500": ("problem", "solution"),
    "minerva_math": ("problem", "solution"),
    "aime24": ("problem", "solution"),
    "amc23": ("problem",),
}


def words(text: str) -> list[str]:
    return _WORD.findall(text.lower())


def ngrams(tokens: list[str], n: int) -> set[tuple[str, ...]]:
    return {tuple(tokens[i : i + n]) for i in range(len(tokens) - n + 1)}


@dataclass
class Benchmark:
    """A benchmark's items as texts. `name` is used in the drop reason; `fields` default by name (KNOWN_FIELDS)
    or every string field."""

    name: str
    path: str
    fields: tuple[str, ...] | None = None
    texts: list[str] = field(default_factory=list)

    def load(self) -> Benchmark:
        path = Path(self.path)
        opener = gzip.open if path.suffix == ".gz" else open
        with opener(path, "rt", encoding="utf-8") as f:
            raw = f.read()
        items = json.loads(raw) if raw.lstrip().startswith("[") else [json.loads(x) for x in raw.splitlines() if x]
        wanted = self.fields or KNOWN_FIELDS.get(self.name.lower())
        for item in items:
            keys = [k for k in (wanted or item) if isinstance(item.get(k), str)]
            self.texts.append("\n".join(item[k] for k in keys))
        return self


def benchmark_from_file(path: str, name: str | None = None, fields: tuple[str, ...] | None = None) -> Benchmark:
    """`name` defaults to the file name up to the first `_`, `.` or `-` (e.g. gsm8k_test.jsonl → gsm8k)."""
    stem = re.split(r"[._-]", Path(path).name)[0] if name is None else name
    if name is None and Path(path).name.lower().startswith("minerva_math"):
        stem = "minerva_math"
    return Benchmark(stem.lower(), str(path), fields).load()


def is_informative(gram: tuple[str, ...]) -> bool:
    """At least half the words have two or more letters: runs such as `0 1 2 3 4 5 6 7 8 9` or `i i 1 j j 1`
    occur in countless unrelated files and would make every digit table "contaminated"."""
    wordy = sum(len(w) >= 2 and not w.isdigit() for w in gram)
    return 2 * wordy >= len(gram)


class NgramIndex:
    """Benchmark n-grams (words joined by spaces) → the benchmark they come from; uninformative n-grams (see
    `is_informative`) are left out.

    A class of its own so that datatrove's executor.json shows a one-line description instead of every n-gram.
    """

    def __init__(self, benchmarks: list[Benchmark], n: int):
        self.n = n
        self.names = [benchmark.name for benchmark in benchmarks]
        self.grams: dict[str, str] = {}
        for benchmark in benchmarks:
            for text in benchmark.texts:
                for gram in ngrams(words(text), n):
                    if is_informative(gram):
                        self.grams.setdefault(" ".join(gram), benchmark.name)

    def __len__(self) -> int:
        return len(self.grams)

    def __str__(self) -> str:
        return f"NgramIndex(n={self.n}, {len(self.grams)} n-grams from {', '.join(self.names)})"

    def match(self, text: str) -> str | None:
        """The benchmark sharing an n-gram with `text`, or None."""
        tokens = words(text)
        for i in range(len(tokens) - self.n + 1):
            hit = self.grams.get(" ".join(tokens[i : i + self.n]))
            if hit is not None:
                return hit
        return None


class DecontaminationFilter(BaseFilter):
    """Drop documents sharing any `n`-gram of words (the config's default: 13) with an item of a benchmark.

    Args:
        benchmarks: loaded `Benchmark`s (see `benchmark_from_file`).
        n: n-gram length in words (13 as FineMath; code corpora often use 10).
    """

    name = "🧪 Benchmark decontamination"

    def __init__(self, benchmarks: list[Benchmark], n: int, exclusion_writer: DiskWriter | None = None):
        super().__init__(exclusion_writer)
        self.n = n
        self.index = NgramIndex(benchmarks, n)

    def match(self, text: str) -> str | None:
        """The benchmark sharing an n-gram with `text`, or None."""
        return self.index.match(text)

    def filter(self, doc: Document) -> bool | tuple[bool, str]:
        hit = self.match(doc.text)
        return hit is None or (False, f"contaminated_{hit}")
