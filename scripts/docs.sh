#!/usr/bin/env bash
# Builds the API reference into docs/api with TypeDoc; warnings fail the build
# (typedoc.json: treatWarningsAsErrors). TypeDoc reads TypeScript through the TypeScript 5
# compiler API, which TypeScript 7 (the project's compiler) no longer offers, so TypeDoc and a
# TypeScript 5.9 of its own live in tools/typedoc, installed from its lock file on first use.
# Type errors are the build's business (`npx tsc -p .`); TypeDoc skips its own type check.
set -euo pipefail
cd "$(dirname "$0")/.."
if [[ ! -d tools/typedoc/node_modules/typedoc || tools/typedoc/package-lock.json -nt tools/typedoc/node_modules/.package-lock.json ]]; then
  npm --prefix tools/typedoc ci --no-audit --no-fund --loglevel=error
fi
node tools/typedoc/node_modules/typedoc/bin/typedoc "$@"
