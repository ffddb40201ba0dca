"""Which datatrove executor runs a run's stages, and how wide (`executor`); the runtime reads only this section."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, PositiveFloat, PositiveInt, model_validator

from smolcorpus.config.base import StrictModel


class SlurmStageConfig(StrictModel):
    """What one stage asks of Slurm instead of the run's settings (null: the run's). The scoring stage (`curate`)
    on a GPU partition: `{partition: gpu, gpus: 1, time: "04:00:00"}` while the other stages stay on CPU nodes;
    its torch scorers then run on the GPU (`device: auto`). An unknown stage name is an error that lists the run's
    stages (`run --dry-run` prints them)."""

    partition: str | None = Field(None, description="partition for this stage's tasks; null: the run's")
    time: str | None = Field(None, description="per-task wall-clock limit, sbatch format; null: the run's")
    cpus_per_task: PositiveInt | None = Field(None, description="CPUs per array task; null: the run's")
    mem_per_cpu_gb: PositiveFloat | None = Field(None, description="GB of memory per CPU; null: the run's")
    gpus: PositiveInt | None = Field(
        None,
        description="GPUs per task: `#SBATCH --gpus=N` (clusters that want gres: `sbatch_args: {gres: 'gpu:N'}`); "
        "null: none, as the run's CPU stages need none",
    )
    sbatch_args: dict[str, str | int] = Field(
        default_factory=dict, description="extra `#SBATCH --key=value` lines for this stage; `{}`: the run's alone"
    )


class SlurmConfig(StrictModel):
    """sbatch settings for datatrove's `SlurmPipelineExecutor` (required when `kind: slurm`). `output_dir` must be
    on a filesystem the nodes share."""

    partition: str = Field(description="partition to submit to; required: no partition is right on every cluster")
    time: str = Field(
        "24:00:00",
        description="per-task wall-clock limit, sbatch format; a day: a common partition maximum, and a task that "
        "needs more should be split into more tasks",
    )
    cpus_per_task: PositiveInt = Field(1, description="CPUs per array task; 1: a task is one process")
    mem_per_cpu_gb: PositiveFloat = Field(
        2, description="GB of memory per CPU (fractions become `--mem-per-cpu=<MB>M`); 2: datatrove's default"
    )
    qos: str | None = Field(
        None,
        description="QOS name; null writes no `--qos` line: datatrove on its own writes `qos=normal`, which "
        "clusters without that QOS reject",
    )
    sbatch_args: dict[str, str | int] = Field(
        default_factory=dict, description="extra `#SBATCH --key=value` lines (account, constraint, …); `{}`: none"
    )
    env_command: str | None = Field(
        None,
        description="shell line that activates the environment on the nodes; null: `source <the venv running "
        "smolcorpus>/bin/activate`, right when the nodes see the same filesystem",
    )
    max_array_size: PositiveInt = Field(
        1001,
        description="the cluster's `MaxArraySize`; more tasks are split over several arrays; 1001: Slurm's "
        "default limit",
    )
    stages: dict[str, SlurmStageConfig] = Field(
        default_factory=dict,
        description="stage name (`run --dry-run` lists them) → its own partition, time, CPUs, memory, GPUs and "
        "sbatch lines (`executor.slurm.stages.<name>.*`); `{}`: every stage asks for the run's",
    )


class RayConfig(StrictModel):
    """Settings for datatrove's `RayPipelineExecutor`."""

    address: str | None = Field(
        None, description="an existing cluster (`auto`, `ray://…`); null starts a local one with `ray.init()`"
    )
    cpus_per_task: PositiveFloat = Field(1, description="CPUs reserved per task; 1: a task is one process")
    mem_per_cpu_gb: PositiveFloat = Field(2, description="GB of memory reserved per CPU; 2: as on Slurm")


class ExecutorConfig(StrictModel):
    """Which datatrove executor runs the stages, and how wide."""

    kind: Literal["local", "slurm", "ray"] = Field(
        "local", description="`local`, `slurm` or `ray`; local: runs on this machine with nothing to set up"
    )
    tasks: PositiveInt = Field(
        1,
        description="shards of the input: task i reads files i, i+tasks, …; keep it fixed when resuming (changing "
        "it is refused); 1: small runs need no more",
    )
    workers: int = Field(
        -1,
        ge=-1,
        description="tasks running at once; -1: as many as the executor allows (min(tasks, CPUs) locally, no "
        "limit on Slurm/Ray)",
    )
    slurm: SlurmConfig | None = Field(None, description="required when `kind: slurm`; null otherwise")
    ray: RayConfig = Field(default_factory=RayConfig, description="read when `kind: ray`")

    @model_validator(mode="after")
    def _slurm_needs_section(self) -> ExecutorConfig:
        if self.kind == "slurm" and self.slurm is None:
            raise ValueError("executor kind 'slurm' needs an executor.slurm section (at least: partition)")
        return self
