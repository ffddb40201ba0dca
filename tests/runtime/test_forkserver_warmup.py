from datatrove.pipeline.base import PipelineStep
from datatrove.pipeline.writers import ParquetWriter  # noqa: F401  (a step class that requires pyarrow)
from datatrove.utils import _import_utils


class StepNeedingAMissingPackage(PipelineStep):
    _requires_dependencies = ["smolcorpus_no_such_package"]

    def run(self, data, rank=0, world_size=1):
        yield from data


def test_checks_every_imported_step_and_tolerates_one_this_run_cannot_use():
    # imported here, not at the top: importing the module runs the checks, which collection need not do
    from smolcorpus.runtime.forkserver_warmup import check_imported_steps

    _import_utils._is_distribution_available.cache_clear()
    _import_utils._is_package_available.cache_clear()
    check_imported_steps()  # does not raise for the step whose package is missing
    checked = _import_utils._is_distribution_available.cache_info().currsize
    assert checked >= 2  # pyarrow and the missing one at least, each read once
    # the answers are kept: the same checks again read no distribution metadata
    check_imported_steps()
    assert _import_utils._is_distribution_available.cache_info().currsize == checked
    assert _import_utils._is_distribution_available.cache_info().hits >= checked
