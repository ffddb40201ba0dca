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


def test_an_infinite_share_exits_2_naming_the_key(tmp_path, capsys):
    (tmp_path / "tokens").mkdir()
    config = tmp_path / "mix.yaml"
    config.write_text(f"output_dir: {tmp_path}/mix\ntotal_tokens: 1000\nsources:\n"
                      f"  - {{name: web, path: {tmp_path}/tokens, share: .inf}}\n")  # fmt: skip
    assert main(["mix", str(config)]) == 2
    error = capsys.readouterr().err
    assert "sources.0.share (line 4)" in error and "Traceback" not in error
    assert not (tmp_path / "mix").exists()
