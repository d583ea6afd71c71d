#!/usr/bin/env bash
# Prints the Kubernetes Secret "cheshire-node" holding a node's keys, for `kubectl apply -f -`:
#   deploy/node-secret.sh DIR [--user-key FILE] | kubectl apply -n cheshire -f -
# DIR keeps the keys (node.key, user.key, mode 0600): made on first use, reused after, so the node keeps its id.
# --user-key copies an existing user key (e.g. ~/.cheshire/user.key) so the node acts for that user (same uid).
# The keys are never written into the repository; keep DIR as private as ~/.ssh.
set -euo pipefail

usage() { echo "usage: deploy/node-secret.sh DIR [--user-key FILE] [--name NAME]" >&2; exit 2; }
[ $# -ge 1 ] || usage
dir="$1"; shift
user_key="" name="cheshire-node"
while [ $# -gt 0 ]; do
  case "$1" in
    --user-key) [ $# -ge 2 ] || usage; user_key="$2"; shift 2 ;;
    --name) [ $# -ge 2 ] || usage; name="$2"; shift 2 ;;
    *) usage ;;
  esac
done

umask 077
mkdir -p "$dir"
# A Cheshire key file: a header line, then a 32-byte Ed25519 seed in hex (any 32 random bytes are a valid seed).
new_key() { # new_key FILE HEADER
  [ -e "$1" ] && return 0
  printf '%s\n%s\n' "$2" "$(od -An -N32 -tx1 /dev/urandom | tr -d ' \n')" >"$1.tmp"
  mv "$1.tmp" "$1"
}
new_key "$dir/node.key" cheshire-ed25519-seed-v1
if [ -n "$user_key" ]; then
  head -1 "$user_key" | grep -qx cheshire-ed25519-user-seed-v1 || { echo "node-secret.sh: $user_key is not a Cheshire user key" >&2; exit 1; }
  install -m 0600 "$user_key" "$dir/user.key"
else
  new_key "$dir/user.key" cheshire-ed25519-user-seed-v1
fi
head -1 "$dir/node.key" | grep -qx cheshire-ed25519-seed-v1 || { echo "node-secret.sh: $dir/node.key is not a Cheshire node key" >&2; exit 1; }

b64() { base64 -w0 <"$1"; }
cat <<YAML
apiVersion: v1
kind: Secret
metadata:
  name: $name
  labels:
    app.kubernetes.io/part-of: cheshire
type: Opaque
data:
  node.key: $(b64 "$dir/node.key")
  user.key: $(b64 "$dir/user.key")
YAML
