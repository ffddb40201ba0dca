#!/usr/bin/env bash
# Quick start, part 2: build the virtualenv if needed, then run the test suite (arguments pass to pytest;
# -m "not slow" is the quick loop: no test that takes more than ~30 s).
# Tests on real data read ../shared/data (or $SMOLCORPUS_SHARED_DATA) and skip with a reason when it is absent.
# The Slurm test needs the one-node cluster (sudo scripts/slurm_cluster.sh install && sudo scripts/slurm_cluster.sh start)
# and skips without it, unless SMOLCORPUS_REQUIRE_SLURM=1.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/bootstrap.sh
# one pytest worker per core (pytest-xdist); a test module stays on one worker (--dist loadfile), so its module
# fixtures (a pipeline run, a server) are built once. SMOLCORPUS_TEST_WORKERS=0 runs everything in this process.
exec .venv/bin/python -m pytest -ra -n "${SMOLCORPUS_TEST_WORKERS:-auto}" --dist loadfile "$@"
