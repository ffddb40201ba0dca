"""`CorpusLayout`: where a corpus run's files go below its output folder, and the ledgers/sampler that write there."""

from smolcorpus.filters.domain_stats import DOMAIN_COUNTS_FOLDER
from smolcorpus.pipelines.layout import CorpusLayout
from smolcorpus.writers.ledger import DropLedger
from smolcorpus.writers.samples import RUN_SAMPLES_FOLDER, KeptSampler


def test_folders_below_the_output_folder(tmp_path):
    root = str(tmp_path / "run")
    for given in (root, root + "/"):  # a trailing slash makes no double slash
        layout = CorpusLayout(given)
        assert layout.root == root
        assert layout.work == f"{root}/work"
        assert layout.filtered == f"{root}/work/filtered"
        assert layout.ledgers == f"{root}/work/dropped"
        assert layout.samples == f"{root}/work/samples" == f"{root}/{RUN_SAMPLES_FOLDER}"
        assert layout.domain_counts == f"{root}/{DOMAIN_COUNTS_FOLDER}" == f"{root}/work/domains"
        assert (layout.curated, layout.tokens) == (f"{root}/curated", f"{root}/tokens")
    # samples live outside work/dropped, whose every *.jsonl.gz the funnel reads as ledger lines
    assert not layout.samples.startswith(layout.ledgers)


def test_ledger_writes_below_ledgers_and_samples_its_drops(tmp_path):
    layout = CorpusLayout(str(tmp_path / "run"))
    ledger = layout.ledger("url_filter", "blocked", html=True)
    assert isinstance(ledger, DropLedger)
    assert ledger.output_folder.path == f"{layout.ledgers}/url_filter"
    assert ledger.samples_folder == f"{layout.samples}/dropped/url_filter"
    assert (ledger.step, ledger.default_reason, ledger.html) == ("url_filter", "blocked", True)
    plain = layout.ledger("language_id")
    assert (plain.default_reason, plain.html) == ("dropped", False)


def test_kept_sampler_writes_below_samples_kept(tmp_path):
    layout = CorpusLayout(str(tmp_path / "run"))
    sampler = layout.kept_sampler(("language", "int_score"))
    assert isinstance(sampler, KeptSampler)
    assert sampler.folder.path == f"{layout.samples}/kept"
    assert sampler.group_keys == ("language", "int_score")
