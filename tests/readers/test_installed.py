from pathlib import Path

from smolcorpus.readers.installed import InstalledDocumentsReader, installed_documents, installed_source_trees


def test_installed_documents_are_real_text():
    documents = installed_documents()
    sources = {doc.metadata["source"] for doc in documents}
    assert sources == {"package-readme", "python-help"}
    assert all(len(doc.text) > 20 for doc in documents)
    assert [doc.id for doc in documents] == sorted(doc.id for doc in documents)
    assert any("datatrove" in doc.id for doc in documents)  # a dependency's README


def test_reader_shards_the_documents():
    ids = [[doc.id for doc in InstalledDocumentsReader().run(rank=r, world_size=3)] for r in range(3)]
    flat = [i for part in ids for i in part]
    assert sorted(flat) == [doc.id for doc in installed_documents()]
    assert len(set(flat)) == len(flat)


def test_installed_source_trees_carry_their_declared_licences():
    trees = {tree.repo_name: tree for tree in installed_source_trees()}
    assert {"pypi/datatrove", "pypi/pydantic", "pypi/PyYAML"} <= set(trees)
    assert trees["pypi/datatrove"].license == "Apache-2.0" and trees["pypi/PyYAML"].license == "MIT"
    assert all(Path(tree.root, "__init__.py").is_file() for tree in trees.values())
