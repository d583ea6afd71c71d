#!/usr/bin/env bash
# Runs every Cheshire test. On a fresh machine it first installs what the tests need.
# Network tests run inside a fresh network namespace holding only loopback, so nothing can
# reach beyond this machine. Results: .test-results/*.trx; the last line is "N passed, N failed, N skipped".
set -euo pipefail
cd "$(dirname "$0")"

build/install-prerequisites.sh
dotnet build Cheshire.sln -c Debug -nologo -clp:ErrorsOnly
# The module images for tests/Cheshire.Deploy.Tests (deploy/README.md): built here, where debootstrap can reach the
# Debian mirror (once; the base is cached). The tests start the engine again inside their network namespace.
if [ "$(id -u)" = 0 ]; then
  deploy/build-images.sh
else
  echo "test.sh: not root: the container images are not built, and the rehearsal tests skip" >&2
fi

results="$PWD/.test-results"
rm -rf "$results"
mkdir -p "$results"

# One test project at a time: several of them start whole nodes, QEMU guests or 10,000-node
# simulations with real timeouts, and on a 2-core machine they would starve each other.
run_tests=(dotnet test --solution Cheshire.sln --no-build --max-parallel-test-modules 1
           --report-trx --results-directory "$results" "$@")
status=0
if [ "$(id -u)" = 0 ] && unshare -n true 2>/dev/null; then
  unshare -n bash -c 'ip link set lo up && exec "$@"' -- "${run_tests[@]}" || status=$?
else
  echo "test.sh: not root or no unshare: running tests in the host's network namespace (they still use loopback only)" >&2
  "${run_tests[@]}" || status=$?
fi

build/summarize-trx.py "$results" || status=$?
exit "$status"
