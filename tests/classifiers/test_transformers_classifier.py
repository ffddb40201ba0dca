"""Published classifiers' format as scorers: a small BERT sequence-classification model the test builds offline
(the architecture of HuggingFaceFW/fineweb-edu-classifier: a BERT encoder with a regression head, num_labels=1),
with the WordPiece tokenizer of the offline all-MiniLM-L6-v2 package; scored on real article texts."""

from __future__ import annotations

import json

import numpy as np
import pytest

torch = pytest.importorskip("torch")
transformers = pytest.importorskip("transformers")

from datatrove.data import Document  # noqa: E402

from smolcorpus.assets import resolve_encoder  # noqa: E402
from smolcorpus.classifiers.base import load_classifier, read_model_config  # noqa: E402
from smolcorpus.classifiers.score import ClassifierScorer  # noqa: E402


def build_model(folder, num_labels: int, bias: float = 2.5):
    """A 2-layer BERT classifier (seeded random weights) saved like a published classifier."""
    from transformers import AutoTokenizer, BertConfig, BertForSequenceClassification

    encoder = resolve_encoder(None)
    torch.manual_seed(0)
    config = BertConfig(vocab_size=30522, hidden_size=64, num_hidden_layers=2, num_attention_heads=2,
                        intermediate_size=128, max_position_embeddings=512, num_labels=num_labels)  # fmt: skip
    model = BertForSequenceClassification(config)
    with torch.no_grad():
        model.classifier.weight.mul_(300)  # spread the outputs so that they are not all clipped alike
        model.classifier.bias.fill_(bias)
    model.save_pretrained(folder)
    AutoTokenizer.from_pretrained(encoder).save_pretrained(folder)
    return folder


@pytest.fixture(scope="module")
def texts(shared_data):
    truth = json.loads(
        (shared_data / "extraction_gt" / "article_extraction_benchmark" / "ground-truth.json").read_text()
    )
    return [value["articleBody"] for value in list(truth.values())[:12]] + ["Short one.", "x"]


def direct_forward(folder, texts, max_length=512) -> np.ndarray:
    from transformers import AutoModelForSequenceClassification, AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(folder)
    model = AutoModelForSequenceClassification.from_pretrained(folder).eval()
    out = []
    with torch.inference_mode():
        for text in texts:  # one at a time: no padding, the plainest reference
            inputs = tokenizer(text, truncation=True, max_length=max_length, return_tensors="pt")
            out.append(model(**inputs).logits[0].numpy())
    return np.array(out)


def test_regression_head_scores_equal_a_direct_forward_pass(tmp_path, texts):
    folder = build_model(tmp_path / "fineweb-edu-classifier", num_labels=1)
    config = read_model_config(folder)  # it used to say "format None ... retrain it with this version"
    assert config["kind"] == "transformers" and config["name"] == "fineweb_edu_classifier"
    classifier = load_classifier(folder, device="cpu", batch_tokens=2048)
    scores = classifier.score(texts)
    expected = np.clip(direct_forward(folder, texts)[:, 0], 0, 5)
    np.testing.assert_allclose(scores, expected, atol=1e-4)
    assert scores.std() > 0.05  # the texts get different scores
    assert classifier.truncated == sum(len(classifier.tokenizer(t)["input_ids"]) > 512 for t in texts) > 0
    ints = classifier.int_scores(scores)
    assert list(ints) == [int(round(min(max(s, 0), 5))) for s in scores]


def test_classification_heads(tmp_path, texts):
    graded = load_classifier(build_model(tmp_path / "graded", num_labels=6, bias=0.0), device="cpu")
    logits = direct_forward(tmp_path / "graded", texts[:4])
    probabilities = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)
    np.testing.assert_allclose(graded.score(texts[:4]), probabilities @ np.arange(6), atol=1e-4)
    binary = load_classifier(build_model(tmp_path / "binary", num_labels=2, bias=0.0), device="cpu")
    assert binary.label_kind == "binary"
    logits = direct_forward(tmp_path / "binary", texts[:4])
    expected = np.exp(logits[:, 1]) / np.exp(logits).sum(axis=1)
    np.testing.assert_allclose(binary.score(texts[:4]), expected, atol=1e-4)


def test_scorer_step_writes_the_score_contract(tmp_path, texts):
    folder = build_model(tmp_path / "stack-edu-classifier-python", num_labels=1)
    step = ClassifierScorer(str(folder), batch_size=5)
    docs = [Document(text=t, id=str(i)) for i, t in enumerate(texts)]
    scored = list(step.run(iter(docs)))
    expected = np.clip(direct_forward(folder, texts)[:, 0], 0, 5)
    for doc, value in zip(scored, expected, strict=True):
        assert doc.metadata["stack_edu_classifier_python_score"] == pytest.approx(value, abs=1e-4)
        assert doc.metadata["stack_edu_classifier_python_int_score"] == int(np.rint(value))


