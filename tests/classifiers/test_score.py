import json
import subprocess
import sys

import pyarrow.parquet as pq
import pytest
from datatrove.data import Document

from smolcorpus.classifiers.base import ModelFolderError, load_classifier
from smolcorpus.classifiers.score import ClassifierScorer, ScoreThresholdFilter


def smolcorpus(*args):
    return subprocess.run([sys.executable, "-m", "smolcorpus.cli", *args], capture_output=True, text=True)


@pytest.fixture(scope="module")
def math_model_dir(math_labels, tmp_path_factory):
    folder = tmp_path_factory.mktemp("models") / "math"
    result = smolcorpus("classifier", "train", "--kind", "fasttext", "--data", str(math_labels), "--labels", "binary",
                        "--output", str(folder))  # fmt: skip
    assert result.returncode == 0, result.stderr[-2000:]
    assert "trained fasttext classifier 'math'" in result.stdout
    return folder


def test_scorer_tags_then_filter_decides(math_model_dir, math_labels):
    rows = [json.loads(line) for line in math_labels.read_text().splitlines()]
    docs = [Document(text=r["text"], id=r["id"]) for r in rows]
    scorer = ClassifierScorer(str(math_model_dir), batch_size=16)
    scored = list(scorer.run(iter(docs)))
    assert all({"math_score", "math_int_score"} <= set(d.metadata) for d in scored)
    assert scorer.stats["scored"].total == len(docs)
    kept = list(ScoreThresholdFilter("math", 1).run(iter(scored)))
    math_ids = {r["id"] for r in rows if r["score"] == 1}
    kept_ids = {d.id for d in kept}
    assert len(kept_ids & math_ids) >= 0.8 * len(math_ids)  # scored on its own training data: most kept
    assert len(kept_ids - math_ids) <= 0.05 * (len(rows) - len(math_ids))
    assert kept == [d for d in scored if d.metadata["math_int_score"] >= 1]


def test_cli_evaluate_and_score(math_model_dir, math_labels, real_corpus, tmp_path):
    report = tmp_path / "report"
    result = smolcorpus("classifier", "evaluate", str(math_model_dir), "--data", str(math_labels), "--labels",
                        "binary", "--report", str(report))  # fmt: skip
    assert result.returncode == 0, result.stderr[-2000:]
    assert json.loads((report / "metrics.json").read_text())["roc_auc"] > 0.9

    out = tmp_path / "scored"
    result = smolcorpus("classifier", "score", str(math_model_dir), str(real_corpus / "articles"), "--output",
                        str(out), "--tasks", "2")  # fmt: skip
    assert result.returncode == 0, result.stderr[-2000:]
    table = pq.read_table(list(out.glob("*.parquet")))
    assert table.num_rows == 181
    assert {"math_score", "math_int_score", "text", "id"} <= set(table.column_names)


def test_bad_model_folder_is_a_clear_error(tmp_path, math_model_dir):
    with pytest.raises(ModelFolderError, match="no config.json"):
        ClassifierScorer(str(tmp_path))
    config = json.loads((math_model_dir / "config.json").read_text())
    (tmp_path / "config.json").write_text(json.dumps({**config, "format": "smolcorpus.classifier.v0"}))
    with pytest.raises(ModelFolderError, match="retrain it with this version"):
        load_classifier(tmp_path)


def test_cli_rejects_unknown_hyper_parameters(math_labels, tmp_path):
    config = tmp_path / "hp.yaml"
    config.write_text("epochs: 3\n")
    result = smolcorpus("classifier", "train", "--kind", "fasttext", "--data", str(math_labels), "--output",
                        str(tmp_path / "m"), "--config", str(config))  # fmt: skip
    assert result.returncode == 2 and "unknown fasttext setting(s) ['epochs']" in result.stderr


def test_per_language_scores_and_thresholds(math_model_dir):
    from smolcorpus.classifiers.score import LanguageThresholdFilter, PerLanguageScorer
    from smolcorpus.config import CodeScoringConfig

    defaults = CodeScoringConfig()  # steps add no thresholds or sizes of their own: the config holds them
    docs = [Document(text="public class A { }", id="j", metadata={"language": "Java"}),
            Document(text="def f(): pass", id="p", metadata={"language": "Python"}),
            Document(text="fn main() {}", id="r", metadata={"language": "Rust"})]  # fmt: skip
    scorer = PerLanguageScorer({"Java": str(math_model_dir), "Python": str(math_model_dir)}, None, "edu",
                               defaults.batch_size)  # fmt: skip
    scored = {d.id: d for d in scorer.run(iter(docs))}
    assert "edu_int_score" in scored["j"].metadata and "edu_int_score" not in scored["r"].metadata
    assert scorer.stats["unscored_Rust"].total == 1 and scorer.stats["scored"].total == 2
    threshold = LanguageThresholdFilter("edu", defaults.thresholds, defaults.default_threshold)
    for doc_id, score in (("j", 2), ("p", 2)):
        scored[doc_id].metadata["edu_int_score"] = score
    assert threshold.filter(scored["j"]) is True  # Java keeps 2 and up (Stack-Edu)
    assert threshold.filter(scored["p"]) == (False, "below_threshold_Python")
    assert threshold.filter(scored["r"]) == (False, "missing_edu_int_score")
    # a user who wants Java at 3 like the rest removes its entry: the filter adds no threshold of its own
    without_java = LanguageThresholdFilter("edu", {}, defaults.default_threshold)
    assert without_java.filter(scored["j"]) == (False, "below_threshold_Java")
