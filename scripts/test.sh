#!/usr/bin/env bash
# The whole test suite on a fresh machine: a virtualenv with the package and its test and dev
# extras, then scripts/check-all.sh (lint, types, package up to date and valid, pytest).
# Usage: bash scripts/test.sh   (Debian/Ubuntu with python3 >= 3.11 and python3-venv)
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON="${PYTHON:-python3}"
"$PYTHON" -m venv .venv
# shellcheck disable=SC1091
. .venv/bin/activate
python -m pip install --quiet --upgrade pip
python -m pip install --quiet -e '.[test,dev]'
exec scripts/check-all.sh
