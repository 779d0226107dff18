#!/usr/bin/env bash
# Sets up CWS Assistant in ./.venv from nothing: Python 3.11+, CPU-only torch, the project.
set -euo pipefail
cd "$(dirname "$0")"
PYTHON="${PYTHON:-python3}"
"$PYTHON" - <<'PY'
import sys
if sys.version_info < (3, 11):
    sys.exit(f"CWS Assistant needs Python 3.11 or newer; {sys.executable} is {sys.version.split()[0]}")
PY
[ -x .venv/bin/python ] || "$PYTHON" -m venv .venv
.venv/bin/python -m pip install --quiet --upgrade pip
# torch first and pinned: left to the resolver, an unpinned torch pulls gigabytes of CUDA packages.
.venv/bin/python -m pip install --quiet "torch==2.13.0"
.venv/bin/python -m pip install --quiet -e ".[test]"
echo "Installed. Try:  CWS_CORPUS_DIRS=../shared/corpus .venv/bin/cws ask \"When does the ST.92 sunset period end?\""
