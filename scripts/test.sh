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
# scheduling, child processes starting); on 2 cores 3 workers were faster than 2 or 4. A test module stays on one
# worker (--dist loadfile), so its module fixtures (a pipeline run, a server) are built once. Modules are handed out
# in tests/conftest.py's order (hence --no-loadscope-reorder): the Slurm module first, whose waiting on the scheduler
# was otherwise an idle tail, then the modules with the most tests (xdist's own order; the slow modules first was
# slower: the torch-heavy ones then contend for the two cores). The suite is CPU-bound, so only less work or less
# idle time makes it faster; this VM's speed varies by up to 30% within minutes, so compare the CPU of one module
# back to back, not suite wall times across runs. Measured here on 2 cores (2026-12-02): 8:04 to 10:03.
# SMOLCORPUS_TEST_WORKERS=N sets the count; 0 runs everything in this process.
WORKERS=${SMOLCORPUS_TEST_WORKERS:-$(( $(nproc) + 1 ))}
exec .venv/bin/python -m pytest -ra -n "$WORKERS" --dist loadfile --no-loadscope-reorder "$@"
