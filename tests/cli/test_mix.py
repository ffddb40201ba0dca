"""`smolcorpus mix`: arguments, and bad mixture configs as one-line errors (the mixing itself: tests/tokenize/)."""

from smolcorpus.cli import build_parser, main


def test_arguments():
    args = build_parser().parse_args(["mix", "stage1.yaml", "--seed", "7", "--quiet"])
    assert (args.config, args.seed, args.quiet) == ("stage1.yaml", 7, True)
    assert build_parser().parse_args(["mix", "stage1.yaml"]).seed is None  # the config's own seed


def test_missing_config_is_a_clear_error(tmp_path, capsys):
    assert main(["mix", str(tmp_path / "nowhere.yaml")]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ") and "nowhere.yaml" in err and "Traceback" not in err


def test_invalid_config_names_the_file_and_the_problem(tmp_path, capsys):
    config = tmp_path / "mix.yaml"
    config.write_text("output_dir: out\nsources: not-a-list\n")
    assert main(["mix", str(config)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ") and "mix.yaml" in err and "sources" in err
    assert not (tmp_path / "out").exists()
