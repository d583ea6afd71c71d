#!/usr/bin/env bash
# Installs what the tests need that a fresh machine of this kind lacks. Idempotent and quiet when all is there.
set -euo pipefail

need=()
command -v ip >/dev/null || need+=(iproute2)
command -v unshare >/dev/null || need+=(util-linux)
command -v python3 >/dev/null || need+=(python3)
# Mainline DHT interop tests and benchmark: libtorrent (Debian's Python binding, run with /usr/bin/python3)
# and bittorrent-dht (npm, pinned in package.json / package-lock.json, installed into ./node_modules).
/usr/bin/python3 -c 'import libtorrent' 2>/dev/null || need+=(python3-libtorrent)
command -v node >/dev/null || need+=(nodejs)
command -v npm >/dev/null || need+=(npm)
# Interop tests: the Linux kernel's v9fs client in a QEMU guest, and diod as a reference 9P server.
command -v qemu-system-x86_64 >/dev/null || need+=(qemu-system-x86)
dpkg -s busybox-static >/dev/null 2>&1 || need+=(busybox-static)
command -v cpio >/dev/null || need+=(cpio)
command -v diod >/dev/null || need+=(diod)
# FUSE interop tests: 9pfuse (built outside the repository) mounts through fusermount.
command -v fusermount >/dev/null || need+=(fuse3)
# Mainline tests: Wireshark's bt-dht dissector checks that our KRPC is well-formed.
command -v tshark >/dev/null || need+=(tshark)

if ((${#need[@]})); then
  if [ "$(id -u)" != 0 ]; then
    echo "install-prerequisites: missing ${need[*]}; run as root or install them" >&2
    exit 1
  fi
  echo "install-prerequisites: installing ${need[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi

# Kernel + initramfs for the v9fs guest (downloads a Debian kernel package once, then cached).
"$(dirname "$0")/prepare-v9fs-guest.sh"

# bittorrent-dht for the Mainline interop tests, exactly as locked (skipped when already installed at that version).
root="$(cd "$(dirname "$0")/.." && pwd)"
if ! cmp -s "$root/package-lock.json" "$root/node_modules/.cheshire-installed-lock" 2>/dev/null; then
  (cd "$root" && npm ci --no-audit --no-fund --loglevel=error >/dev/null)
  cp "$root/package-lock.json" "$root/node_modules/.cheshire-installed-lock"
fi
