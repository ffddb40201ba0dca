"""The corpus pipelines' dedup, built from their settings: which stages find duplicates, and which steps remove them
(with their ledgers), for every combination a config can ask for."""

from datatrove.pipeline.dedup import MinhashDedupFilter
from datatrove.pipeline.dedup.exact_dedup import ExactDedupFilter

from smolcorpus.config import DedupConfig
from smolcorpus.pipelines.dedup import dedup_filters, dedup_stages
from smolcorpus.pipelines.layout import CorpusLayout
from smolcorpus.readers.intermediate import IntermediateReader


def test_stages_and_filters_follow_the_settings(tmp_path):
    layout = CorpusLayout(str(tmp_path / "run"))

    def reader():
        return IntermediateReader(layout.filtered)

    expected = {
        (True, True): ["exact_signatures", "exact_find", "minhash_signatures", "minhash_buckets", "minhash_clusters"],
        (True, False): ["exact_signatures", "exact_find"],
        (False, True): ["minhash_signatures", "minhash_buckets", "minhash_clusters"],
        (False, False): [],
    }
    for (exact, minhash), names in expected.items():
        settings = DedupConfig(exact=exact, minhash=minhash, num_buckets=6)
        stages = dedup_stages(settings, layout, reader, tasks=3)
        assert [stage.name for stage in stages] == names
        assert all(stage.tasks == {"exact_find": 1, "minhash_buckets": 6, "minhash_clusters": 1}.get(stage.name, 3)
                   for stage in stages)  # fmt: skip
        filters = dedup_filters(settings, layout)
        assert [type(f) for f in filters] == [ExactDedupFilter] * exact + [MinhashDedupFilter] * minhash
        # every removal is ledgered where the funnel reads drops
        assert all(f.exclusion_writer.output_folder.path.startswith(layout.ledgers) for f in filters)
    # near-dedup runs over what exact dedup kept: its signature stage removes exact copies first (unledgered)
    both = dedup_stages(DedupConfig(exact=True, minhash=True), layout, reader, tasks=2)
    signature_steps = both[2].pipeline
    assert isinstance(signature_steps[0], IntermediateReader) and isinstance(signature_steps[1], ExactDedupFilter)
    assert signature_steps[1].exclusion_writer is None
