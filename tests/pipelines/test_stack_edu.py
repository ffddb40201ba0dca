"""The stack_edu pipeline end to end on real code: the 322 files of ../shared/data/code live gzip-compressed in a
moto S3 server on 127.0.0.1 under content/{blob_id}; a Stack-v2-shaped Parquet file and a `datasets` folder hold
their rows plus bad rows, a benchmark copy and duplicates; a proxy throttles some requests. Classifiers are trained
on the same files' edu hints (a shared model and a Python one) so scoring and thresholds run for real."""

from __future__ import annotations

import gzip
import json
from collections import Counter
from html import escape as html_escape
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from smolcorpus.classifiers.fasttext_classifier import FastTextParams
from smolcorpus.classifiers.labels import load_labels
from smolcorpus.classifiers.train import train_classifier
from smolcorpus.config import validate_config
from smolcorpus.readers.source_tree import git_blob_id
from smolcorpus.run import run_config
from smolcorpus.tokenize import read_manifest
from smolcorpus.writers.curated import STACK_EDU_SCHEMA, language_slug
from tests.s3_server import ThrottlingProxy, s3_client, s3fs_options

pytestmark = pytest.mark.slow  # whole Stack-Edu runs on real source trees (minutes)

BUCKET = "stack-e2e"
PERMISSIVE = {"MIT", "Apache-2.0", "BSD-2-Clause", "CC-BY-4.0"}
RULE_STEPS = {"file_size", "vendored", "community", "generated", "minified", "encoded", "data_heavy", "line_length",
              "alphanumeric"}  # fmt: skip
LANGUAGES = ["C", "C#", "C++", "Go", "Java", "JavaScript", "Markdown", "PHP", "Python", "Ruby", "Rust", "SQL",
             "Shell", "Swift", "TypeScript", "XSLT"]  # fmt: skip


@pytest.fixture(scope="module")
def code_corpus(shared_data, s3_endpoint, code_labels, tmp_path_factory):
    """Rows, blobs, models and benchmark files; returns a dict of what the tests need."""
    import datasets

    s3 = s3_client(s3_endpoint)
    s3.create_bucket(Bucket=BUCKET)
    index = [json.loads(line) for line in (shared_data / "code" / "index.jsonl").read_text().splitlines()]
    rows, by_file = [], {}
    for entry in index:
        content = (shared_data / entry["file"]).read_bytes()
        blob_id = git_blob_id(content)
        s3.put_object(Bucket=BUCKET, Key=f"content/{blob_id}", Body=gzip.compress(content))
        spdx = entry["license"].split()[0].rstrip(";")
        row = {"blob_id": blob_id, "language": entry["language"], "repo_name": entry["repo"], "path": entry["path"],
               "src_encoding": "UTF-8", "length_bytes": len(content), "detected_licenses": [spdx],
               "license_type": "permissive" if spdx in PERMISSIVE else "non_permissive", "content": None}  # fmt: skip
        rows.append(row)
        by_file[entry["file"]] = (entry, row)
    # the same blob in a second repository (The Stack v2 has such rows), and a whitespace-only variant
    tutorial_entry, tutorial_row = next(v for v in by_file.values() if v[0]["file"].endswith("bogo_sort.py"))
    rows.append({**tutorial_row, "repo_name": "someone/fork-of-python"})
    variant = "\n".join(line + "   " for line in (shared_data / tutorial_entry["file"]).read_text().splitlines())
    rows.append({**tutorial_row, "blob_id": git_blob_id(variant.encode()), "repo_name": "other/copy",
                 "content": variant})  # fmt: skip
    # a file that carries a HumanEval task verbatim (prompt + canonical solution)
    with gzip.open(shared_data / "contamination" / "HumanEval.jsonl.gz", "rt") as f:
        task = json.loads(f.readline())
    leaked = task["prompt"] + task["canonical_solution"]
    rows.append({"blob_id": git_blob_id(leaked.encode()), "language": "Python", "repo_name": "leaky/solutions",
                 "path": "humaneval_0.py", "src_encoding": "UTF-8", "length_bytes": len(leaked.encode()),
                 "detected_licenses": ["MIT"], "license_type": "permissive", "content": leaked})  # fmt: skip
    # bad rows: each must end as a counted, reasoned drop
    text = "def café():\n    return 'naïve'\n".encode()
    bodies = {"a" * 40: None, "b" * 40: gzip.compress(text)[:15], "c" * 40: gzip.compress(b"\x7fELF\x00\x00\x01"),
              "d" * 40: gzip.compress(text)}  # fmt: skip
    for blob_id, body in bodies.items():
        if body is not None:
            s3.put_object(Bucket=BUCKET, Key=f"content/{blob_id}", Body=body)
    base = {"repo_name": "x/y", "path": "f.py", "length_bytes": 30, "license_type": "permissive",
            "detected_licenses": ["MIT"], "src_encoding": "UTF-8", "content": None}  # fmt: skip
    bad_rows = [
        {**base, "blob_id": "a" * 40, "language": "Python"},  # missing blob
        {**base, "blob_id": "b" * 40, "language": "Python"},  # truncated gzip
        {**base, "blob_id": "c" * 40, "language": "C"},  # binary
        {**base, "blob_id": "d" * 40, "language": "Python", "src_encoding": "ascii"},  # wrong encoding
        {**base, "blob_id": None, "language": "Python"},
        {**base, "blob_id": "f" * 40, "language": None},
        {**base, "blob_id": "9" * 40, "language": "Python", "length_bytes": 50_000_000},
    ]
    rows += bad_rows
    folder = tmp_path_factory.mktemp("stack_edu_inputs")
    half = len(rows) // 2
    import pyarrow as pa

    pq.write_table(pa.Table.from_pylist(rows[:half]), folder / "rows-0.parquet")
    datasets.Dataset.from_list(rows[half:]).save_to_disk(str(folder / "rows-1"))

    models = folder / "models"
    labels = load_labels(str(code_labels))
    params = FastTextParams(mode="grades", epoch=10)
    train_classifier("fasttext", labels, models / "code_edu", "code_edu", params, validation_fraction=0)
    python_only = folder / "python_labels.parquet"
    table = pq.read_table(code_labels)
    pq.write_table(table.filter(pa.compute.equal(table["language"], "Python")), python_only)
    train_classifier("fasttext", load_labels(str(python_only)), models / "python_edu", "python_edu", params,
                     validation_fraction=0)  # fmt: skip
    throttled = {row["blob_id"] for row in rows[10:15]}
    return {
        "rows": rows,
        "inputs": [str(folder / "rows-0.parquet"), str(folder / "rows-1")],
        "index": by_file,
        "models": models,
        "throttled": throttled,
        "leaked_id": rows[-len(bad_rows) - 1]["blob_id"],
        "tutorial_id": tutorial_row["blob_id"],
    }


