"""`smolcorpus classifier`: arguments, the errors reported before any data is read, the comparison table, and the
baseline warning of `classifier train` on real labels."""

import json
import subprocess
import sys

import pytest

from smolcorpus.cli import build_parser, main


def test_train_defaults_and_choices(capsys):
    args = build_parser().parse_args(["classifier", "train", "--data", "l.parquet", "--output", "m"])
    assert (args.kind, args.labels, args.validation_fraction, args.seed, args.name) == ("linear", "graded", 0.1, 42,
                                                                                        None)  # fmt: skip
    with pytest.raises(SystemExit) as exit_info:
        build_parser().parse_args(["classifier", "train", "--kind", "svm", "--data", "l", "--output", "m"])
    assert exit_info.value.code == 2 and "invalid choice: 'svm'" in capsys.readouterr().err


def test_score_and_evaluate_arguments():
    args = build_parser().parse_args(["classifier", "score", "model", "a.parquet", "b/", "--output", "o"])
    assert (args.inputs, args.batch_size, args.device, args.dtype, args.tasks) == (["a.parquet", "b/"], 64, "auto",
                                                                                   "float32", 1)  # fmt: skip
    args = build_parser().parse_args(["classifier", "evaluate", "m", "--data", "d", "--report", "r",
                                      "--threshold", "2", "--threshold", "4"])  # fmt: skip
    assert (args.thresholds, args.folds) == ([2.0, 4.0], 5)


def test_unknown_hyper_parameters_fail_before_the_data_is_read(tmp_path, capsys):
    config = tmp_path / "hp.yaml"
    config.write_text("epochs: 3\n")
    argv = ["classifier", "train", "--kind", "fasttext", "--data", str(tmp_path / "no-labels"), "--output",
            str(tmp_path / "m"), "--config", str(config)]  # fmt: skip
    assert main(argv) == 2
    assert "unknown fasttext setting(s) ['epochs']" in capsys.readouterr().err
    assert not (tmp_path / "m").exists()


def train(data, output, *flags) -> tuple[subprocess.CompletedProcess, dict]:
    """`smolcorpus classifier train` in a fresh process; (the result, the validation metrics it saved)."""
    command = [sys.executable, "-m", "smolcorpus.cli", "classifier", "train", "--data", str(data), "--output",
               str(output), *flags]  # fmt: skip
    result = subprocess.run(command, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr[-2000:]
    return result, json.loads((output / "config.json").read_text())["metrics"]["validation"]


def test_train_warns_only_when_a_baseline_decides_as_well(shared_data, tmp_path):
    """Issue 29: 806 Danish pages with human grades (threshold 1). The linear model has the better MSE and F1 and
    a lower ROC-AUC than TF-IDF: no warning, since a run filters on grade ≥ 1 (F1), not on the ranking. At
    threshold 2 it keeps no page and every baseline ties with it at F1 0: the warning names the metric and the
    margin."""
    data = shared_data / "labeled_edu" / "fineweb_c_danish_human" / "data.jsonl"
    result, metrics = train(data, tmp_path / "at1", "--threshold", "1")
    model, tfidf = metrics["headline"], metrics["baselines"]["tfidf"]
    assert model["f1"] > tfidf["f1"] and model["mse"] < tfidf["mse"] and model["roc_auc"] <= tfidf["roc_auc"]
    assert "warning" not in metrics and "warning" not in result.stderr
    assert metrics["deciding_metric"] == {"key": "f1", "name": "F1 of grade ≥ 1"}

    result, metrics = train(data, tmp_path / "at2", "--threshold", "2")
    assert metrics["headline"]["f1"] == 0 and metrics["baselines"]["tfidf"]["f1"] == 0
    warning = next(line for line in result.stderr.splitlines() if line.startswith("warning: "))
    assert "baseline(s) constant, length, tfidf on F1 of grade ≥ 2" in warning
    assert "the model 0.000; " in warning and "tfidf 0.000 (the same)" in warning
