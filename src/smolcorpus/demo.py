"""`smolcorpus demo`: a first end-to-end run on documents and a tokenizer that install offline.

1. collect: real documents shipped with this Python installation → JSONL.gz (a datatrove stage);
2. tokenize: the regular `tokenize` pipeline (shards + manifest), exactly as `smolcorpus run` runs it;
3. read back: the streaming loader turns the shards into fixed-length training sequences;
4. code: the `stack_edu` pipeline on the source trees of a few installed dependencies (datatrove, trafilatura,
   pydantic, ...): code filters → exact + MinHash dedup per language → curated Parquet → token shards per
   language → funnel summary. No edu classifier installs offline, so this part runs without scoring (the
   `score` columns stay null); `stack_edu.scoring` in a config adds it;
5. web math: the `finemath` pipeline on a WARC the demo writes from NumPy docstrings with formulas (in MathJax,
   KaTeX, MathML and Distill markup) and Python help topics (`demo_web.py`): prefilter → math-preserving
   extraction → language ID → quality → MinHash → curated Parquet → token shards; no classifier, so one subset.
"""

from __future__ import annotations

import json
import time
from pathlib import Path

from datatrove.pipeline.writers import JsonlWriter

from smolcorpus.config import ExecutorConfig, validate_config
from smolcorpus.readers.installed import InstalledDocumentsReader, installed_source_trees
from smolcorpus.report.funnel import SUMMARY_JSON, SUMMARY_MARKDOWN
from smolcorpus.run import run_config
from smolcorpus.runtime.executors import run_stages
from smolcorpus.runtime.stage import Stage
from smolcorpus.tokenize.manifest import read_manifest

DEMO_SEQUENCE_LENGTH = 2048


def run_demo(output: Path, tasks: int = 4, workers: int = 2, quiet: bool = False, verbose: bool = False) -> str:
    """Run the demo into `output`; return the printed summary. Rerunning resumes (finished stages are skipped)."""
    output = output.resolve()
    executor = ExecutorConfig(kind="local", tasks=tasks, workers=workers)
    started = time.perf_counter()
    collected = run_stages(
        [
            Stage(
                "collect",
                [
                    InstalledDocumentsReader(),
                    JsonlWriter(str(output / "documents"), output_filename="${rank}.jsonl.gz", expand_metadata=True),
                ],
                tasks,
            )
        ],
        executor,
        logs_root=str(output / "logs"),
        run_name="demo",
        quiet=quiet,
        verbose=verbose,
    )[0]
    config = validate_config(
        {
            "pipeline": "tokenize",
            "name": "demo",
            "output_dir": str(output / "tokens"),
            "input": {"paths": [str(output / "documents")]},
            "tokenize": {"carry_columns": ["source"]},
            "executor": executor.model_dump(),
        },
        source="smolcorpus demo",
    )
    summary = run_config(config, quiet=quiet, verbose=verbose)
    tokenize_seconds = sum(stage.seconds for stage in summary.stages)
    manifest = read_manifest(str(output / "tokens"))
    loader_line = _read_back(output / "tokens")
    code_lines = _code_corpus(output / "code", executor, quiet, verbose)
    web_lines = _web_math(output / "web", executor, quiet, verbose)
    total = time.perf_counter() - started
    documents_in = sum(step.get("documents", 0) for step in collected.counters.values())
    lines = [
        "",
        "smolcorpus demo: done",
        f"  collected   {documents_in:,.0f} documents (package READMEs + Python help topics) "
        f"in {collected.seconds:.1f} s → {output / 'documents'}",
        f"  tokenized   {manifest['num_documents']:,} documents → {manifest['num_tokens']:,} tokens "
        f"({manifest['dtype']}, vocab {manifest['vocab_size']:,}, eos id {manifest['eos_token_id']}) "
        f"in {len(manifest['shards'])} shards, {tokenize_seconds:.1f} s "
        f"({manifest['num_tokens'] / max(tokenize_seconds, 1e-9):,.0f} tokens/s incl. start-up)",
        f"  dropped     {summary.counter('tokenize', 'dropped_empty_text'):,.0f} empty, "
        f"{summary.counter('tokenize', 'dropped_missing_text_column'):,.0f} without text",
        f"  read back   {loader_line}",
        f"  outputs     {output / 'tokens'} (manifest.json, *.parquet); logs and stats in {output / 'logs'} "
        f"and {output / 'tokens' / 'logs'}",
        *code_lines,
        *web_lines,
        f"  total       {total:.1f} s",
    ]
    return "\n".join(lines)


