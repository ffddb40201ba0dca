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