def test_device_choice_and_dtype(tmp_path):
    from smolcorpus.classifiers.base import ModelFolderError
    from smolcorpus.classifiers.transformers_classifier import resolve_device

    assert resolve_device("auto") == ("cuda" if torch.cuda.is_available() else "cpu")
    if not torch.cuda.is_available():
        with pytest.raises(ModelFolderError, match="no CUDA device"):
            resolve_device("cuda:0")
    folder = build_model(tmp_path / "m", num_labels=1)
    with pytest.raises(ValueError, match="dtype must be one of"):
        load_classifier(folder, dtype="float64")
    half = load_classifier(folder, device="cpu", dtype="bfloat16")
    assert half.score(["A short text about fractions."]).shape == (1,)


def test_classifier_score_command_with_a_published_format_model(tmp_path, texts):
    """`smolcorpus classifier score FOLDER INPUT --device cpu`: Parquet with the scores of a direct forward pass."""
    import subprocess
    import sys

    import pyarrow.parquet as pq

    folder = build_model(tmp_path / "finemath-classifier", num_labels=1)
    data = tmp_path / "docs.jsonl"
    data.write_text("".join(json.dumps({"id": str(i), "text": t}) + "\n" for i, t in enumerate(texts[:6])))
    result = subprocess.run([sys.executable, "-m", "smolcorpus.cli", "--quiet", "classifier", "score", str(folder),
                             str(data), "--output", str(tmp_path / "scored"), "--device", "cpu"],
                            capture_output=True, text=True)  # fmt: skip
    assert result.returncode == 0, result.stderr[-2000:]
    rows = sorted(pq.read_table(tmp_path / "scored").to_pylist(), key=lambda r: int(r["id"]))
    expected = np.clip(direct_forward(folder, texts[:6])[:, 0], 0, 5)
    np.testing.assert_allclose([r["finemath_classifier_score"] for r in rows], expected, atol=1e-4)


def test_stack_edu_run_scores_with_a_published_format_model(tmp_path, shared_data):
    """A `stack_edu` run over a real source tree (TheAlgorithms/Python, MIT) with `scoring.models.Python` = a
    transformers classifier folder: every curated file carries the model's score (a direct forward pass of its
    text) and its rounding as int score."""
    import shutil

    import pyarrow.parquet as pq

    from smolcorpus.config import validate_config
    from smolcorpus.run import run_config

    tree = tmp_path / "TheAlgorithms__Python"
    shutil.copytree(shared_data / "code" / "python" / "TheAlgorithms__Python", tree)
    folder = build_model(tmp_path / "stack-edu-classifier-python", num_labels=1)
    config = validate_config({
        "pipeline": "stack_edu", "output_dir": str(tmp_path / "out"),
        "stack_edu": {"source_trees": {"roots": [str(tree)], "licenses": ["MIT"]}, "languages": ["Python"],
                      "scoring": {"models": {"Python": str(folder)}, "default_threshold": 0}},
        "executor": {"tasks": 1, "workers": 1},
    })  # fmt: skip
    run_config(config, quiet=True)
    rows = [
        row for path in (tmp_path / "out" / "curated").rglob("*.parquet") for row in pq.read_table(path).to_pylist()
    ]
    assert len(rows) >= 25  # all but the rule-filtered files (threshold 0)
    expected = np.clip(direct_forward(folder, [row["text"] for row in rows[:5]])[:, 0], 0, 5)
    np.testing.assert_allclose([row["score"] for row in rows[:5]], expected, atol=1e-3)
    assert all(row["int_score"] == int(np.rint(row["score"])) for row in rows)


def test_token_budget_batches_cover_every_text_once_within_the_budget():
    from smolcorpus.classifiers.transformers_classifier import token_budget_batches

    lengths = [5, 512, 40, 40, 3, 700, 128, 1, 64]
    batches = token_budget_batches(lengths, 256)
    flat = np.concatenate(batches)
    assert sorted(flat.tolist()) == list(range(len(lengths)))
    assert [lengths[i] for i in flat] == sorted(lengths)  # shortest first
    for batch in batches:
        assert len(batch) == 1 or len(batch) * max(lengths[i] for i in batch) <= 256
    assert [len(b) for b in batches][-2:] == [1, 1]  # the texts longer than the budget go alone


def test_encoder_batches_by_tokens_and_returns_texts_in_order(texts):
    """Token-budget batching changes how texts are grouped, not what each gets: tiny and large budgets agree."""
    from smolcorpus.classifiers.encoder import Encoder

    encoder = Encoder(None, max_length=128, device="cpu")
    sample = texts[:6] + ["short text", "x"]
    one_by_one = np.stack([encoder.embed([t])[0] for t in sample])
    np.testing.assert_allclose(encoder.embed(sample, batch_tokens=64), one_by_one, atol=1e-5)
    np.testing.assert_allclose(encoder.embed(sample, batch_size=3, batch_tokens=100_000), one_by_one, atol=1e-5)