def _web_math(output: Path, executor: ExecutorConfig, quiet: bool = False, verbose: bool = False) -> list[str]:
    """Part 5: the finemath pipeline on the demo's own WARC; returns the summary lines."""
    import pyarrow.parquet as pq

    from smolcorpus.demo_web import write_demo_warc

    warc = output / "warc" / "demo.warc.gz"
    made = write_demo_warc(warc)
    config = validate_config(
        {
            "pipeline": "finemath",
            "name": "demo-web",
            "output_dir": str(output / "corpus"),
            "finemath": {"warc": {"paths": [str(warc)]}},
            "executor": executor.model_dump(),
        },
        source="smolcorpus demo",
    )
    started = time.perf_counter()
    run_config(config, quiet=quiet, verbose=verbose)
    seconds = time.perf_counter() - started
    rows = [row for path in sorted((output / "corpus" / "curated").rglob("*.parquet"))
            for row in pq.read_table(path, columns=["url", "text"]).to_pylist()]  # fmt: skip
    math_rows = [row for row in rows if "/numpy/" in row["url"]]
    formulas = sum(row["text"].count("$$") // 2 + row["text"].count("\\(") for row in math_rows)
    funnel = json.loads((output / "corpus" / SUMMARY_JSON).read_text())
    reasons = sorted(funnel["dropped_by_reason"].items(), key=lambda item: -item[1])[:4]
    return [
        f"  web math    {made['math_pages'] + made['other_pages']} pages in a WARC made from NumPy docstrings "
        f"({made['math_pages']} with formulas) and Python help topics → kept {len(rows)} "
        f"({len(math_rows)} NumPy pages holding {formulas:,} formulas as TeX) in {seconds:.1f} s",
        f"              top drop reasons: {', '.join(f'{reason} {count:,}' for reason, count in reasons)}",
        f"              funnel: {output / 'corpus' / SUMMARY_MARKDOWN}; try: smolcorpus extract {warc} "
        f"--url https://math.demo.invalid/numpy/numpy.convolve",
    ]


def _code_corpus(output: Path, executor: ExecutorConfig, quiet: bool = False, verbose: bool = False) -> list[str]:
    """Part 4: the stack_edu pipeline on installed source trees; returns the summary lines."""
    trees = installed_source_trees()
    config = validate_config(
        {
            "pipeline": "stack_edu",
            "name": "demo-code",
            "output_dir": str(output),
            "stack_edu": {
                "source_trees": {
                    "roots": [tree.root for tree in trees],
                    "repo_names": [tree.repo_name for tree in trees],
                    "licenses": [tree.license for tree in trees],
                }
            },
            "tokenize": {"carry_columns": ["language"]},
            "executor": executor.model_dump(),
        },
        source="smolcorpus demo",
    )
    started = time.perf_counter()
    run_config(config, quiet=quiet, verbose=verbose)
    seconds = time.perf_counter() - started
    funnel = json.loads((output / SUMMARY_JSON).read_text())
    totals = funnel["totals"]
    kept = ", ".join(
        f"{language} {entry['kept']['files']:,}" for language, entry in funnel["languages"].items()
        if entry["kept"]["files"]
    )  # fmt: skip
    reasons = sorted(funnel["dropped_by_reason"].items(), key=lambda item: -item[1])[:5]
    return [
        f"  code        {totals['read']:,} files from {', '.join(t.repo_name for t in trees)} → kept "
        f"{totals['kept_files']:,} ({kept}), {totals['kept_tokens']:,} tokens, in {seconds:.1f} s",
        f"              top drop reasons: {', '.join(f'{reason} {count:,}' for reason, count in reasons)}",
        "              edu scoring: off (no classifier installs offline; see README, Classifiers)",
        f"              funnel: {output / SUMMARY_MARKDOWN}; curated Parquet: {output / 'curated'}; "
        f"tokens per language: {output / 'tokens'}",
    ]


def _read_back(tokens: Path) -> str:
    try:
        from torch.utils.data import DataLoader

        from smolcorpus.tokenize.loader import TokenShardDataset
    except ImportError:
        return "skipped (torch is not installed: pip install 'smolcorpus[torch]')"
    from tokenizers import Tokenizer

    dataset = TokenShardDataset(str(tokens), DEMO_SEQUENCE_LENGTH, seed=0)
    batches = list(DataLoader(dataset, batch_size=8, num_workers=0))
    sequences = sum(len(batch["input_ids"]) for batch in batches)
    first = Tokenizer.from_file(str(tokens / "tokenizer.json")).decode(batches[0]["input_ids"][0][:24].tolist())
    return f"{sequences:,} training sequences of {DEMO_SEQUENCE_LENGTH} tokens; the first starts {first!r}"
