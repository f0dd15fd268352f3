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
# The publishing tests (tests/integration, marker ckan) run against a real local CKAN: install
# and start it (idempotent; about 50 s on a fresh machine), stop it afterwards. With
# OPENDATA_MH_CKAN_REQUIRED=1 those tests fail instead of being skipped if CKAN is not up.
bash scripts/ckan-dev.sh install
bash scripts/ckan-dev.sh start
trap 'bash scripts/ckan-dev.sh stop' EXIT
export OPENDATA_MH_CKAN_REQUIRED=1
scripts/check-all.sh
