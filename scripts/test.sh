#!/usr/bin/env bash
# The whole test suite on a fresh machine: a virtualenv with the package and its test and dev
# extras, then scripts/check-all.sh (lint, types, package up to date and valid, pytest).
# Usage: bash scripts/test.sh   (Debian/Ubuntu with python3 >= 3.11 and python3-venv)
set -euo pipefail
cd "$(dirname "$0")/.."

# The codebook's browser test (tests/browser) runs headless Chromium through its driver, both
# Debian packages (CI runs as root); with OPENDATA_MH_BROWSER_REQUIRED=1 the test fails instead
# of being skipped when they are missing.
if ! command -v chromium >/dev/null 2>&1 || ! command -v chromedriver >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ]; then
    apt-get update && apt-get install -y chromium chromium-driver
  elif command -v google-chrome >/dev/null 2>&1 && [ -n "${CHROMEWEBDRIVER:-}" ]; then
    : # GitHub's Ubuntu image: Chrome and its driver are installed (tests/browser finds them)
  else
    echo "scripts/test.sh: chromium / chromium-driver missing (apt-get install as root)" >&2
  fi
fi
export OPENDATA_MH_BROWSER_REQUIRED=1

# R (Debian's r-base-core, ~30 MB): tests/published/test_default_readers.py reads every CSV of the
# package with read.csv and no options; with OPENDATA_MH_R_REQUIRED=1 it fails instead of being
# skipped when Rscript is missing.
if ! command -v Rscript >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ]; then
    apt-get update && apt-get install -y --no-install-recommends r-base-core
  else
    echo "scripts/test.sh: Rscript missing (apt-get install r-base-core as root)" >&2
  fi
fi
if command -v Rscript >/dev/null 2>&1 || [ "$(id -u)" = 0 ]; then
  export OPENDATA_MH_R_REQUIRED=1
fi

PYTHON="${PYTHON:-python3}"
"$PYTHON" -m venv .venv
# shellcheck disable=SC1091
. .venv/bin/activate
python -m pip install --quiet --upgrade pip
# The extra 'oracle' is pytauargus (one ~5 MB wheel, about 2 s): tests/unit/test_sdc_oracle.py
# cross-checks the SDC engine against it (about 2 s) and, with OPENDATA_MH_ORACLE_REQUIRED=1,
# fails instead of being skipped when it is missing.
python -m pip install --quiet -e '.[test,dev,oracle]'
export OPENDATA_MH_ORACLE_REQUIRED=1
# The publishing tests (tests/integration, marker ckan) run against a real local CKAN: install
# and start it (idempotent; about 50 s on a fresh machine), stop it afterwards. With
# OPENDATA_MH_CKAN_REQUIRED=1 those tests fail instead of being skipped if CKAN is not up.
bash scripts/ckan-dev.sh install
bash scripts/ckan-dev.sh start
trap 'bash scripts/ckan-dev.sh stop' EXIT
export OPENDATA_MH_CKAN_REQUIRED=1
scripts/check-all.sh
