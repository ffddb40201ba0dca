"""One listing rule for every reader: hidden names skipped, sorted by path, a file named directly kept as given."""

import os
from pathlib import Path

import pytest

from smolcorpus.errors import InputFileError
from smolcorpus.readers.documents import list_document_files
from smolcorpus.readers.listing import list_input_files
from smolcorpus.readers.source_tree import list_source_files
from smolcorpus.readers.stack_v2 import list_row_files
from smolcorpus.readers.warc import list_warc_files


def test_every_reader_lists_a_folder_by_the_same_rule(tmp_path):
    """Documents, Stack v2 rows, WARCs and source trees: files in nested folders in path order, hidden files and
    folders (`.cache/`, `.part.*`) skipped, names starting with "_" read like any other, files of other kinds left
    out, a symlinked folder not followed (this one loops back to the root). Source trees skip only version control
    and cache folders: a repository's `.github` and dot-files are part of it."""
    listers = {".jsonl": list_document_files, ".parquet": list_row_files, ".warc.gz": list_warc_files,
               ".py": lambda paths: [str(p) for p in list_source_files(Path(paths[0]))]}  # fmt: skip
    for suffix, lister in listers.items():
        root = tmp_path / suffix.strip(".")
        names = ["b/z", "a", "_under", "b/a", "b/c/d", ".part", ".cache/x", "b/.hidden/y", ".git/h", "__pycache__/p"]
        for name in names:
            (root / name).parent.mkdir(parents=True, exist_ok=True)
            (root / f"{name}{suffix}").write_bytes(b"")
        (root / "notes.txt").write_text("other kind")
        (root / "b" / "loop").symlink_to(root, target_is_directory=True)
        expected = ["__pycache__/p", "_under", "a", "b/a", "b/c/d", "b/z"]
        if suffix == ".py":
            expected = [".cache/x", ".part", "_under", "a", "b/.hidden/y", "b/a", "b/c/d", "b/z"]
        assert lister([str(root)]) == [str(root / f"{name}{suffix}") for name in expected], suffix


def test_files_named_directly_are_kept_and_the_list_is_sorted_without_repeats(shared_data):
    """Real folders (the shared WARCs, the code repositories): a file named directly is kept as given, a folder's
    files are added, and the whole list is sorted and has no repeats."""
    warcs = shared_data / "warc"
    named = sorted(warcs.iterdir())[-1]
    files = list_warc_files([str(named), str(warcs)])
    assert files == sorted(set(files)) and str(named) in files and len(files) >= 15
    # the repositories hold hidden files (`.pre-commit-config.yaml`) and a `__tests__` folder, which is read
    code = shared_data / "code"
    listed = list_input_files([str(code)], lambda path: True)
    walked = [os.path.join(d, n) for d, _, names in os.walk(code) for n in names]
    hidden = [p for p in walked if "/." in p[len(str(code)) :]]
    assert listed == sorted(set(walked) - set(hidden)) and hidden and len(listed) > 100
    assert any("/__tests__/" in p for p in listed)


def test_a_missing_path_or_a_file_of_another_kind_is_an_input_error(tmp_path):
    (tmp_path / "notes.txt").write_text("x")
    with pytest.raises(InputFileError, match="no such file"):
        list_input_files([str(tmp_path / "missing")], lambda path: True)
    with pytest.raises(InputFileError, match="not a Parquet"):
        list_row_files([str(tmp_path / "notes.txt")])
    assert list_input_files([str(tmp_path / "notes.txt")], lambda path: False) == [str(tmp_path / "notes.txt")]
