#!/usr/bin/env bash
# Makes a fresh clone ready for the Deno and Bun test runs (npm run test:deno, npm run test:bun):
# everything scripts/setup.sh does, then Deno, Bun and bun-webgpu from npm into tools/runtimes
# (pinned in its lock file; each package ships its binary, nothing is downloaded at run time).
# Quick when everything is already in place.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
if [[ ! -x tools/runtimes/node_modules/.bin/deno || ! -x tools/runtimes/node_modules/.bin/bun || tools/runtimes/package-lock.json -nt tools/runtimes/node_modules/.package-lock.json ]]; then
  echo "setup-runtimes: installing Deno, Bun and bun-webgpu into tools/runtimes"
  # As in setup.sh: `npm ci` refuses a lock file without every platform's optional packages
  # (bun-webgpu's), which a registry mirror holding only some platforms cannot give; `npm install`
  # then installs the same locked versions and leaves the lock file as it is.
  npm --prefix tools/runtimes ci --no-audit --no-fund --loglevel=error 2>/dev/null ||
    npm --prefix tools/runtimes install --no-audit --no-fund --loglevel=error
fi
