import json

import numpy as np
import pytest

from smolcorpus.classifiers.labels import LabelsError, load_labels


def write_jsonl(path, rows):
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    return path


def test_out_of_range_and_missing_scores_are_skipped_and_counted(tmp_path):
    path = write_jsonl(tmp_path / "l.jsonl", [
        {"id": "a", "text": "x", "score": 3}, {"id": "b", "text": "y", "score": 7},
        {"id": "c", "text": "z", "score": -1}, {"id": "d", "text": "w", "score": None},
        {"id": "e", "text": "v", "score": "high"}, {"id": "f", "text": "u", "score": 2.4},
    ])  # fmt: skip
    data = load_labels(str(path))
    assert data.ids == ["a", "f"]
    assert data.skipped == {"missing_score": 2, "score_out_of_range": 2}
    assert list(data.int_labels()) == [3, 2]


def test_binary_labels_must_be_0_or_1(tmp_path):
    path = write_jsonl(tmp_path / "b.jsonl", [{"text": "x", "score": 1}, {"text": "y", "score": 0.5}])
    data = load_labels(str(path), kind="binary")
    assert len(data) == 1 and data.skipped["score_out_of_range"] == 1


def test_missing_columns_are_clear_errors(tmp_path):
    path = write_jsonl(tmp_path / "n.jsonl", [{"text": "x", "grade": 3}])
    with pytest.raises(LabelsError, match=r"no 'score' column .*columns are \['text', 'grade'\]"):
        load_labels(str(path))
    with pytest.raises(LabelsError, match=r"non-empty 'body' column; columns are \['text', 'grade'\]"):
        load_labels(str(path), text_column="body")
    assert len(load_labels(str(path), score_column="grade")) == 1


def test_datasets_folder_and_parquet(code_labels, tmp_path):
    import datasets

    parquet = load_labels(str(code_labels))
    assert len(parquet) == 322
    datasets.Dataset.from_parquet(str(code_labels)).save_to_disk(str(tmp_path / "ds"))
    folder = load_labels(str(tmp_path / "ds"))
    assert folder.ids == parquet.ids and np.array_equal(folder.scores, parquet.scores)
    assert folder.sha256() == parquet.sha256()


def test_stratified_split_keeps_every_label_in_both_parts(code_labels):
    data = load_labels(str(code_labels))
    train, validation = data.split(0.1, seed=42)
    assert len(train) + len(validation) == len(data)
    assert not set(train.ids) & set(validation.ids)
    assert set(np.unique(validation.int_labels())) == set(np.unique(data.int_labels()))
    assert data.split(0.1, seed=42)[1].ids == validation.ids


def test_zero_one_labels_read_as_grades_get_a_warning(tmp_path):
    path = write_jsonl(tmp_path / "z.jsonl", [{"text": "x", "score": 1}, {"text": "y", "score": 0}])
    assert "pass --labels binary" in load_labels(str(path)).warnings[0]
    assert load_labels(str(path), kind="binary").warnings == []


def test_csv_labels(tmp_path):
    (tmp_path / "l.csv").write_text('id,text,score\na,"An essay, with a comma",3\nb,Another text,5\n')
    data = load_labels(str(tmp_path / "l.csv"))
    assert data.ids == ["a", "b"] and list(data.scores) == [3.0, 5.0]
    (tmp_path / "m.csv").write_text("id,body,grade\na,text,3\n")
    with pytest.raises(LabelsError, match=r"columns are \['id', 'body', 'grade'\]"):
        load_labels(str(tmp_path / "m.csv"))
