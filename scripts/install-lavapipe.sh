#!/usr/bin/env bash
# Installs Mesa's software Vulkan driver (lavapipe) so Dawn finds an adapter on a machine without a GPU.
# Debian 12's own Mesa (22.x) is too old for Dawn; bookworm-backports carries 25.x, which works.
set -euo pipefail
if [[ $(id -u) -ne 0 ]]; then
  echo "install-lavapipe: needs root (apt-get); run: sudo bash $0" >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
. /etc/os-release
if [[ ${VERSION_CODENAME:-} == bookworm ]]; then
  list=/etc/apt/sources.list.d/kompute-ts-backports.sources
  if ! grep -rqs "bookworm-backports" /etc/apt/sources.list /etc/apt/sources.list.d/; then
    printf 'Types: deb\nURIs: http://deb.debian.org/debian\nSuites: bookworm-backports\nComponents: main\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\n' > "$list"
  fi
  apt-get update -qq
  apt-get install -y -qq -t bookworm-backports mesa-vulkan-drivers libvulkan1 >/dev/null
else
  # Newer Debian and Ubuntu releases ship a Mesa recent enough for Dawn.
  apt-get update -qq
  apt-get install -y -qq mesa-vulkan-drivers libvulkan1 >/dev/null
fi
echo "install-lavapipe: $(dpkg-query -W -f='${Package} ${Version}' mesa-vulkan-drivers)"
