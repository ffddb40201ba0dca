"""MinHash near-dedup (datatrove's four stages, wired by smolcorpus) on the real code files: the vendored
XSLT MathML library copied into two repositories must come out as near-duplicates, one copy kept."""

import gzip
import json

from datatrove.pipeline.writers import JsonlWriter

from smolcorpus.config import DedupConfig, ExecutorConfig
from smolcorpus.dedup.minhash import minhash_filter
from smolcorpus.pipelines.dedup import minhash_stages, settings_minhash_config
from smolcorpus.readers import DocumentFileReader
from smolcorpus.runtime.executors import run_stages
from smolcorpus.runtime.stage import Stage

VENDORED_PAIRS = [("cmarkup.xsl", "xslt"), ("README", "text"), ("entities.xsl", "xslt")]


def test_vendored_copies_are_near_duplicates(shared_data, tmp_path):
    corpus = tmp_path / "code"
    corpus.mkdir()
    entries = [json.loads(line) for line in (shared_data / "code" / "index.jsonl").read_text().splitlines()]
    for part in range(3):
        with gzip.open(corpus / f"part-{part}.jsonl.gz", "wt") as f:
            for entry in entries[part::3]:
                text = (shared_data / entry["file"]).read_bytes().decode("utf-8", errors="replace")
                f.write(json.dumps({"id": entry["file"], "text": text, "repo_name": entry["repo"]}) + "\n")

    output = tmp_path / "deduped"
    work = str(tmp_path / "minhash")
    config = settings_minhash_config(DedupConfig())  # the corpus pipelines' default banding
    stages = minhash_stages(lambda: DocumentFileReader([str(corpus)]), work_dir=work, tasks=3, config=config)
    # the caller removes what the stages found, in a stage of its own over the same documents
    remove = [DocumentFileReader([str(corpus)]), minhash_filter(work),
              JsonlWriter(str(output), output_filename="${rank}.jsonl.gz")]  # fmt: skip
    stages.append(Stage("minhash_filter", remove, 3))
    results = run_stages(stages, ExecutorConfig(tasks=3, workers=2), logs_root=str(tmp_path / "logs"), run_name="t")
    assert [r.name for r in results] == ["minhash_signatures", "minhash_buckets", "minhash_clusters", "minhash_filter"]

    kept = set()
    for path in output.glob("*.jsonl.gz"):
        with gzip.open(path, "rt") as f:
            kept.update(json.loads(line)["id"] for line in f)
    removed = {e["file"] for e in entries} - kept
    for name, _ in VENDORED_PAIRS:
        copies = [e["file"] for e in entries if e["file"].endswith(f"mmltex/{name}")]
        assert len(copies) == 2
        assert len(set(copies) & removed) == 1, f"exactly one copy of {name} should be removed"
    # little else is a near-duplicate in this sample of distinct repositories
    assert len(removed) <= len(VENDORED_PAIRS) + 5, sorted(removed)
