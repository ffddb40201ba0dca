import gzip
import json

from datatrove.data import Document
from datatrove.pipeline.writers import JsonlWriter

from smolcorpus.config import ExecutorConfig
from smolcorpus.dedup import exact_dedup_filter, normalized_content
from smolcorpus.pipelines.dedup import exact_dedup_stages
from smolcorpus.readers import DocumentFileReader
from smolcorpus.runtime.executors import run_stages
from smolcorpus.runtime.stage import Stage


def test_normalized_content_ignores_line_endings_and_trailing_spaces():
    assert normalized_content(Document(text="a  \r\nb\t\n\n", id="1")) == normalized_content(
        Document(text="a\nb", id="2")
    )


def test_exact_copies_across_files_keep_one(shared_data, tmp_path):
    corpus = tmp_path / "code"
    corpus.mkdir()
    entries = [json.loads(line) for line in (shared_data / "code" / "index.jsonl").read_text().splitlines()][:40]
    texts = {e["file"]: (shared_data / e["file"]).read_text(errors="replace") for e in entries}
    copies = {f"copy-of/{name}": text.replace("\n", "\r\n") for name, text in list(texts.items())[:5]}
    for part, items in enumerate((list(texts.items()), list(copies.items()))):
        with gzip.open(corpus / f"part-{part}.jsonl.gz", "wt") as f:
            for doc_id, text in items:
                f.write(json.dumps({"id": doc_id, "text": text}) + "\n")
    output = tmp_path / "out"
    work = str(tmp_path / "exact")
    stages = exact_dedup_stages(lambda: DocumentFileReader([str(corpus)]), work_dir=work, tasks=2)
    remove = [DocumentFileReader([str(corpus)]), exact_dedup_filter(work),
              JsonlWriter(str(output), output_filename="${rank}.jsonl.gz")]  # fmt: skip
    stages.append(Stage("exact_filter", remove, 2))
    run_stages(stages, ExecutorConfig(tasks=2, workers=2), logs_root=str(tmp_path / "logs"), run_name="t")
    kept = []
    for path in output.glob("*.jsonl.gz"):
        with gzip.open(path, "rt") as f:
            kept.extend(json.loads(line)["id"] for line in f)
    assert len(kept) == len(set(kept)) == len(texts)
    for name in list(texts)[:5]:
        assert (name in kept) != (f"copy-of/{name}" in kept)  # exactly one of each pair survives
