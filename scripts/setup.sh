#!/usr/bin/env bash
# Makes a fresh clone ready to run: npm dependencies, the TypeScript build, and a WebGPU adapter
# (Mesa's software Vulkan driver when the machine has no GPU). Run by `npm start` and `npm test`
# before anything else; quick when everything is already in place.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/as-root.sh

if [[ ! -d node_modules || package-lock.json -nt node_modules/.package-lock.json ]]; then
  echo "setup: installing npm dependencies"
  # `npm ci` only: it installs exactly the committed lock file and never rewrites it (a fresh
  # clone stays unmodified). The lock file lists every platform's optional packages (Biome's,
  # Rolldown's); if `npm ci` refuses it, regenerate it with `npm install` and commit it.
  npm ci --no-audit --no-fund --loglevel=error
fi

echo "setup: building"
npx --no-install tsc -p .

if ! node scripts/probe-adapter.mjs 2>/dev/null; then
  echo "setup: no WebGPU adapter; installing Mesa's software Vulkan driver (lavapipe)"
  as_root scripts/install-lavapipe.sh setup "install your GPU's Vulkan driver"
  node scripts/probe-adapter.mjs 2>/dev/null || { echo "setup: still no WebGPU adapter: see README.md, Troubleshooting" >&2; exit 1; }
fi
