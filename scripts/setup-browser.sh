#!/usr/bin/env bash
# Makes a fresh clone ready for the browser tests: everything scripts/setup.sh does, then Debian's
# Chromium when /usr/bin/chromium (or $KOMPUTE_TS_CHROMIUM) is missing. Run by `npm run test:browser`;
# quick when everything is already in place.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
chromium=${KOMPUTE_TS_CHROMIUM:-/usr/bin/chromium}
if [[ ! -x $chromium ]]; then
  echo "setup-browser: $chromium is missing; installing Debian's chromium package"
  if [[ $(id -u) -eq 0 ]]; then
    bash scripts/install-chromium.sh
  elif command -v sudo >/dev/null; then
    sudo bash scripts/install-chromium.sh
  else
    echo "setup-browser: run 'bash scripts/install-chromium.sh' as root, or set KOMPUTE_TS_CHROMIUM to a Chromium binary" >&2
    exit 1
  fi
  [[ -x $chromium ]] || { echo "setup-browser: still no $chromium" >&2; exit 1; }
fi
