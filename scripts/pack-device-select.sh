#!/usr/bin/env bash
# Packs Mesa's Vulkan device-select layer (VK_LAYER_MESA_device_select, from Debian bookworm-
# backports' mesa-vulkan-drivers) and the libraries it loads into .device-select/ at the project's
# root (git-ignored), for a GPU machine that has a Vulkan driver but no Mesa. Only the layer's
# library (~70 KiB) and manifest are kept from mesa-vulkan-drivers; its dependencies travel as
# their small .deb files. About 1 MiB in all.
#
#   bash scripts/pack-device-select.sh
#
# On the GPU machine, from the project's root:   source .device-select/setup.sh && YOUR COMMAND
# (it installs the libraries and the layer as an implicit layer, as mesa-vulkan-drivers would).
set -euo pipefail
root=$(git rev-parse --show-toplevel)
cd "$root"
out=.device-select
common=$(git rev-parse --git-common-dir)
mkdir -p "$out" "$common/info"
grep -qx '/.device-select/' "$common/info/exclude" 2>/dev/null || echo '/.device-select/' >> "$common/info/exclude"

mesa_version=${MESA_VERSION:-25.0.7-2~bpo12+1}
deps=(libxcb1 libxcb-dri3-0 libwayland-client0 libdrm2 libxau6 libxdmcp6 libffi8 libbsd0 libmd0)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
lists="$work/lists"
mkdir -p "$lists/partial"
o=(-oAPT::Architecture=amd64 -oAPT::Architectures=amd64 "-oDir::State::Lists=$lists")
apt-get "${o[@]}" update >/dev/null 2>&1
(cd "$work" && apt-get "${o[@]}" download "mesa-vulkan-drivers=$mesa_version" "${deps[@]}" >/dev/null)

rm -f "$out"/*.deb "$out"/libVkLayer_MESA_device_select.so "$out"/VkLayer_MESA_device_select.json
dpkg -x "$work"/mesa-vulkan-drivers_*.deb "$work/mesa"
cp "$work/mesa/usr/lib/x86_64-linux-gnu/libVkLayer_MESA_device_select.so" "$out/"
cp "$work/mesa/usr/share/vulkan/implicit_layer.d/VkLayer_MESA_device_select.json" "$out/"
# Plain file names (the versions hold characters such as %3a that transfers may refuse).
for d in "${deps[@]}"; do cp "$work"/"${d}"_*.deb "$out/$d.deb"; done

cat > "$out/setup.sh" <<'SETUP'
# Sourced on the GPU machine from the project's root: installs Mesa's device-select layer as an
# implicit Vulkan layer (library in /usr/lib/x86_64-linux-gnu, manifest in
# /usr/share/vulkan/implicit_layer.d) with the libraries it needs. Prints one line.
_kds_setup() {
  local here
  here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd) || return 1
  for f in "$here"/*.deb; do dpkg -x "$f" / || return 1; done
  install -m 644 "$here/libVkLayer_MESA_device_select.so" /usr/lib/x86_64-linux-gnu/ || return 1
  mkdir -p /usr/share/vulkan/implicit_layer.d
  install -m 644 "$here/VkLayer_MESA_device_select.json" /usr/share/vulkan/implicit_layer.d/ || return 1
  ldconfig
  if ldd /usr/lib/x86_64-linux-gnu/libVkLayer_MESA_device_select.so | grep -q 'not found'; then
    echo "device-select: missing libraries:" >&2
    ldd /usr/lib/x86_64-linux-gnu/libVkLayer_MESA_device_select.so | grep 'not found' >&2
    return 1
  fi
  echo "device-select: VK_LAYER_MESA_device_select installed (implicit layer)"
}
_kds_setup
SETUP
du -sh "$out"/* | sed 's/^/pack-device-select: /'
echo "pack-device-select: .device-select is $(du -sk "$out" | cut -f1) KiB"
