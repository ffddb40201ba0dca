"""`smolcorpus demo`: a first end-to-end run on documents and a tokenizer that install offline.

1. collect: real documents shipped with this Python installation → JSONL.gz (a datatrove stage);
2. tokenize: the regular `tokenize` pipeline (shards + manifest), exactly as `smolcorpus run` runs it;
3. read back: the streaming loader turns the shards into fixed-length training sequences;
4. classifiers: two small sets labelled 0–5 by a stated rule (`demo/labels.py`: documented lines of standard-library
   files; TeX formulas on SciPy docstring pages), none of them in what the runs below score; fastText trained and
   evaluated next to the baselines as `classifier train` / `classifier evaluate` do (`demo/classifiers.py`).
   Demo labels: they prove the plumbing, not quality;
5. code: the `stack_edu` pipeline on the source trees of a few installed dependencies (datatrove, trafilatura,
   pydantic, ...): code filters → exact + MinHash dedup per language → edu scores by the code classifier →
   threshold → curated Parquet → token shards per language → funnel summary and report.html;
6. web math: the `finemath` pipeline on a WARC the demo writes from NumPy docstrings with formulas (in MathJax,
   KaTeX, MathML and Distill markup) and Python help topics (`demo/web.py`): prefilter → math-preserving
   extraction → language ID → quality → MinHash → grade by the web classifier → curated Parquet per subset →
   token shards.
"""

from __future__ import annotations

import json
import shlex
import time
from pathlib import Path

from datatrove.pipeline.writers import JsonlWriter

from smolcorpus.classifiers.evaluate import not_beaten_by
from smolcorpus.config import ExecutorConfig, validate_config
from smolcorpus.demo.classifiers import BASELINE_NAMES, DemoClassifier, comparison, start_builds
from smolcorpus.demo.labels import CODE_RULE, WEB_RULE, code_examples, formula_count, web_examples
from smolcorpus.invocation import activate_hint, smolcorpus_command
from smolcorpus.readers.installed import InstalledDocumentsReader, installed_source_trees
from smolcorpus.run import RunSummary, run_config
from smolcorpus.runtime.executors import run_stages
from smolcorpus.runtime.stage import Stage
from smolcorpus.score_keys import int_score_key
from smolcorpus.tokenize.manifest import read_manifest
from smolcorpus.writers.funnel import SUMMARY_JSON, SUMMARY_MARKDOWN

DEMO_SEQUENCE_LENGTH = 2048
CODE_CLASSIFIER, WEB_CLASSIFIER = "demo-code-edu", "demo-web-math"
# chosen so that the demo both keeps and drops by score (the demo classifiers' grades are not Stack-Edu's or
# FineMath's: Stack-Edu keeps int score ≥ 3, FineMath publishes 3+ and 4+)
CODE_THRESHOLD = 3
WEB_SUBSETS = {"2plus": 2, "3plus": 3}


def run_demo(output: Path, tasks: int = 4, workers: int = 2, quiet: bool = False, verbose: bool = False) -> str:
    """Run the demo into `output`; return the printed summary. Rerunning resumes (finished stages are skipped)."""
    output = output.resolve()
    executor = ExecutorConfig(kind="local", tasks=tasks, workers=workers)
    started = time.perf_counter()
    # part 4 starts first and runs in the background during parts 1–3: its fresh processes spend seconds on imports,
    # while the collect and tokenize stages leave a core idle part of the time
    builds = start_builds(output / "classifiers", {CODE_CLASSIFIER: code_examples, WEB_CLASSIFIER: web_examples})
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
    waited = time.perf_counter()
    classifiers = builds.finish()
    code_classifier, web_classifier = classifiers[CODE_CLASSIFIER], classifiers[WEB_CLASSIFIER]
    classifier_lines = _classifier_lines(code_classifier, web_classifier, output / "classifiers",
                                         time.perf_counter() - waited)  # fmt: skip
    code_lines = _code_corpus(output / "code", executor, code_classifier, quiet, verbose)
    web_lines = _web_math(output / "web", executor, web_classifier, quiet, verbose)
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
        *classifier_lines,
        *code_lines,
        *web_lines,
        f"  total       {total:.1f} s",
    ]
    activate = activate_hint()
    if activate:  # this shell runs the virtualenv's script by its path: `smolcorpus` alone is not found
        lines.append(f"  next        `smolcorpus` is not on this shell's PATH: run `{activate}` (once per shell), "
                     f"or type {smolcorpus_command()} …")  # fmt: skip
    return "\n".join(lines)


