import json

import pytest
from datatrove.data import Document

from smolcorpus.classifiers.base import read_model_config
from smolcorpus.classifiers.distill import distill
from smolcorpus.classifiers.embedding import EmbeddingParams
from smolcorpus.classifiers.labels import load_labels
from smolcorpus.classifiers.score import ClassifierScorer
from smolcorpus.classifiers.train import train_classifier

pytestmark = pytest.mark.slow  # trains an embedding teacher and a fastText student


@pytest.fixture(scope="module")
def code_teacher(code_labels, tmp_path_factory):
    folder = tmp_path_factory.mktemp("teacher")
    # 128 tokens a text: what distillation is checked for does not depend on the teacher's context length, and the
    # teacher's encoding (of 322 files to train, then of ~670 to distill) is most of this module's CPU (147 -> 87 s
    # with 256 -> 128; agreement F1 0.92, speedup 72x)
    params = EmbeddingParams(head="ridge", max_length=128, alpha=10.0)
    train_classifier("embedding", load_labels(str(code_labels)), folder, "code_edu", params)
    return folder


def test_student_agrees_with_teacher_and_is_much_faster(code_teacher, real_documents, tmp_path):
    ids = sorted(real_documents)
    texts = [real_documents[i] for i in ids]
    student, report = distill(code_teacher, ids, texts, tmp_path / "student")
    assert report.documents == len(texts) > 500
    assert report.agreement_f1 >= 0.8
    assert report.speedup >= 10
    config = read_model_config(tmp_path / "student")
    assert config["kind"] == "fasttext" and config["distilled_from"]["teacher_name"] == "code_edu"
    assert config["metrics"]["distillation"]["agreement_f1"] == report.agreement_f1


def test_embedding_scorer_counts_empty_and_truncated(code_teacher):
    scorer = ClassifierScorer(str(code_teacher), batch_size=4)
    docs = [Document(text="", id="empty"), Document(text="def f():\n    return 1\n" * 400, id="long"),
            Document(text="print('hello')", id="short")]  # fmt: skip
    out = {d.id: d.metadata for d in scorer.run(iter(docs))}
    assert "code_edu_score" not in out["empty"] and "code_edu_score" in out["short"]
    stats = {k: v.total for k, v in scorer.stats.stats.items()}
    assert stats["skipped_empty_text"] == 1 and stats["scored"] == 2 and stats["truncated_to_max_length"] == 1
    json.dumps(out)  # metadata stays serialisable (floats and ints, no numpy types)


def test_distill_command(code_teacher, real_corpus, tmp_path):
    import subprocess
    import sys

    result = subprocess.run(
        [sys.executable, "-m", "smolcorpus.cli", "classifier", "distill", str(code_teacher), "--data",
         str(real_corpus / "code"), "--sample", "150", "--output", str(tmp_path / "student")],
        capture_output=True, text=True,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr[-2000:]
    assert "agreement F1" in result.stdout
    assert read_model_config(tmp_path / "student")["metrics"]["distillation"]["documents"] == 150
