"""Sections more than one pipeline reads (`stack_edu` and `finemath`): dedup, decontamination, a torch scorer's
device. A pipeline that needs other defaults passes them where it declares the section."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, PositiveInt

from smolcorpus.config.base import LocalPath, StrictModel


class DedupConfig(StrictModel):
    """Exact (normalised content hash) and MinHash near-dedup (datatrove's, on whitespace words)."""

    exact: bool = Field(True, description="drop copies with the same content after trimming trailing whitespace; "
                        "on: a copy is never worth keeping and costs one hash per document")  # fmt: skip
    minhash: bool = Field(True, description="MinHash near-dedup (datatrove); on: near-copies (forks, templates, "
                          "mirrors) are most of what exact dedup misses")  # fmt: skip
    per_language: bool = Field(True, description="a document only duplicates documents of its own language; on: "
                               "a file in two languages' folders is two files")  # fmt: skip
    n_grams: PositiveInt = Field(5, description="shingle size in words; 5: FineWeb's")
    num_buckets: PositiveInt = Field(14, description="LSH bands; 14: FineWeb's")
    hashes_per_bucket: PositiveInt = Field(
        8,
        description="hashes per band; 14 × 8 (FineWeb's) catches ≈ 77 % of pairs at Jaccard 0.75 and ≈ 99 % at 0.85",
    )


class TorchDeviceConfig(StrictModel):
    """Where classifiers that run a torch model (embedding, published transformers classifiers) score."""

    device: str = Field(
        "auto",
        pattern=r"^(auto|cpu|cuda(:\d+)?)$",
        description="`auto` (a GPU when torch sees one, else CPU), `cpu` or `cuda[:N]`; auto: the same config runs "
        "on a laptop and on a GPU node",
    )
    dtype: Literal["float32", "bfloat16", "float16"] = Field(
        "float32", description="`bfloat16`/`float16` on GPUs; float32: exact on every device"
    )


class DecontaminationConfig(StrictModel):
    """Benchmark files (JSON/JSONL, .gz ok); documents sharing an n-gram of words with an item are dropped."""

    benchmarks: list[LocalPath] = Field(
        default_factory=list,
        description="JSON/JSONL(.gz) benchmark files (HumanEval, MBPP, …), which must exist; the drop reason is "
        "`contaminated_<file name up to _ . ->`; `[]`: no benchmark is bundled, so none is checked",
    )
    n_gram: PositiveInt = Field(
        10, description="words in a shared n-gram; 10 for code (default), FineMath used 13 for text"
    )
