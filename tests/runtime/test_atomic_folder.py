"""Whole-folder outputs: a build goes to `.partial` and replaces the earlier folder only when complete."""

from smolcorpus.runtime.atomic_folder import fresh_partial, swap_in


def test_swap_in_replaces_the_old_folder_only_at_the_end(tmp_path):
    target = tmp_path / "out"
    target.mkdir()
    (target / "old.txt").write_text("old")
    partial = fresh_partial(target)
    (partial / "new.txt").write_text("new")
    assert (target / "old.txt").is_file()  # still whole while the new one is being built
    swap_in(partial, target)
    assert [p.name for p in target.iterdir()] == ["new.txt"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]


def test_a_leftover_partial_is_started_afresh(tmp_path):
    leftover = tmp_path / "out.partial"
    leftover.mkdir()
    (leftover / "half.txt").write_text("interrupted")
    partial = fresh_partial(tmp_path / "out")
    assert partial == leftover and not list(partial.iterdir())
    assert swap_in(partial, tmp_path / "out") == tmp_path / "out" and not leftover.exists()
