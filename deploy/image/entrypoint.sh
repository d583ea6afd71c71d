#!/bin/bash
# (bash, not sh: dash drops variables such as services__styx-root__grpc__0 from the environment.)
# Starts one Cheshire module: copies the node's keys from the mounted Secret (Kubernetes) or secret file (swarm,
# docker run -v) into the data folder as files only this user may read (a key file others may read is refused),
# then runs the module. CHESHIRE_NODE_KEY_FILE / CHESHIRE_USER_KEY_FILE name the sources.
set -eu
data="${Cheshire__DataDir:-/var/lib/cheshire}"
umask 077
mkdir -p "$data"
copy_key() { # copy_key SOURCE NAME
  [ -r "$1" ] || return 0
  if ! cmp -s "$1" "$data/$2" 2>/dev/null; then
    tmp="$(mktemp "$data/.$2.XXXXXX")"
    cat "$1" >"$tmp"
    mv -f "$tmp" "$data/$2"
  fi
}
copy_key "${CHESHIRE_NODE_KEY_FILE:-/run/secrets/cheshire/node.key}" node.key
copy_key "${CHESHIRE_USER_KEY_FILE:-/run/secrets/cheshire/user.key}" user.key
exec /usr/share/dotnet/dotnet "$@"
