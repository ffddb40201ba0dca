"""The benchmarks' one measure of a process's peak memory.

`getrusage(...).ru_maxrss` is no good for a benchmark's child process: Linux keeps the high-water mark across
`execve`, so a child started by fork + exec (subprocess, multiprocessing's spawn) reports at least the size of the
process that started it (measured: every `finemath` stage read 628 MB, the benchmark's own size, where each stage's
own peak was 170-410 MB). `VmHWM` in /proc/self/status belongs to the address space the process runs in now."""

from __future__ import annotations

import resource


def peak_rss_mb() -> float:
    """This process's own peak resident memory, MB (VmHWM; elsewhere than Linux, ru_maxrss: an upper bound)."""
    try:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
