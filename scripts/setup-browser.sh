#!/usr/bin/env bash
# Makes a fresh clone ready for the browser tests: everything scripts/setup.sh does, then Debian's
# Chromium when /usr/bin/chromium (or $KOMPUTE_TS_CHROMIUM) is missing. Run by `npm run test:browser`;
# quick when everything is already in place.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/as-root.sh
bash scripts/setup.sh
chromium=${KOMPUTE_TS_CHROMIUM:-/usr/bin/chromium}
if [[ ! -x $chromium ]]; then
  echo "setup-browser: $chromium is missing; installing Debian's chromium package"
  as_root scripts/install-chromium.sh setup-browser 'set KOMPUTE_TS_CHROMIUM to a Chromium binary'
  [[ -x $chromium ]] || { echo "setup-browser: still no $chromium" >&2; exit 1; }
fi
