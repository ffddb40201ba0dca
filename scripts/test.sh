#!/usr/bin/env bash
# Quick start, part 2: build the virtualenv if needed, then run the test suite (arguments pass to pytest).
# Tests on real data read ../shared/data (or $SMOLCORPUS_SHARED_DATA) and skip with a reason when it is absent.
# The Slurm test needs the one-node cluster (sudo scripts/slurm_cluster.sh install && sudo scripts/slurm_cluster.sh start)
# and skips without it, unless SMOLCORPUS_REQUIRE_SLURM=1.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/bootstrap.sh
exec .venv/bin/python -m pytest -ra "$@"
