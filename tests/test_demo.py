from smolcorpus.demo import run_demo
from smolcorpus.readers.installed import installed_documents
from smolcorpus.tokenize import read_manifest


def test_demo_runs_offline_end_to_end(tmp_path):
    summary = run_demo(tmp_path / "demo", tasks=2, workers=2)
    documents = installed_documents()
    manifest = read_manifest(str(tmp_path / "demo" / "tokens"))
    assert manifest["num_documents"] == len(documents) > 50
    assert manifest["num_tokens"] > 100_000
    assert f"tokenized   {len(documents):,} documents" in summary
    assert "training sequences of 2048 tokens" in summary
    # a second run resumes: nothing is recomputed, the result is the same
    again = run_demo(tmp_path / "demo", tasks=2, workers=2)
    assert read_manifest(str(tmp_path / "demo" / "tokens"))["shards"] == manifest["shards"]
    assert "smolcorpus demo: done" in again
