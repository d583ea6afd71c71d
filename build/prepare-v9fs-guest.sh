#!/usr/bin/env bash
# Prepares the Linux guest used by tests/Cheshire.Interop.Tests: a Debian generic kernel (it has
# 9P as modules; the cloud kernel does not) and a busybox initramfs that loads the 9P modules,
# brings up eth0 on QEMU's user network and runs /test.sh from a per-run overlay archive.
#
# Output (default ${XDG_CACHE_HOME:-$HOME/.cache}/cheshire/v9fs-guest, override with
# CHESHIRE_V9FS_GUEST_DIR): vmlinuz, initrd.img, kernel-version, stamp.
# Idempotent: does nothing when the stamp matches this script and the kernel version.
# Needs: apt-get (to download the kernel package once), dpkg-deb, busybox-static, cpio, gzip.
set -euo pipefail

out="${CHESHIRE_V9FS_GUEST_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/cheshire/v9fs-guest}"
modules=(e1000 netfs fscache 9pnet 9pnet_fd 9p)

log() { echo "prepare-v9fs-guest: $*" >&2; }

# The kernel version: whatever the distribution's generic meta-package points to; once
# downloaded, the cached version is kept (no network needed afterwards).
kver=""
if [ -f "$out/kernel-version" ]; then
  kver="$(cat "$out/kernel-version")"
fi
if [ -z "$kver" ]; then
  kver="$(apt-cache depends linux-image-amd64 2>/dev/null | sed -n 's/^ *Depends: linux-image-\([0-9].*-amd64\)$/\1/p' | head -n1)"
  if [ -z "$kver" ]; then
    kver="$(apt-cache search '^linux-image-[0-9.]+-[0-9]+-amd64$' 2>/dev/null | awk '{print $1}' | sed 's/^linux-image-//' | sort -V | tail -n1)"
  fi
  if [ -z "$kver" ]; then
    log "cannot find a generic amd64 kernel package (apt-cache depends linux-image-amd64 gave nothing; run apt-get update)"
    exit 1
  fi
fi

recipe="$(sha256sum "$0" | cut -d' ' -f1) $kver"
if [ -f "$out/stamp" ] && [ "$(cat "$out/stamp")" = "$recipe" ] && [ -f "$out/vmlinuz" ] && [ -f "$out/initrd.img" ]; then
  exit 0
fi

for tool in dpkg-deb cpio gzip; do
  command -v "$tool" >/dev/null || { log "missing $tool"; exit 1; }
done
busybox=/bin/busybox
dpkg -s busybox-static >/dev/null 2>&1 || { log "need busybox-static (a statically linked /bin/busybox)"; exit 1; }

mkdir -p "$out"
work="$(mktemp -d "$out/.work.XXXXXX")"
trap 'rm -rf "$work"' EXIT

pkg="linux-image-$kver"
deb="$(ls "$out"/"${pkg}"_*.deb 2>/dev/null | head -n1 || true)"
if [ -z "$deb" ]; then
  log "downloading $pkg"
  if ! (cd "$work" && apt-get download -q "$pkg" >/dev/null 2>&1); then
    log "apt-get download $pkg failed; running apt-get update and retrying"
    apt-get update -qq
    (cd "$work" && apt-get download -q "$pkg" >/dev/null)
  fi
  deb="$(ls "$work"/"${pkg}"_*.deb | head -n1)"
  mv "$deb" "$out/"
  deb="$out/$(basename "$deb")"
fi

log "extracting $(basename "$deb")"
mkdir "$work/pkg"
dpkg-deb -x "$deb" "$work/pkg"
vmlinuz="$work/pkg/boot/vmlinuz-$kver"
moddir="$work/pkg/lib/modules/$kver"
[ -f "$vmlinuz" ] || { log "no boot/vmlinuz-$kver in $deb"; exit 1; }
[ -d "$moddir" ] || { log "no lib/modules/$kver in $deb"; exit 1; }

