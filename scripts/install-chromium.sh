#!/usr/bin/env bash
# Installs Debian's Chromium for the browser tests (`npm run test:browser`): playwright-core drives
# the system browser at /usr/bin/chromium and never downloads one. Needs root (apt-get).
set -euo pipefail
if [[ $(id -u) -ne 0 ]]; then
  echo "install-chromium: needs root (apt-get); run: sudo bash $0" >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
# Debian calls the package `chromium`; Ubuntu's `chromium-browser` is a snap stub, so Ubuntu users
# need another source of a real /usr/bin/chromium (or KOMPUTE_TS_CHROMIUM=/path/to/chrome).
apt-get install -y -qq --no-install-recommends chromium >/dev/null
echo "install-chromium: $(dpkg-query -W -f='${Package} ${Version}' chromium)"
