"""The runtime layer, at the bottom of the package: what runs stages and records what they did (stages, executors
on the local machine, Slurm and Ray, progress counting, stage counters, atomic folder swaps). Nothing here imports a
pipeline, a filter, the CLI or `RunConfig` (the executors read only `ExecutorConfig`); everything above may import
it. What is about a run rather than its stages (provenance, the output-folder claim) sits beside `run.py`."""
