"""The runtime layer, at the bottom of the package: what runs stages and records what they did (stages, executors
on the local machine, Slurm and Ray, progress counting, stage counters, provenance, the output-folder claim, atomic
folder swaps). Nothing here imports a pipeline, a filter or the CLI; everything above may import it."""
