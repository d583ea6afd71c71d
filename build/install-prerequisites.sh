#!/usr/bin/env bash
# Installs what the tests need that a fresh machine of this kind lacks. Idempotent and quiet when all is there.
set -euo pipefail

need=()
command -v ip >/dev/null || need+=(iproute2)
command -v unshare >/dev/null || need+=(util-linux)
command -v python3 >/dev/null || need+=(python3)
# Interop tests: the Linux kernel's v9fs client in a QEMU guest, and diod as a reference 9P server.
command -v qemu-system-x86_64 >/dev/null || need+=(qemu-system-x86)
dpkg -s busybox-static >/dev/null 2>&1 || need+=(busybox-static)
command -v cpio >/dev/null || need+=(cpio)
command -v diod >/dev/null || need+=(diod)

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