def stack_edu_config(corpus: dict, endpoint: str, output: Path, shared_data: Path, tasks: int = 2) -> dict:
    return {
        "pipeline": "stack_edu",
        "name": "stack-edu-test",
        "output_dir": str(output),
        "stack_edu": {
            "stack_v2": {
                "paths": corpus["inputs"],
                "content_url": f"s3://{BUCKET}/content",
                "storage_options": s3fs_options(endpoint),
                "concurrency": 8,
                "backoff_seconds": 0.05,
            },
            "languages": LANGUAGES,
            "scoring": {
                "models": {"Python": str(corpus["models"] / "python_edu")},
                "default_model": str(corpus["models"] / "code_edu"),
            },
            "decontamination": {
                "benchmarks": [
                    str(shared_data / "contamination" / "HumanEval.jsonl.gz"),
                    str(shared_data / "contamination" / "mbpp.jsonl"),
                ]
            },
        },  # fmt: skip
        "tokenize": {"carry_columns": ["language", "int_score"]},
        "executor": {"tasks": tasks, "workers": 2},
    }


@pytest.fixture(scope="module")
def stack_edu_run(code_corpus, s3_endpoint, shared_data, tmp_path_factory):
    proxy = ThrottlingProxy(s3_endpoint, set(code_corpus["throttled"]))
    output = tmp_path_factory.mktemp("stack_edu_run")
    config = validate_config(stack_edu_config(code_corpus, proxy.url, output, shared_data))
    summary = run_config(config)
    return {"output": output, "summary": summary, "proxy": proxy, "config": config}


def ledger(output: Path) -> list[dict]:
    records = []
    for path in sorted((output / "work" / "dropped").rglob("*.jsonl.gz")):
        with gzip.open(path, "rt") as f:
            records.extend(json.loads(line) for line in f)
    return records


