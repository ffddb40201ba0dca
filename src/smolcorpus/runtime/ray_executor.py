"""Stages on a Ray cluster: datatrove's RayPipelineExecutor, its task processes made stoppable (ray is optional:
imported only when a run uses it)."""

from __future__ import annotations

import signal

from datatrove.executor.base import PipelineExecutor
from datatrove.utils.stats import PipelineStats

from smolcorpus.config.executor import ExecutorConfig
from smolcorpus.runtime.executor_json import RedactedJsonMixin


def _ray_executor_class():
    """datatrove's RayPipelineExecutor, made safe to stop its task processes (defined lazily: ray is optional)."""
    from datatrove.executor import RayPipelineExecutor

    class TerminableRayExecutor(RedactedJsonMixin, RayPipelineExecutor):
        """Each Ray actor runs its task in a forked pool process, and the fork inherits Ray's SIGTERM handler,
        which ignores the `terminate()` the pool sends when the task is done: the actor then hangs holding its
        CPU, and the remaining tasks never get scheduled. Restoring the default handler in the task process lets
        the pool shut down.
        """

        def _run_for_rank(self, rank: int, local_rank: int = 0, node_rank: int = -1) -> PipelineStats:
            signal.signal(signal.SIGTERM, signal.SIG_DFL)
            return super()._run_for_rank(rank, local_rank, node_rank)

    return TerminableRayExecutor


def ray_executor(stage, config: ExecutorConfig, logging_dir, workers) -> PipelineExecutor:
    return _ray_executor_class()(
        stage.pipeline,
        tasks=stage.tasks,
        workers=workers,
        logging_dir=logging_dir,
        cpus_per_task=stage.cpus_per_task or config.ray.cpus_per_task,
        mem_per_cpu_gb=config.ray.mem_per_cpu_gb,
    )


def init_ray(config: ExecutorConfig) -> None:
    import ray

    if not ray.is_initialized():
        ray.init(address=config.ray.address, include_dashboard=False, log_to_driver=False)
