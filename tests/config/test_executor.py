"""`config/executor.py`: the executor section, Slurm's per-stage resources included."""

import pytest

from smolcorpus.config import load_config
from smolcorpus.errors import ConfigError
from tests.config.conftest import write


def test_slurm_executor_needs_its_section(tmp_path, valid_text):
    with pytest.raises(ConfigError, match="needs an executor.slurm section"):
        load_config(write(tmp_path, valid_text), overrides={"executor.kind": "slurm"})


def test_per_stage_slurm_resources(tmp_path, valid_text):
    """`executor.slurm.stages` is validated like every other key."""
    slurm = valid_text.replace("  kind: local", "  kind: slurm\n  slurm:\n    partition: cpu\n    stages:\n"
                               "      curate: {partition: gpu, gpus: 1, time: '04:00:00'}")  # fmt: skip
    config = load_config(write(tmp_path, slurm))
    stage = config.executor.slurm.stages["curate"]
    assert (stage.partition, stage.gpus, stage.time, stage.cpus_per_task) == ("gpu", 1, "04:00:00", None)
    with pytest.raises(ConfigError, match=r"executor\.slurm\.stages\.curate\.gpus .*greater than 0"):
        load_config(write(tmp_path, slurm.replace("gpus: 1", "gpus: 0")))