def curated(output: Path) -> list[dict]:
    rows = []
    for path in sorted((output / "curated").rglob("*.parquet")):
        table = pq.read_table(path)
        assert table.schema.equals(STACK_EDU_SCHEMA), path
        assert path.parent.name == language_slug(table["language"][0].as_py())
        rows.extend(table.to_pylist())
    return rows


def test_every_row_is_kept_or_dropped_with_a_reason(stack_edu_run, code_corpus):
    output = stack_edu_run["output"]
    kept, dropped = curated(output), ledger(output)
    assert len(kept) + len(dropped) == len(code_corpus["rows"])
    summary = json.loads((output / "summary.json").read_text())
    assert summary["totals"]["read"] == len(code_corpus["rows"])
    assert summary["totals"]["kept_files"] == len(kept)
    reader_reasons = Counter(r["reason"] for r in dropped if r["step"] == "read_stack_v2")
    assert reader_reasons == {"missing_blob": 1, "truncated_gzip": 1, "binary": 1, "undecodable": 1,
                              "missing_blob_id": 1, "missing_language": 1, "too_large": 1}  # fmt: skip
    assert all(r["reason"] and r["step"] for r in dropped)


def test_throttled_blobs_are_retried_not_lost(stack_edu_run, code_corpus):
    assert stack_edu_run["proxy"].throttle_hits == len(code_corpus["throttled"])
    dropped_ids = {r["id"] for r in ledger(stack_edu_run["output"]) if r["step"] == "read_stack_v2"}
    assert not dropped_ids & code_corpus["throttled"]


def test_marked_files_never_reach_the_corpus_and_tutorials_pass_the_rules(stack_edu_run, code_corpus):
    output = stack_edu_run["output"]
    kept_paths = {(row["repo_name"], row["path"]) for row in curated(output)}
    by_id = {}
    for record in ledger(output):
        by_id.setdefault(record["id"], record)
    marked = [e for e, _ in code_corpus["index"].values()
              if e["is_generated"] or e["is_vendor"]
              or any(w in e["category"] for w in ("minified", "lockfile", "data-heavy"))]  # fmt: skip
    assert len(marked) >= 18
    for entry in marked:
        assert (entry["repo"], entry["path"]) not in kept_paths, entry["file"]
    allowed = {e["language"] for e, _ in code_corpus["index"].values()} & set(LANGUAGES)
    high = [
        (e, row)
        for e, row in code_corpus["index"].values()
        if e["edu_hint"] == "high" and row["license_type"] == "permissive" and e["language"] in allowed
    ]
    ruled_out = [e["file"] for e, row in high if by_id.get(row["blob_id"], {}).get("step") in RULE_STEPS]
    assert len(high) > 200
    assert len(ruled_out) <= 0.05 * len(high), ruled_out


def test_dedup_decontamination_licence_and_thresholds(stack_edu_run, code_corpus):
    output = stack_edu_run["output"]
    records = ledger(output)
    reasons = Counter((r["step"], r["reason"]) for r in records)
    # the same blob twice and a trailing-whitespace variant: one copy survives
    assert reasons[("exact_dedup", "exact_duplicate")] >= 2
    assert sum(row["blob_id"] == code_corpus["tutorial_id"] for row in curated(output)) <= 1
    # near-duplicates in the real files (the XSLT copies are vendored: dropped before dedup, tested below)
    assert reasons[("near_dedup", "near_duplicate")] >= 1
    assert not any(row["language"] == "XSLT" for row in curated(output))
    leaked = next(r for r in records if r["id"] == code_corpus["leaked_id"])
    assert (leaked["step"], leaked["reason"]) == ("decontamination", "contaminated_humaneval")
    assert reasons[("license", "license_not_permissive")] >= 15  # GPL and CC-BY-SA files
    for row in curated(output):
        assert row["score"] is not None and row["int_score"] >= (2 if row["language"] == "Java" else 3)
    assert any(step == "edu_threshold" for step, _ in reasons)


def test_token_shards_per_language_match_the_curated_files(stack_edu_run):
    output = stack_edu_run["output"]
    rows = curated(output)
    per_language = Counter(row["language"] for row in rows)
    summary = json.loads((output / "summary.json").read_text())
    for language, count in per_language.items():
        manifest = read_manifest(str(output / "tokens" / language_slug(language)))
        assert manifest["num_documents"] == count
        assert summary["languages"][language]["kept"]["tokens"] == manifest["num_tokens"]
    folders = {p.name for p in (output / "tokens").iterdir() if (p / "manifest.json").is_file()}
    assert folders == {language_slug(language) for language in per_language}
    assert "| **all** |" in (output / "summary.md").read_text()
    assert "None" not in (output / "summary.md").read_text()