def _classifier_lines(code: DemoClassifier, web: DemoClassifier, folder: Path, waited: float) -> list[str]:
    """Part 4's summary: what labelled the sets, how the classifiers compare with the baselines, and that these
    are demo labels. `waited`: seconds the demo waited for the builds after parts 1–3."""

    def held_out(classifier: DemoClassifier) -> str:
        metrics = classifier.metrics
        baselines = {name: numbers for name, numbers in metrics["baselines"].items() if isinstance(numbers, dict)}
        matched = not_beaten_by(metrics["headline"], baselines, "roc_auc")  # the number this line shows
        named = " and ".join(BASELINE_NAMES[name] for name in matched)
        note = f" (the {named} baseline matches or beats it)" if matched else ""
        return f"{comparison(metrics, 'roc_auc')}{note}"

    threshold = code.metrics["threshold"]
    return [
        f"  classifiers fastText (`classifier train --kind fasttext`) on demo labels, each set graded 0–5 by a rule "
        f"(trained alongside collect and tokenize; waited {waited:.1f} s more):",
        f"              code: {code.train_examples + code.test_examples} Python standard-library files, none in the "
        f"code run; {CODE_RULE}",
        f"              web: {web.train_examples + web.test_examples} scipy.special docstring pages, none in the "
        f"WARC; {WEB_RULE}",
        f"              held-out ROC-AUC of grade ≥ {threshold:g} (`classifier evaluate` on {code.test_examples} and "
        f"{web.test_examples} unseen examples):",
        f"              code {held_out(code)}; web {held_out(web)}",
        "              demo labels: a rule made them, so these numbers prove the plumbing, not quality; real labels: "
        "`smolcorpus annotate` (any OpenAI-compatible server), or a published classifier's Hub id as the model "
        "(kind: transformers; HuggingFaceTB/stack-edu-classifier-python, HuggingFaceTB/finemath-classifier); "
        "README, Classifiers",
        f"              models, labels and evaluation plots: {folder}",
    ]


def _grades(summary: RunSummary, name: str) -> str:
    """`0: 12 · 1: 40 · ...`: documents per int score, from the scorer's `<name>_int_score=N` counters (the
    histogram report.html draws)."""
    counts = {grade: summary.counter("curate", f"{int_score_key(name)}={grade}") for grade in range(6)}
    return " · ".join(f"{grade}: {count:,.0f}" for grade, count in counts.items())


def _web_math(output: Path, executor: ExecutorConfig, classifier: DemoClassifier, quiet: bool = False,
              verbose: bool = False) -> list[str]:  # fmt: skip
    """Part 6: the finemath pipeline on the demo's own WARC, graded by the demo's web classifier; returns the
    summary lines."""
    import pyarrow.parquet as pq

    from smolcorpus.demo.web import write_demo_warc
    from smolcorpus.pipelines.finemath import PRECISION_NAME

    warc = output / "warc" / "demo.warc.gz"
    made = write_demo_warc(warc)
    config = validate_config(
        {
            "pipeline": "finemath",
            "name": "demo-web",
            "output_dir": str(output / "corpus"),
            "finemath": {
                "warc": {"paths": [str(warc)]},
                "precision": {"model": str(classifier.model_dir), "subsets": WEB_SUBSETS},
            },
            "executor": executor.model_dump(),
        },
        source="smolcorpus demo",
    )
    started = time.perf_counter()
    summary = run_config(config, quiet=quiet, verbose=verbose)
    seconds = time.perf_counter() - started
    broadest = min(WEB_SUBSETS, key=WEB_SUBSETS.get)  # every kept page is in it, once
    curated = output / "corpus" / "curated"
    subsets = {name: [row for path in sorted((curated / name).glob("*.parquet"))
                      for row in pq.read_table(path, columns=["url", "text"]).to_pylist()]
               for name in sorted(WEB_SUBSETS)}  # fmt: skip
    rows = subsets[broadest]
    math_rows = [row for row in rows if "/numpy/" in row["url"]]
    formulas = sum(formula_count(row["text"]) for row in math_rows)
    funnel = json.loads((output / "corpus" / SUMMARY_JSON).read_text())
    reasons = sorted(funnel["dropped_by_reason"].items(), key=lambda item: -item[1])[:4]
    return [
        f"  web math    {made['math_pages'] + made['other_pages']} pages in a WARC made from NumPy docstrings "
        f"({made['math_pages']} with formulas) and Python help topics → kept {len(rows)} "
        f"({len(math_rows)} NumPy pages holding {formulas:,} formulas as TeX) in {seconds:.1f} s",
        f"              top drop reasons: {', '.join(f'{reason} {count:,}' for reason, count in reasons)}",
        f"              math grade by {classifier.name}: {_grades(summary, PRECISION_NAME)}; subsets "
        + ", ".join(f"{name} {len(subset)}" for name, subset in subsets.items())
        + f" pages (report: {output / 'corpus' / 'report.html'})",
        f"              funnel: {output / 'corpus' / SUMMARY_MARKDOWN}; try: {smolcorpus_command()} extract "
        f"{shlex.quote(str(warc))} --url https://math.demo.invalid/numpy/numpy.convolve",
    ]


def _code_corpus(output: Path, executor: ExecutorConfig, classifier: DemoClassifier, quiet: bool = False,
                 verbose: bool = False) -> list[str]:  # fmt: skip
    """Part 5: the stack_edu pipeline on installed source trees, scored by the demo's code classifier; returns the
    summary lines."""
    from smolcorpus.pipelines.stack_edu import SCORE_NAME

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
                },
                # one shared model for every language, one threshold (no per-language exceptions)
                "scoring": {
                    "default_model": str(classifier.model_dir),
                    "thresholds": {},
                    "default_threshold": CODE_THRESHOLD,
                },  # fmt: skip
            },
            "tokenize": {"carry_columns": ["language"]},
            "executor": executor.model_dump(),
        },
        source="smolcorpus demo",
    )
    started = time.perf_counter()
    summary = run_config(config, quiet=quiet, verbose=verbose)
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
        f"              edu score by {classifier.name}: {_grades(summary, SCORE_NAME)}; kept int score ≥ "
        f"{CODE_THRESHOLD} (report: {output / 'report.html'})",
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
