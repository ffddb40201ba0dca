"""Reading a stage's intermediate JSONL.gz in a later stage: real documents with their metadata come back as
written, and a stage whose every document was dropped leaves a later stage nothing to read, not an error."""

from datatrove.data import Document
from datatrove.pipeline.writers import JsonlWriter

from smolcorpus.readers.intermediate import IntermediateReader


def test_documents_come_back_as_written(real_documents, tmp_path):
    written = [Document(text=text, id=doc_id, metadata={"language": "en", "score": 0.5})
               for doc_id, text in sorted(real_documents.items())[:50]]  # fmt: skip
    with JsonlWriter(str(tmp_path / "filtered"), output_filename="${rank}.jsonl", compression="gzip") as writer:
        for document in written:
            writer.write(document, rank=0)
    read = list(IntermediateReader(str(tmp_path / "filtered")).run())
    assert [(d.id, d.text, d.metadata["language"], d.metadata["score"]) for d in read] == [
        (d.id, d.text, "en", 0.5) for d in written
    ]


def test_an_empty_or_missing_stage_output_reads_as_nothing(tmp_path):
    (tmp_path / "empty").mkdir()
    for folder in (tmp_path / "empty", tmp_path / "missing"):
        reader = IntermediateReader(str(folder))
        assert list(reader.run()) == []
        assert reader.stats["empty_input"].total == 1