def test_rerun_skips_finished_stages_and_changes_nothing(stack_edu_run):
    output = stack_edu_run["output"]
    before = (output / "summary.json").read_text()
    again = run_config(stack_edu_run["config"])
    assert all(stage.skipped for stage in again.stages)
    assert (output / "summary.json").read_text() == before


@pytest.mark.parametrize("exact", [True, False], ids=["exact_dedup", "minhash_only"])
def test_source_trees_and_the_vendored_xslt_pair(shared_data, tmp_path, exact):
    """Two real repositories that carry the same XSLT library (mmltex): read as source trees with the vendored
    rule off, one copy of the stylesheet they share is removed: by exact dedup (the copies differ only in line
    endings), and by MinHash alone when exact dedup is off."""
    roots = [shared_data / "code" / "xslt" / name for name in ("keirp__OpenWebMath", "opendatalab__magic-html")]
    config = validate_config({
        "pipeline": "stack_edu",
        "output_dir": str(tmp_path / "out"),
        "stack_edu": {"source_trees": {"roots": [str(r) for r in roots],
                                       "repo_names": ["keirp/OpenWebMath", "opendatalab/magic-html"]},
                      "languages": ["XSLT"], "permissive_only": False,
                      "filters": {"drop_vendored": False}, "dedup": {"exact": exact}},
        "executor": {"tasks": 2, "workers": 2},
    })  # fmt: skip
    run_config(config)
    kept = curated(tmp_path / "out")
    removed = [r["id"] for r in ledger(tmp_path / "out") if r["step"] == ("exact_dedup" if exact else "near_dedup")]
    assert [row["path"].rsplit("/", 1)[-1] for row in kept] == ["cmarkup.xsl"]
    assert len(removed) == 1 and removed[0].endswith("cmarkup.xsl")
    assert kept[0]["repo_name"] in ("keirp/OpenWebMath", "opendatalab/magic-html")


def test_report_shows_the_edu_score_histogram(stack_edu_run):
    """The run's report.html: the score histogram equals the scorers' counters in the curate stage's stats."""
    output = stack_edu_run["output"]
    html = (output / "report.html").read_text()
    stats = json.loads((output / "logs" / "curate" / "stats.json").read_text())
    counts = {}
    for step in stats:
        for key, value in step["stats"].items():
            if key.startswith("edu_int_score="):
                grade = int(key.split("=")[1])
                counts[grade] = counts.get(grade, 0) + (value["total"] if isinstance(value, dict) else value)
    assert counts and "Classifier scores" in html
    for grade, n in counts.items():
        assert f"<tr><td>{grade}</td><td>{int(n):,}</td></tr>" in html


def test_report_shows_languages_thresholds_and_samples(stack_edu_run, code_corpus):
    """The report's new sections on the code run: the funnel's first stage reads every row, the language table is
    the summary's, the thresholds come from run_info.json, and the samples are the run's own files."""
    from smolcorpus.writers.samples import read_samples, sample_key

    output = stack_edu_run["output"]
    html = (output / "report.html").read_text()
    overview = html.split('id="overview"')[1].split("</table>")[0]
    assert f"<tr><td>filter</td><td>{len(code_corpus['rows']):,}</td>" in overview  # kept + dropped = read
    summary = json.loads((output / "summary.json").read_text())
    for language, entry in summary["languages"].items():
        assert (f"<tr><td>{html_escape(language)}</td><td>{entry['read']:,}</td><td>{entry['kept']['files']:,}</td>"
                f"<td>{entry['kept']['bytes']:,}</td>") in html  # fmt: skip
    info = json.loads((output / "run_info.json").read_text())
    assert info["publication"]["score_thresholds"] == {
        "edu": [{"label": "default", "min_int_score": 3.0}, {"label": "Java", "min_int_score": 2.0}]}  # fmt: skip
    assert '<p class="thresholds">thresholds: default: int score ≥ 3; Java: int score ≥ 2</p>' in html
    # kept samples: per language and int score, the curated files with the smallest keys
    groups: dict[str, list[str]] = {}
    for row in curated(output):
        groups.setdefault(f"language={row['language']}, edu_int_score={row['int_score']}", []).append(row["blob_id"])
    kept = read_samples(str(output / "work" / "samples" / "kept"))
    assert set(kept) == set(groups) and len(groups) >= 5
    for group, ids in groups.items():
        assert [r["id"] for r in kept[group]] == sorted(ids, key=lambda i: (sample_key(0, i), i))[:3]
        assert all(r["metadata"]["edu_int_score"] >= (2 if "=Java," in group else 3) for r in kept[group])
    dropped = read_samples(str(output / "work" / "samples" / "dropped"))
    assert set(dropped) == set(summary["dropped_by_reason"])
    licensed = dropped["license/license_not_permissive"]
    assert len(licensed) == 3 and all(r["text"] and not r["html"] and r["metadata"]["license_type"] for r in licensed)
    assert all(r["text"] == "" for r in dropped["read_stack_v2/missing_blob"])  # never became documents
    for record in licensed:
        assert html_escape(record["text"]) in html


