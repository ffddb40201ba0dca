#!/usr/bin/env bash
# Quick start, part 2: build the virtualenv if needed, then run the test suite (arguments pass to pytest;
# -m "not slow" is the quick loop: no test that takes more than ~30 s).
# Tests on real data read ../shared/data (or $SMOLCORPUS_SHARED_DATA) and skip with a reason when it is absent.
# The Slurm test needs the one-node cluster (sudo scripts/slurm_cluster.sh install && sudo scripts/slurm_cluster.sh start)
# and skips without it, unless SMOLCORPUS_REQUIRE_SLURM=1.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/bootstrap.sh
# pytest-xdist workers: one per core plus one, since several tests mostly wait (an LLM server loading, Slurm
# scheduling, child processes starting); on 2 cores the suite took 12:02 with 2 workers, 10:49 with 3, 11:08 with 4.
# A test module stays on one worker (--dist loadfile), so its module fixtures (a pipeline run, a server) are built
# once; xdist hands out modules with the most tests first. Starting the slow modules first instead was slower (11:42
# vs 10:32: the torch-heavy ones then contend for the two cores at once), and so was one torch thread per worker
# (12:44). The suite is CPU-bound (vmstat: 96-100% busy after the first minute), so only less work makes it faster.
# 2026-12-02: cutting repeated imports in pool workers, duplicate fixture builds and conversions cut the measured
# modules' CPU by 15-40% (A/B, back to back), but three runs of the same code took 9:56, 12:47 and 13:46 as this
# VM's speed changed: compare CPU of the same module back to back, not suite wall times across runs.
# Later the same day: shorter LLM-server prompts, the URL block lists parsed once per process, and the Slurm module
# first (its waiting had been an idle tail): three runs took 10:03 (with a timeline plugin), 9:16 and 8:21; the
# machine's CPU 1,013, 1,066 and 982 s.
# The order modules are handed out in is tests/conftest.py's (pytest_collection_modifyitems): the Slurm module first,
# whose waiting on the scheduler otherwise left an idle tail, then the modules with the most tests.
# SMOLCORPUS_TEST_WORKERS=N sets the count; 0 runs everything in this process.
WORKERS=${SMOLCORPUS_TEST_WORKERS:-$(( $(nproc) + 1 ))}
exec .venv/bin/python -m pytest -ra -n "$WORKERS" --dist loadfile --no-loadscope-reorder "$@"
