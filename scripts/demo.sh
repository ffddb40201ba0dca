#!/usr/bin/env bash
# Quick start, part 1: build the virtualenv if needed, then run the offline demo (arguments pass through).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/bootstrap.sh
exec .venv/bin/smolcorpus demo "$@"
