"""Published educational classifiers as scorers: a transformers sequence-classification model, from a folder or a
Hub id named explicitly (HuggingFaceFW/fineweb-edu-classifier, HuggingFaceTB/finemath-classifier,
HuggingFaceTB/stack-edu-classifier-<language>).

Those models put a regression head (`num_labels=1`) on the 0–5 grade: the score is the head's output clipped to
0–5, the int score its rounding (FineWeb-Edu's `round(clamp(score, 0, 5))`). Classification heads are read too:
two labels give P(label 1) (binary labels), more give the expected label index (graded).

Texts are tokenized once, sorted by length and scored in batches of at most `batch_tokens` padded tokens, so a
batch of short documents is large and a batch of long ones small; `device` (`auto|cpu|cuda[:N]`) and `dtype`
(`float32|bfloat16|float16`) choose where and how: the same code runs on a CPU test machine and on a GPU.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from smolcorpus.classifiers.base import MAX_GRADE, Classifier, ModelFolderError

KIND = "transformers"
DTYPES = ("float32", "bfloat16", "float16")


def is_transformers_classifier(config: dict) -> bool:
    """Whether a model folder's `config.json` is a transformers sequence-classification model."""
    return any(str(a).endswith("ForSequenceClassification") for a in config.get("architectures") or [])


def transformers_model_config(source: str, hf_config: dict) -> dict:
    """The smolcorpus view of a transformers classifier: name (the folder's or repo's last part, lower case, `-` →
    `_`), label kind (binary for two labels, else graded) and threshold 3."""
    labels = int(hf_config.get("num_labels") or len(hf_config.get("id2label") or {}) or 1)
    name = Path(source.rstrip("/")).name.lower().replace("-", "_")
    label_kind, threshold = ("binary", 0.5) if labels == 2 else ("graded", 3)
    return {"kind": KIND, "name": name, "source": source, "num_labels": labels,
            "labels": {"kind": label_kind, "threshold": threshold}}  # fmt: skip


def read_transformers_config(source: str) -> dict | None:
    """The smolcorpus config of a transformers classifier folder or Hub id, or None when `source` is not one.

    A Hub id (ORG/NAME, and no such local folder) is fetched because the user named it (its `config.json` now,
    the weights when loaded; `HF_HUB_OFFLINE=1` keeps to the local cache); one that cannot be had is an error."""
    path = Path(source).expanduser()
    if path.is_dir():
        config_file = path / "config.json"
        if not config_file.is_file():
            return None
        hf_config = json.loads(config_file.read_text())
        if not is_transformers_classifier(hf_config):
            return None
        return transformers_model_config(str(path.resolve()), hf_config)
    parts = source.split("/")
    if path.exists() or len(parts) != 2 or not all(parts) or source.startswith((".", "/", "~")):
        return None
    from huggingface_hub import hf_hub_download

    try:
        hf_config = json.loads(Path(hf_hub_download(source, "config.json")).read_text())
    except Exception as e:  # offline, unknown repo, gated: say which model and why
        raise ModelFolderError(f"{source}: not a local folder, and the Hub model cannot be had ({e})") from e
    if not is_transformers_classifier(hf_config):
        raise ModelFolderError(f"{source}: a Hub model, but not a sequence-classification model")
    return transformers_model_config(source, hf_config)


def token_budget_batches(lengths: list[int], batch_tokens: int) -> list[np.ndarray]:
    """Indices of texts grouped into batches, shortest first, each at most `batch_tokens` padded tokens (count ×
    longest; a text longer than the budget is a batch of its own): many short texts per batch, few long ones."""
    order = np.argsort(lengths, kind="stable")
    batches, start = [], 0
    while start < len(order):
        end = start + 1
        while end < len(order) and (end + 1 - start) * lengths[order[end]] <= batch_tokens:
            end += 1
        batches.append(order[start:end])
        start = end
    return batches


