"""`smolcorpus annotate`: arguments and the input errors it reports before contacting anything."""

from smolcorpus.cli import build_parser, main


def test_defaults():
    args = build_parser().parse_args(["annotate", "--input", "a.parquet", "b/", "--output", "out"])
    assert args.input == ["a.parquet", "b/"] and args.output == "out"
    assert (args.rubric, args.concurrency, args.max_attempts, args.max_chars) == ("web-edu", 4, 4, 10_000)
    assert (args.text_column, args.score_column, args.import_labels) == ("text", "score", False)


def test_import_takes_one_labels_source(tmp_path, capsys):
    assert main(["annotate", "--import", "--input", "a.jsonl", "b.jsonl", "--output", str(tmp_path / "o")]) == 2
    assert capsys.readouterr().err.strip() == "error: --import takes one labels file or folder"
    assert not (tmp_path / "o").exists()


def test_grading_needs_an_endpoint_and_a_model(tmp_path, capsys):
    for extra in ([], ["--endpoint", "http://127.0.0.1:9"], ["--model", "m"]):
        assert main(["annotate", "--input", "a.jsonl", "--output", str(tmp_path / "o"), *extra]) == 2
        err = capsys.readouterr().err.strip()
        assert err == "error: annotate needs --endpoint and --model (or --import to bring existing labels)", extra


def test_documents_left_without_a_grade_fail_the_command(tmp_path, capsys):
    """A request that fails (here: no server; in production a timeout on a busy server) leaves the document
    without a grade: the command says so and exits 1, so the label set never silently depends on the server's load;
    the records are kept and a rerun retries them."""
    import json

    data = tmp_path / "docs.jsonl"
    data.write_text("".join(json.dumps({"id": f"d{i}", "text": f"document {i}"}) + "\n" for i in range(2)))
    args = ["annotate", "--input", str(data), "--output", str(tmp_path / "o"), "--endpoint", "http://127.0.0.1:9",
            "--model", "m", "--max-attempts", "1", "--timeout", "5", "--quiet"]  # fmt: skip
    assert main(args) == 1
    captured = capsys.readouterr()
    assert "0 annotated now, 2 failed" in captured.out
    assert captured.err.strip().splitlines()[-1] == (
        f"error: 2 documents have no grade (reasons in {tmp_path / 'o' / 'annotations.jsonl'}); the labels are "
        "incomplete: rerun the same command to retry only those"
    )
    records = [json.loads(line) for line in (tmp_path / "o" / "annotations.jsonl").read_text().splitlines()]
    assert sorted(r["id"] for r in records) == ["d0", "d1"] and all(r["status"] == "failed" for r in records)


def test_annotations_of_curated_code_are_named_by_repository_and_path(shared_data, tmp_path, capsys):
    """Issue 29: a curated Stack-Edu Parquet file has no `id` column (`blob_id`, `repo_name`, `path`, ...). Its
    annotations are named `<repo>/<path>`, as the file can be found, not `00000.parquet/3`."""
    import json

    from smolcorpus.readers.source_tree import SourceTreeReader
    from smolcorpus.writers.curated import StackEduWriter

    root = shared_data / "code" / "markdown" / "trekhleb__javascript-algorithms"
    documents = list(SourceTreeReader([str(root)], repo_names=["trekhleb/javascript-algorithms"]).run())
    with StackEduWriter(str(tmp_path / "curated")) as writer:
        for document in documents:
            writer.write(document)
    curated = next((tmp_path / "curated").rglob("*.parquet"))
    args = ["annotate", "--input", str(curated), "--output", str(tmp_path / "o"), "--endpoint", "http://127.0.0.1:9",
            "--model", "m", "--max-attempts", "1", "--timeout", "5", "--quiet"]  # fmt: skip
    assert main(args) == 1  # no server here: every document is a recorded failure, under its id
    capsys.readouterr()
    records = [json.loads(line) for line in (tmp_path / "o" / "annotations.jsonl").read_text().splitlines()]
    expected = {f"trekhleb/javascript-algorithms/{document.metadata['path']}" for document in documents}
    assert {r["id"] for r in records} == expected and "trekhleb/javascript-algorithms/CODE_OF_CONDUCT.md" in expected


def test_grade_only_needs_the_models_tokenizer(tmp_path, capsys):
    """--grade-only reads the grade tokens from the model's folder: a Hub id or a remote model name needs
    --tokenizer, said before any request."""
    args = ["annotate", "--input", "a.jsonl", "--output", str(tmp_path / "o"), "--endpoint", "http://127.0.0.1:9",
            "--model", "Qwen/Qwen2.5-72B-Instruct", "--grade-only"]  # fmt: skip
    assert main(args) == 2
    err = capsys.readouterr().err
    assert "--grade-only needs the model's tokenizer" in err and "pass --tokenizer FOLDER" in err
    assert not (tmp_path / "o").exists()
