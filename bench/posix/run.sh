#!/usr/bin/env bash
# pjdfstest (POSIX file-system conformance) through the Linux kernel's v9fs client (9P2000.L, in a QEMU
# guest), one guest boot per target, and a table of the checks passed per test folder.
#   diod   diod exporting a fresh temp directory (the reference)
#   ram    styx-root's in-memory /tmp (services/styx-root started standalone, as the interop tests do)
#   export the project's LocalFileSystem exporting a fresh temp directory (a test-only 9P host)
#   delegated  the same export as a user reaches it: styx-root's /home/export, delegated to it by styx-provider
#              (styx-root, dht and styx-provider as module processes, ProviderNodeHost)
# Usage: bench/posix/run.sh [diod|ram|export|delegated|all] [FOLDER...]   (folders: chmod link ...; default all)
# Output folder: CHESHIRE_POSIX_OUT (default a new /tmp/cheshire-posix.*): table.md, failures-TARGET.txt
# (every "not ok" line), files-TARGET.txt (per file), boots.txt. The whole suite takes about 9 min per target.
set -euo pipefail
cd "$(dirname "$0")/../.."

case "${1:-all}" in
  all) targets="diod,ram,export" ;;
  diod|ram|export|delegated) targets="$1" ;;
  *) echo "usage: $0 [diod|ram|export|delegated|all] [FOLDER...]" >&2; exit 2 ;;
esac
shift || true

pjdfstest_dir="${CHESHIRE_PJDFSTEST_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/cheshire/pjdfstest}"
if [ ! -x "$pjdfstest_dir/pjdfstest" ] || [ ! -f "$pjdfstest_dir/tests/misc.sh" ]; then
  echo "$0: pjdfstest is not in $pjdfstest_dir (a static binary and its tests/ folder; see bench/posix/README.md)" >&2
  exit 1
fi
build/prepare-v9fs-guest.sh
for tool in diod qemu-system-x86_64; do
  command -v "$tool" >/dev/null || { echo "$0: $tool is missing: run build/install-prerequisites.sh" >&2; exit 1; }
done

out="${CHESHIRE_POSIX_OUT:-$(mktemp -d /tmp/cheshire-posix.XXXXXX)}"
mkdir -p "$out"
rm -f "$out/boots.txt" "$out/table.md"
dotnet build -c Release -nologo -clp:ErrorsOnly tests/Cheshire.Interop.Tests/Cheshire.Interop.Tests.csproj
status=0
CHESHIRE_POSIX_TARGETS="$targets" CHESHIRE_POSIX_DIRS="$*" CHESHIRE_POSIX_OUT="$out" \
  dotnet test --project tests/Cheshire.Interop.Tests -c Release --no-build -- \
    --filter-method Cheshire.Interop.Tests.PosixSuiteBenchmark.PosixSuiteOnEachTarget --explicit only >"$out/dotnet-test.log" 2>&1 || status=$?
if [ -f "$out/table.md" ]; then
  cat "$out/table.md"
  cat "$out/boots.txt"
fi
echo "results in $out"
if [ "$status" != 0 ]; then
  echo "$0: the run failed (status $status); see $out/dotnet-test.log" >&2
fi
exit "$status"
