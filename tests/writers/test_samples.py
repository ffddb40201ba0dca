"""Samples for the report on real documents: the choice is the k smallest keyed hashes per group, the same with one
task, two tasks in another order, and a rerun; memory stays k records per group; raw HTML becomes readable text."""

from __future__ import annotations

import gzip
import json

import pytest
from datatrove.data import Document

from smolcorpus.writers.samples import (
    GroupSample,
    KeptSampler,
    group_label,
    html_to_text,
    read_samples,
    sample_key,
    sample_record,
)
from tests.conftest import EDU_GRADES


@pytest.fixture(scope="module")
def code_documents(shared_data) -> list[Document]:
    """The 322 real source files, with their language and repository (as the Stack-Edu readers tag them)."""
    documents = []
    for line in (shared_data / "code" / "index.jsonl").read_text().splitlines():
        entry = json.loads(line)
        metadata = {"language": entry["language"], "repo_name": entry["repo"], "path": entry["path"],
                    "edu_int_score": EDU_GRADES[entry["edu_hint"]]}  # fmt: skip
        text = (shared_data / entry["file"]).read_text(errors="replace")
        documents.append(Document(text=text, id=entry["file"], metadata=metadata))
    return documents


@pytest.fixture(scope="module")
def math_pages(shared_data) -> list[Document]:
    """The real math pages of ../shared/data/math_html, as raw HTML documents."""
    pages = []
    for line in (shared_data / "math_html" / "INDEX.jsonl").read_text().splitlines():
        entry = json.loads(line)
        body = (shared_data / entry["file"]).read_bytes()
        body = gzip.decompress(body) if entry["file"].endswith(".gz") else body
        pages.append(
            Document(text=body.decode("utf-8", errors="replace"), id=entry["file"], metadata={"url": entry["url"]})
        )
    return pages


def sample_files(folder) -> dict[str, bytes]:
    return {path.name: path.read_bytes() for path in sorted(folder.glob("*.jsonl.gz"))}


def test_one_task_two_tasks_and_a_rerun_choose_the_same_samples(code_documents, tmp_path):
    keys = ("language", "edu_int_score")
    list(KeptSampler(str(tmp_path / "one"), keys).run(iter(code_documents), rank=0))
    halves = (code_documents[1::2][::-1], code_documents[::2])  # other split, other order
    for rank, part in enumerate(halves):
        passed = list(KeptSampler(str(tmp_path / "two"), keys).run(iter(part), rank=rank, world_size=2))
        assert passed == part  # a pass-through step
    one, two = read_samples(str(tmp_path / "one")), read_samples(str(tmp_path / "two"))
    assert one == two and len(one) >= 10
    # the choice is the 3 smallest keyed hashes of each group's ids, and only that
    for group, records in one.items():
        members = [d.id for d in code_documents if group_label(d.metadata, keys) == group]
        assert [r["id"] for r in records] == sorted(members, key=lambda i: (sample_key(0, i), i))[:3]
        assert all(r["group"] == group and r["text"] and not r["html"] for r in records)
    # a rerun of task 1 rewrites its file with the same bytes, and the merge does not count its samples twice
    before = sample_files(tmp_path / "two")
    list(KeptSampler(str(tmp_path / "two"), keys).run(iter(halves[1]), rank=1, world_size=2))
    assert sample_files(tmp_path / "two") == before
    (tmp_path / "two" / "00002.jsonl.gz").write_bytes(before["00001.jsonl.gz"])  # an old copy of the same task
    assert read_samples(str(tmp_path / "two")) == one
    # another seed chooses other documents
    list(KeptSampler(str(tmp_path / "seeded"), keys, seed=7).run(iter(code_documents)))
    assert read_samples(str(tmp_path / "seeded")) != one


def test_memory_stays_k_records_per_group_whatever_the_input(code_documents):
    sample = GroupSample(per_group=3, max_groups=4)
    built = 0

    def record(document):
        nonlocal built
        built += 1
        return sample_record(document)

    stream = [Document(text=d.text, id=f"{d.id}#{copy}", metadata=d.metadata) for copy in range(30)
              for d in code_documents]  # fmt: skip
    for document in stream:
        sample.offer(document.metadata["language"], sample_key(0, document.id), document.id,
                     lambda document=document: record(document))  # fmt: skip
    assert len(sample.groups) == 4 and all(len(entries) == 3 for entries in sample.groups.values())
    assert sample.refused == sum(d.metadata["language"] not in sample.groups for d in stream) > 0
    # records are built only for documents that enter the k smallest: ~k·ln(n/k) per group, not n
    assert built < 200 < len(stream)
    huge = Document(text="<p>" + "long line of a hostile page " * 400_000 + "</p>", id="x" * 10_000,
                    metadata={"url": "https://example.org/" + "a" * 100_000})  # fmt: skip
    cut = sample_record(huge, html=True)
    assert len(cut["text"]) == 1_500 and cut["text_cut"] and cut["text_chars"] == len(huge.text)
    assert len(cut["id"]) == 300 and len(cut["metadata"]["url"]) == 300


def test_html_pages_are_sampled_as_readable_text(math_pages):
    for page in math_pages[:8]:
        text = html_to_text(page.text)
        assert text and "<div" not in text and "<script" not in text and "function(" not in text
    record = sample_record(math_pages[1], html=True, step="prefilter", reason="no_math_signal")
    assert record["text"].startswith("visual - Which duplo digit is 6 or 9? - Puzzling Stack Exchange\n")
    assert record["html"] and record["step"] == "prefilter" and record["reason"] == "no_math_signal"
    assert record["metadata"] == {
        "url": "https://puzzling.stackexchange.com/questions/126764/which-duplo-digit-is-6-or-9"
    }
    assert html_to_text("") == "" and html_to_text(" \n ") == ""