# Resolve module files and their dependencies (the "depends=" field of .modinfo), in load order.
root="$work/root"
mkdir -p "$root"/{bin,dev,proc,sys,mnt,tmp,modules,etc}
ordered=()
declare -A seen=()
find_module() {
  local name="$1" f
  f="$(find "$moddir/kernel" \( -name "$name.ko" -o -name "$name.ko.xz" -o -name "$name.ko.zst" -o -name "$name.ko.gz" \
        -o -name "${name//_/-}.ko" -o -name "${name//_/-}.ko.xz" -o -name "${name//_/-}.ko.zst" \) | head -n1)"
  [ -n "$f" ] || { log "module $name not found under $moddir/kernel (built in?)"; return 1; }
  echo "$f"
}
add_module() {
  local name="$1" f plain deps dep
  [ -n "${seen[$name]:-}" ] && return 0
  seen[$name]=1
  f="$(find_module "$name")" || return 1
  plain="$root/modules/$name.ko"
  case "$f" in
    *.ko.xz) xz -dc "$f" >"$plain" ;;
    *.ko.zst) zstd -q -dc "$f" >"$plain" ;;
    *.ko.gz) gzip -dc "$f" >"$plain" ;;
    *) cp "$f" "$plain" ;;
  esac
  deps="$(grep -a -o -m1 'depends=[A-Za-z0-9_,-]*' "$plain" | head -n1 | sed 's/^depends=//')"
  for dep in ${deps//,/ }; do
    add_module "$dep"
  done
  ordered+=("$name")
}
for m in "${modules[@]}"; do
  add_module "$m"
done
log "kernel $kver, modules: ${ordered[*]}"
printf '%s\n' "${ordered[@]}" >"$root/modules/order"

cp "$busybox" "$root/bin/busybox"
ln -s busybox "$root/bin/sh"

cat >"$root/init" <<'INIT'
#!/bin/sh
# Cheshire v9fs guest: load the 9P modules, bring up QEMU user networking, run /test.sh,
# report its exit status and power off. Test output goes to ttyS1 (a file on the host) when
# present, so the kernel's console messages (ttyS0) stay apart.
/bin/busybox --install -s /bin 2>/dev/null
export PATH=/bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev 2>/dev/null
mount -t tmpfs tmpfs /tmp
out=/dev/console
if [ -e /dev/ttyS1 ] && stty -F /dev/ttyS1 raw -echo 2>/dev/null; then
  out=/dev/ttyS1
fi
fail() {
  echo "CHESHIRE-GUEST-ERROR: $*" >/dev/console
  echo "CHESHIRE-GUEST-ERROR: $*" >"$out"
  echo "CHESHIRE-GUEST-EXIT=254" >/dev/console
  echo "CHESHIRE-GUEST-EXIT=254" >"$out"
  sync
  poweroff -f
}
for m in $(cat /modules/order); do
  insmod /modules/$m.ko || fail "insmod $m failed"
done
ip link set lo up
ip link set eth0 up || fail "no eth0"
ip addr add 10.0.2.15/24 dev eth0 || fail "ip addr add failed"
ip route add default via 10.0.2.2 || fail "ip route add failed"
[ -f /test.sh ] || fail "no /test.sh in the initramfs (the per-run overlay is missing)"
echo "CHESHIRE-GUEST-READY" >/dev/console
cd /tmp
sh /test.sh >"$out" 2>&1 </dev/null
rc=$?
echo "CHESHIRE-GUEST-EXIT=$rc" >"$out"
echo "CHESHIRE-GUEST-EXIT=$rc" >/dev/console
sync
poweroff -f
INIT
chmod 755 "$root/init"

(cd "$root" && find . -print0 | sort -z | cpio --null -o -H newc --owner=0:0 --quiet) | gzip -9n >"$work/initrd.img"
cp "$vmlinuz" "$work/vmlinuz"
mv -f "$work/vmlinuz" "$out/vmlinuz"
mv -f "$work/initrd.img" "$out/initrd.img"
echo "$kver" >"$out/kernel-version"
echo "$recipe" >"$out/stamp"
log "ready in $out"
