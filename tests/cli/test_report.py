"""`smolcorpus report`: a folder that is not a run is a one-line error, exit 2."""

from smolcorpus.cli import build_parser, main


def test_a_folder_that_is_not_a_run_is_a_clear_error(tmp_path, capsys):
    (tmp_path / "data.parquet").write_bytes(b"")
    assert main(["report", str(tmp_path)]) == 2
    captured = capsys.readouterr()
    assert captured.err.strip() == f"error: {tmp_path}: no logs/ folder; not the output folder of `smolcorpus run`"
    assert "report written" not in captured.out and not (tmp_path / "report.html").exists()


def test_output_defaults_to_the_run_folder():
    args = build_parser().parse_args(["report", "runs/a"])
    assert (args.run_dir, args.output) == ("runs/a", None)
    assert build_parser().parse_args(["report", "runs/a", "--output", "r.html"]).output == "r.html"
