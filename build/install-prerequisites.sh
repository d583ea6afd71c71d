#!/usr/bin/env bash
# Installs what the tests need that a fresh machine of this kind lacks. Idempotent and quiet when all is there.
set -euo pipefail

need=()
command -v ip >/dev/null || need+=(iproute2)
command -v unshare >/dev/null || need+=(util-linux)
command -v python3 >/dev/null || need+=(python3)

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
