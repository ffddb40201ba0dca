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
