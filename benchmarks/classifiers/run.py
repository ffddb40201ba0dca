"""Classifier scoring throughput on one core (and on a GPU when torch sees one), on the same real documents:

  bare-fasttext-predict     fastText `predict` over normalised texts (the baseline, 1.00x)
  fasttext-step             smolcorpus ClassifierScorer with a fastText model (what pipelines run)
  linear-step               ClassifierScorer with the n-gram linear model (the default of `classifier train`)
  embedding-step            ClassifierScorer with the frozen MiniLM encoder + ridge head (max length 256, its own)
  student-step              ClassifierScorer with the fastText student distilled from the embedding classifier
  transformers-minilm-step  ClassifierScorer with a published-format sequence-classification model of MiniLM's
                            size (6 layers, 384 wide, 512 tokens; MiniLM weights and a fresh regression head)
  transformers-base-step    the same with BERT-base's shape (12 layers, 768 wide, 512 tokens; seeded random
                            weights): the shape of HuggingFaceFW/fineweb-edu-classifier and the FineMath and
                            Stack-Edu classifiers, so its rate is theirs
  ...[cuda, bfloat16]       the torch scorers again on the GPU in bfloat16, when torch sees one

Tokens are SmolLM2 tokens of the scored text (what a corpus is counted in); an encoder reads at most its max
length of it. FineWeb-Edu's anchor: 15T tokens in 6,000 H100-hours ≈ 0.7M tokens/s per GPU.

plus the student's agreement with its teacher (binary F1 at grade 3 on held-out documents).

Models are trained here first, from ../shared/data (code files labelled by their edu_hint), so the numbers are
about scoring speed, not about those small models' quality (for that: `quality.py`). Documents: the real texts of
../shared/data and of this Python installation, cut to 4,000 characters (≈ 4 KB).

    python benchmarks/classifiers/run.py           # 2,000 documents (torch steps on 200, BERT-base on 40)
    python benchmarks/classifiers/run.py --quick   # 400 documents (torch steps on 50, BERT-base on 10)
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
import tempfile
import time
from pathlib import Path

DEFAULT_SHARED_DATA = Path(__file__).resolve().parents[2] / ".." / "shared" / "data"
SHARED_DATA = Path(os.environ.get("SMOLCORPUS_SHARED_DATA", DEFAULT_SHARED_DATA))
DOC_CHARS = 4000


def pin_to_one_core() -> None:
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})
    os.environ["OMP_NUM_THREADS"] = "1"
    import torch

    torch.set_num_threads(1)


def documents(n: int) -> list[tuple[str, str]]:
    import importlib.util

    # the tokenize benchmark's document mix (real texts of ../shared/data and of this Python installation)
    path = Path(__file__).resolve().parents[1] / "tokenize" / "run.py"
    spec = importlib.util.spec_from_file_location("tokenize_benchmark", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    texts = [t[:DOC_CHARS] for t in module.base_texts() if len(t) >= 200]
    random.Random(0).shuffle(texts)  # mix code, articles and READMEs
    return [(f"doc-{i}", texts[i % len(texts)]) for i in range(n)]


def code_labels(folder: Path) -> Path:
    grades = {"high": 4, "medium": 2, "low": 0}
    rows = []
    for line in (SHARED_DATA / "code" / "index.jsonl").read_text().splitlines():
        entry = json.loads(line)
        text = (SHARED_DATA / entry["file"]).read_text(errors="replace")
        rows.append({"id": entry["file"], "text": text, "score": grades[entry["edu_hint"]]})
    path = folder / "labels.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    return path


def rate(function, items) -> float:
    started = time.perf_counter()
    function(items)
    return len(items) / (time.perf_counter() - started)


def step_rate(model_dir: Path, docs: list[tuple[str, str]], device: str = "cpu", dtype: str = "float32") -> float:
    from datatrove.data import Document

    from smolcorpus.classifiers.score import ClassifierScorer

    scorer = ClassifierScorer(str(model_dir), batch_size=64, device=device, dtype=dtype)
    batch = [Document(text=text, id=doc_id) for doc_id, text in docs]
    list(scorer.run(iter(batch[:8])))  # load the model (and warm the device) outside the timing
    return rate(lambda items: list(scorer.run(iter(items))), batch)


def transformers_model(folder: Path, size: str) -> Path:
    """A published-format regression classifier (`num_labels=1`) saved in `folder`: MiniLM's weights with a fresh
    head, or BERT-base's shape with seeded random weights (speed does not depend on the weights' values)."""
    import torch
    from transformers import AutoTokenizer, BertConfig, BertForSequenceClassification

    from smolcorpus.assets import resolve_encoder

    encoder = resolve_encoder(None)
    torch.manual_seed(0)
    if size == "minilm":
        model = BertForSequenceClassification.from_pretrained(encoder, num_labels=1)
    else:
        model = BertForSequenceClassification(BertConfig(num_labels=1))  # BERT-base: 12 × 768, 512 positions
    model.save_pretrained(folder)
    AutoTokenizer.from_pretrained(encoder).save_pretrained(folder)
    return folder


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    if not SHARED_DATA.is_dir():
        sys.exit(f"needs the real data of ../shared/data (or $SMOLCORPUS_SHARED_DATA); not found at {SHARED_DATA}")
    pin_to_one_core()
    import torch

    from smolcorpus.classifiers.base import load_classifier
    from smolcorpus.classifiers.distill import distill
    from smolcorpus.classifiers.embedding import EmbeddingParams
    from smolcorpus.classifiers.fasttext_classifier import FastTextParams, normalize_text
    from smolcorpus.classifiers.labels import load_labels
    from smolcorpus.classifiers.linear import LinearParams
    from smolcorpus.classifiers.train import train_classifier
    from smolcorpus.tokenize.tokenizer import resolve_tokenizer_spec

    n_docs, n_torch, n_base = (400, 50, 10) if args.quick else (2000, 200, 40)
    docs = documents(n_docs)
    tokenizer = resolve_tokenizer_spec(None).load()
    tokens_per_doc = sum(len(e.ids) for e in tokenizer.encode_batch([t for _, t in docs])) / len(docs)
    gpu = torch.cuda.is_available()
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        labels = load_labels(str(code_labels(tmp)))
        train_classifier("fasttext", labels, tmp / "fasttext", "edu", FastTextParams(mode="grades"))
        train_classifier("linear", labels, tmp / "linear", "edu", LinearParams())
        train_classifier("embedding", labels, tmp / "embedding", "edu", EmbeddingParams(alpha=10.0, device="cpu"))
        distill_docs = docs[: max(n_torch * 2, 200)]
        _, report = distill(tmp / "embedding", [d for d, _ in distill_docs], [t for _, t in distill_docs],
                            tmp / "student")  # fmt: skip
        minilm = transformers_model(tmp / "transformers-minilm", "minilm")
        base = transformers_model(tmp / "transformers-base", "base")

        # binary F1 at grade 3 against the true labels of the held-out split the teacher never trained on
        from smolcorpus.classifiers.evaluate import evaluate

        _, held_out = labels.split(0.1, 42)  # train_classifier's default split
        teacher_f1 = evaluate(load_classifier(tmp / "embedding", device="cpu"), held_out)["binary"]["f1"]
        student_f1 = evaluate(load_classifier(tmp / "student"), held_out)["binary"]["f1"]

        model = load_classifier(tmp / "fasttext").model
        normalized = [normalize_text(text) for _, text in docs]
        rows = [
            ("bare-fasttext-predict", rate(lambda items: model.predict(items, k=-1), normalized), len(docs)),
            ("fasttext-step", step_rate(tmp / "fasttext", docs), len(docs)),
            ("linear-step", step_rate(tmp / "linear", docs), len(docs)),
            ("embedding-step", step_rate(tmp / "embedding", docs[:n_torch]), n_torch),
            ("student-step", step_rate(tmp / "student", docs), len(docs)),
            ("transformers-minilm-step", step_rate(minilm, docs[:n_torch]), n_torch),
            ("transformers-base-step", step_rate(base, docs[:n_base]), n_base),
        ]
        if gpu:  # the same steps, unchanged, on the GPU in bfloat16 (more documents: it is much faster)
            gpu_docs = docs[: min(len(docs), n_torch * 10)]
            for name, folder in (("embedding-step", tmp / "embedding"), ("transformers-minilm-step", minilm),
                                 ("transformers-base-step", base)):  # fmt: skip
                rows.append((f"{name}[cuda,bfloat16]", step_rate(folder, gpu_docs, "cuda", "bfloat16"),
                             len(gpu_docs)))  # fmt: skip
    baseline = rows[0][1]
    device = f"; GPU: {torch.cuda.get_device_name(0)}" if gpu else "; no GPU seen by torch (CPU rows only)"
    print(f"\nclassifier scoring benchmark: real documents cut to {DOC_CHARS} characters "
          f"({tokens_per_doc:,.0f} SmolLM2 tokens on average), one core{device}\n")  # fmt: skip
    print(f"{'path':<40}{'docs':>7}{'docs/s':>11}{'tokens/s':>13}{'vs bare':>10}")
    for name, docs_per_s, n in rows:
        print(f"{name:<40}{n:>7}{docs_per_s:>11,.1f}{docs_per_s * tokens_per_doc:>13,.0f}"
              f"{docs_per_s / baseline:>9.2f}x")  # fmt: skip
    print("(CPU rows: one core; [cuda] rows: one GPU. FineWeb-Edu's anchor: ≈ 700,000 tokens/s per H100)")
    embedding, student = rows[3][1], rows[4][1]
    print(f"\nstudent vs teacher: agreement F1 {report.agreement_f1:.3f} (held-out, grade ≥ 3), "
          f"speed-up {student / embedding:,.0f}x in the scoring step")  # fmt: skip
    print(f"binary F1 at grade 3 on {len(held_out)} held-out labelled files: teacher {teacher_f1:.3f}, "
          f"student {student_f1:.3f} (difference {student_f1 - teacher_f1:+.3f})")  # fmt: skip
    print(f"targets: fasttext-step ≥ 0.80x bare → {rows[1][1] / baseline:.2f}x; "
          f"student ≥ 50x teacher → {student / embedding:,.0f}x")  # fmt: skip


if __name__ == "__main__":
    main()