def resolve_device(device: str = "auto") -> str:
    """`auto` → `cuda` when torch sees a GPU, else `cpu`; anything else as given (`cuda:1`)."""
    import torch

    if device == "auto":
        return "cuda" if torch.cuda.is_available() else "cpu"
    if device.startswith("cuda") and not torch.cuda.is_available():
        raise ModelFolderError(f"device {device!r} asked for, but torch sees no CUDA device")
    return device


class TransformersClassifier(Classifier):
    """A transformers `AutoModelForSequenceClassification` scoring texts (see the module docstring).

    Args:
        config: from `read_transformers_config`.
        device: `auto` (default), `cpu`, `cuda` or `cuda:N`.
        dtype: `float32` (default), `bfloat16` or `float16` (the half types for GPUs).
        max_length: tokens per text (default: the model's own maximum, at most 512); longer texts are truncated
            and counted.
        batch_tokens: padded tokens per batch (default 16 384).
    """

    kind = KIND

    def __init__(self, config: dict, device: str = "auto", dtype: str = "float32", max_length: int | None = None,
                 batch_tokens: int = 16_384):  # fmt: skip
        super().__init__(config)
        if dtype not in DTYPES:
            raise ValueError(f"dtype must be one of {', '.join(DTYPES)}, not {dtype!r}")
        import torch
        from transformers import AutoModelForSequenceClassification, AutoTokenizer

        self.device = resolve_device(device)
        self.tokenizer = AutoTokenizer.from_pretrained(config["source"])
        self.model = AutoModelForSequenceClassification.from_pretrained(
            config["source"], torch_dtype=getattr(torch, dtype)
        ).to(self.device).eval()  # fmt: skip
        if not is_transformers_classifier(self.model.config.to_dict()):
            raise ModelFolderError(f"{config['source']} is not a sequence-classification model")
        model_max = getattr(self.model.config, "max_position_embeddings", None) or 512
        self.max_length = max_length or min(512, model_max, self.tokenizer.model_max_length or 512)
        self.batch_tokens = batch_tokens
        self.config["num_labels"] = self.model.config.num_labels
        self.config["labels"]["kind"] = "binary" if self.model.config.num_labels == 2 else "graded"
        self._truncated = 0

    @classmethod
    def load(cls, folder: Path, config: dict, **options) -> TransformersClassifier:
        """The model `config` names (its `source`: the folder or Hub id it was read from); `options` as `__init__`
        takes them."""
        return cls(config, **options)

    @property
    def truncated(self) -> int:
        return self._truncated

    def score(self, texts: list[str]) -> np.ndarray:
        import torch

        encoded = self.tokenizer(list(texts), truncation=False, add_special_tokens=True)["input_ids"]
        self._truncated += sum(len(ids) > self.max_length for ids in encoded)
        lengths = [min(len(ids), self.max_length) for ids in encoded]
        scores = np.zeros(len(texts), dtype=np.float64)
        for index in token_budget_batches(lengths, self.batch_tokens):
            inputs = self.tokenizer([texts[i] for i in index], truncation=True, max_length=self.max_length,
                                    padding=True, return_tensors="pt").to(self.device)  # fmt: skip
            with torch.inference_mode():
                logits = self.model(**inputs).logits.float().cpu().numpy()
            scores[index] = self._logits_to_scores(logits)
        return scores

    def _logits_to_scores(self, logits: np.ndarray) -> np.ndarray:
        if logits.shape[1] == 1:
            return np.clip(logits[:, 0], 0, MAX_GRADE)
        exp = np.exp(logits - logits.max(axis=1, keepdims=True))
        probabilities = exp / exp.sum(axis=1, keepdims=True)
        if logits.shape[1] == 2:
            return probabilities[:, 1]
        return probabilities @ np.arange(logits.shape[1], dtype=np.float64)

    def save_weights(self, folder: Path) -> None:
        raise ModelFolderError("a published transformers classifier is used as it is; it is not saved by smolcorpus")
