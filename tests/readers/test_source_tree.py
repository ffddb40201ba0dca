import subprocess
from pathlib import Path

import pytest

from smolcorpus.readers.source_tree import (
    SourceTreeReader,
    declared_license,
    detect_license,
    git_blob_id,
    list_source_files,
)


def read_all(reader, world_size=1):
    return [doc for rank in range(world_size) for doc in reader.run(rank=rank, world_size=world_size)]


def test_reads_a_real_tree_with_repo_relative_paths(shared_data):
    root = shared_data / "code" / "python" / "TheAlgorithms__Python"
    docs = read_all(SourceTreeReader([str(root)], repo_names=["TheAlgorithms/Python"]))
    expected = list_source_files(root)
    assert len(docs) == len(expected) > 20
    doc = next(d for d in docs if d.metadata["path"] == "sorts/bogo_sort.py")
    assert doc.id == "TheAlgorithms/Python/sorts/bogo_sort.py"
    assert doc.metadata["language"] == "Python" and doc.metadata["repo_name"] == "TheAlgorithms/Python"
    assert doc.text == (root / "sorts" / "bogo_sort.py").read_text()
    assert doc.metadata["length_bytes"] == (root / "sorts" / "bogo_sort.py").stat().st_size


def test_blob_id_is_gits_object_id(tmp_path):
    content = b"print('hello')\n"
    (tmp_path / "a.py").write_bytes(content)
    git = subprocess.run(["git", "hash-object", str(tmp_path / "a.py")], capture_output=True, text=True)
    assert git_blob_id(content) == git.stdout.strip()


def test_bad_files_are_skipped_with_reasons(tmp_path):
    (tmp_path / "ok.py").write_text("x = 1\n")
    (tmp_path / "binary.c").write_bytes(b"int main\x00\x01\x02")
    (tmp_path / "latin1.js").write_bytes(b"var s = 'caf\xe9';\n")
    (tmp_path / "big.go").write_text("// x\n" * 300)
    (tmp_path / "gone.rs").symlink_to(tmp_path / "missing.rs")
    (tmp_path / "notes.txt").write_text("not source")
    (tmp_path / ".git").mkdir()
    (tmp_path / ".git" / "hook.sh").write_text("echo hi\n")
    reader = SourceTreeReader([str(tmp_path)], max_bytes=1000)
    docs = read_all(reader)
    assert [d.metadata["path"] for d in docs] == ["ok.py"]
    stats = {key: value.total for key, value in reader.stats.stats.items()}
    assert stats["dropped_binary"] == 1 and stats["dropped_undecodable"] == 1
    assert stats["dropped_too_large"] == 1 and stats["dropped_unreadable"] == 1


def test_license_from_the_root_file(tmp_path, shared_data):
    assert detect_license(tmp_path) == ([], "no_license")
    (tmp_path / "LICENSE").write_text("MIT License\n\nPermission is hereby granted, free of charge, to any person")
    assert detect_license(tmp_path) == (["MIT"], "permissive")
    (tmp_path / "LICENSE").write_text("GNU GENERAL PUBLIC LICENSE\nVersion 3, 29 June 2007")
    assert detect_license(tmp_path) == (["GPL-3.0"], "non_permissive")


def test_tasks_split_files_without_overlap(shared_data):
    root = shared_data / "code" / "cpp" / "TheAlgorithms__C-Plus-Plus"
    ids = [d.id for d in read_all(SourceTreeReader([str(root)]), world_size=3)]
    assert len(ids) == len(set(ids)) == len(list_source_files(Path(root)))


def test_declared_licences():
    assert declared_license("MIT") == (["MIT"], "permissive")
    assert declared_license("Apache-2.0 OR BSD-2-Clause") == (["Apache-2.0", "BSD-2-Clause"], "permissive")
    assert declared_license("MPL-2.0 AND MIT") == (["MPL-2.0", "MIT"], "non_permissive")
    assert declared_license("GPL-3.0-or-later")[1] == "non_permissive"