# real checkouts of public projects that carry GitHub community files (security policies, codes of conduct, issue and
# pull-request templates), where this machine has them: the Google Cloud SDK ships its dependencies' repositories
THIRD_PARTY_TREES = Path("/usr/lib/google-cloud-sdk/platform/gsutil/third_party")
COMMUNITY_TREES = ("urllib3", "requests", "charset_normalizer", "cachetools", "pyparsing")


def test_community_files_of_real_trees_are_dropped_by_path(shared_data, tmp_path):
    """Issue 29, `smolcorpus run` on source trees: the community files of real repositories are dropped as
    `community_file` by their path, ledgered under `community` with their path as id; the repositories' other
    Markdown (READMEs, tutorials, notes) passes that rule. The tutorial trees of the shared data come along, and
    TheAlgorithms' doctest tutorial `weight_conversion.py`, when the shared data has it, is no data table."""
    import subprocess
    import sys

    from smolcorpus.filters.code_rules import is_community_file
    from smolcorpus.readers.source_tree import list_source_files

    roots = [shared_data / "code" / "markdown" / "trekhleb__javascript-algorithms",
             shared_data / "code" / "python" / "TheAlgorithms__Python"]  # fmt: skip
    roots += [THIRD_PARTY_TREES / name for name in COMMUNITY_TREES if (THIRD_PARTY_TREES / name).is_dir()]
    names = [f"tree{i}/{root.name}" for i, root in enumerate(roots)]
    config = tmp_path / "trees.yaml"
    config.write_text(json.dumps({
        "pipeline": "stack_edu", "output_dir": str(tmp_path / "out"),
        "stack_edu": {"source_trees": {"roots": [str(root) for root in roots], "repo_names": names},
                      "languages": ["Markdown", "Python"], "permissive_only": False,
                      "dedup": {"minhash": False}},
        "executor": {"tasks": 2, "workers": 2},
    }))  # fmt: skip
    result = subprocess.run([sys.executable, "-m", "smolcorpus.cli", "run", str(config), "--quiet"],
                            capture_output=True, text=True)  # fmt: skip
    assert result.returncode == 0, result.stderr[-3000:]
    expected = set()
    for name, root in zip(names, roots, strict=True):
        for path in list_source_files(root):
            relative = path.relative_to(root).as_posix()
            if path.suffix in (".md", ".markdown") and is_community_file(relative):
                expected.add(f"{name}/{relative}")
    community = {line["id"] for line in ledger(tmp_path / "out") if line["step"] == "community"}
    assert community == expected and f"{names[0]}/CODE_OF_CONDUCT.md" in community
    if len(roots) > 2:  # a security policy, an issue template and a pull-request template of real projects
        assert any(i.endswith("/SECURITY.md") for i in community)
        assert any("/ISSUE_TEMPLATE/" in i for i in community) and any("PULL_REQUEST_TEMPLATE" in i for i in community)
    dropped = {line["id"]: line["reason"] for line in ledger(tmp_path / "out")}
    assert all(reason == "community_file" for i, reason in dropped.items() if i in community)
    readmes = [i for i in dropped if i.endswith("/README.md")]
    assert all(dropped[i] != "community_file" for i in readmes)
    tutorial = f"{names[1]}/conversions/weight_conversion.py"
    assert tutorial not in dropped
