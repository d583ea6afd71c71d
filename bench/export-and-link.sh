#!/usr/bin/env bash
# Issue 9's and issue 10's export benchmarks in one run, back to back on one build: provider-vs-diod (diod, the
# provider's export direct, styx-root → provider delegated and relayed) then link-vs-local (A's styx-root → A's provider against
# B → TLS link → A). Same arguments for both. Hold the build lock around it so nothing else runs meanwhile:
#   flock -o /tmp/cheshire-build.lock bench/export-and-link.sh --operations 5000 --repeat 3
set -euo pipefail
cd "$(dirname "$0")/.."
echo "== provider-vs-diod $* ($(date -u +%H:%M:%S) UTC, load $(cut -d' ' -f1-3 /proc/loadavg))"
bench/provider-vs-diod.sh "$@"
echo "== link-vs-local $* ($(date -u +%H:%M:%S) UTC, load $(cut -d' ' -f1-3 /proc/loadavg))"
bench/link-vs-local.sh "$@"
echo "== done ($(date -u +%H:%M:%S) UTC, load $(cut -d' ' -f1-3 /proc/loadavg))"