def test_symlinks_out_of_the_tree_are_not_read(tmp_path):
    """A tree with `passwd.py → /etc/passwd`, a link to a file of another folder, a link to a file of the tree
    and a link to a folder outside: only the tree's own file is read, once; the others are counted drops."""
    tree, outside = tmp_path / "repo", tmp_path / "outside"
    tree.mkdir()
    outside.mkdir()
    (outside / "secret.py").write_text("API_KEY = 'not for the corpus'\n")
    (tree / "real.py").write_text("def add(a, b):\n    return a + b\n")
    (tree / "passwd.py").symlink_to("/etc/passwd")
    (tree / "secret.py").symlink_to(outside / "secret.py")
    (tree / "alias.py").symlink_to(tree / "real.py")
    (tree / "etc").symlink_to("/etc", target_is_directory=True)
    reader = SourceTreeReader([str(tree)])
    docs = read_all(reader)
    assert [d.metadata["path"] for d in docs] == ["real.py"]
    assert not any("root:" in d.text or "API_KEY" in d.text for d in docs)
    stats = {key: value.total for key, value in reader.stats.stats.items()}
    assert stats["dropped_outside_tree"] == 2 and stats["dropped_duplicate_symlink"] == 1


def test_a_symlink_to_an_unlisted_file_of_the_tree_is_read_once(tmp_path):
    (tmp_path / ".hg").mkdir()  # a folder the walk does not enter
    (tmp_path / ".hg" / "lib.js").write_text("export const one = 1;\n")
    (tmp_path / "lib.js").symlink_to(tmp_path / ".hg" / "lib.js")
    docs = read_all(SourceTreeReader([str(tmp_path)]))
    assert [d.metadata["path"] for d in docs] == ["lib.js"] and "one = 1" in docs[0].text


def test_a_symlink_to_a_file_without_extension_takes_its_language_from_its_own_name(tmp_path):
    """`tool.py → bin/tool` (a script without extension, as bin/ folders hold): read as Python, and when it cannot
    be read (a binary target) dropped with its reason, not a crash on the target's missing extension."""
    (tmp_path / ".hidden").mkdir()
    (tmp_path / ".hidden" / "tool").write_text("print('hello')\n")
    (tmp_path / ".hidden" / "blob").write_bytes(b"\x00\x01binary")
    (tmp_path / "tool.py").symlink_to(tmp_path / ".hidden" / "tool")
    (tmp_path / "blob.py").symlink_to(tmp_path / ".hidden" / "blob")
    reader = SourceTreeReader([str(tmp_path)])
    docs = read_all(reader)
    assert [(d.metadata["path"], d.metadata["language"]) for d in docs] == [("tool.py", "Python")]
    assert reader.stats["dropped_binary"].total == 1


def test_a_file_name_that_is_not_utf8_is_read_and_its_path_stored_escaped(tmp_path, shared_data):
    """`bad\\xff\\xfe.py` crashed the filter task in the JSONL writer (lone surrogates): the file is read, its path is
    stored with `\\xNN` escapes, and the writer the pipeline uses writes it."""
    import gzip
    import json
    import os

    from datatrove.pipeline.writers import JsonlWriter

    code = (shared_data / "code" / "python" / "TheAlgorithms__Python" / "sorts" / "bogo_sort.py").read_bytes()
    tree = tmp_path / "tree"
    tree.mkdir()
    try:
        (tree / os.fsdecode(b"bad\xff\xfe.py")).write_bytes(code)
    except (OSError, UnicodeEncodeError) as e:  # a filesystem that refuses such names
        pytest.skip(f"cannot create a non-UTF-8 file name here: {e}")
    (tree / "ok.py").write_bytes(code)
    docs = list(SourceTreeReader([str(tree)], repo_names=["x/y"]).run())
    assert sorted(doc.metadata["path"] for doc in docs) == ["bad\\xff\\xfe.py", "ok.py"]
    assert all(doc.text == code.decode() for doc in docs)
    writer = JsonlWriter(str(tmp_path / "out"), output_filename="${rank}.jsonl", compression="gzip")
    with writer:
        for doc in docs:
            writer.write(doc, rank=0)
    with gzip.open(next((tmp_path / "out").iterdir()), "rt") as f:
        written = [json.loads(line) for line in f]
    assert sorted(row["id"] for row in written) == ["x/y/bad\\xff\\xfe.py", "x/y/ok.py"]
