#!/bin/sh
# Restart on source change, measured (issue 11): a whole node (dotnet run of the AppHost) watches a copy of the sources;
# a comment appended to a dht source is built, tested and restarted, RUNS times after one cold run (fresh build tree).
# Per run: save -> new dht healthy, split into detect (debounce), build, test and restart, and what dependents saw:
# the longest gap between answered dht GetInfo calls made through the node's endpoint every 20 ms, and the longest
# stretch styx-provider's /health was not Healthy.
# Usage: bench/reload-dht.sh [runs]   (CHESHIRE_BENCH_OFFSET moves the node's ports, default 700; CHESHIRE_BENCH_LOG=FILE
# keeps the AppHost's log there, with the supervisor's timings of each stop)
set -eu
cd "$(dirname "$0")/.."
RUNS=${1:-5}
OFFSET=${CHESHIRE_BENCH_OFFSET:-700}
WORK=$(mktemp -d)
APPHOST=""
cleanup() {
  [ -n "$APPHOST" ] && kill "$APPHOST" 2>/dev/null && wait "$APPHOST" 2>/dev/null
  [ -n "${CHESHIRE_BENCH_LOG:-}" ] && cp "$WORK/apphost.log" "$CHESHIRE_BENCH_LOG"
  rm -rf "$WORK"
}
trap cleanup EXIT INT TERM
mkdir "$WORK/src" "$WORK/data"
# GNU tar exits 1 when a file changes while it is read (someone editing): the copy is still whole.
tar -c --warning=no-file-changed --exclude=./.git --exclude=bin --exclude=obj --exclude=./node_modules --exclude=TestResults \
  --exclude=.test-results . | tar -x -C "$WORK/src" || [ $? -eq 1 ]
dotnet build orchestrator/Cheshire.AppHost -nologo -clp:ErrorsOnly >"$WORK/build.log" || { cat "$WORK/build.log" >&2; exit 1; }
dotnet build -c Release bench/Cheshire.Bench.Reload -nologo -clp:ErrorsOnly >"$WORK/build.log" || { cat "$WORK/build.log" >&2; exit 1; }
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)" >&2
dotnet run --no-build --project orchestrator/Cheshire.AppHost -- --Cheshire:SourceDir="$WORK/src" \
  --Cheshire:DataDir="$WORK/data" --Cheshire:PortOffset="$OFFSET" >"$WORK/apphost.log" 2>&1 &
APPHOST=$!
dotnet bench/Cheshire.Bench.Reload/bin/Release/net10.0/Cheshire.Bench.Reload.dll "$WORK/src" "http://127.0.0.1:$((5101 + OFFSET))" "$RUNS" \
  || { tail -50 "$WORK/apphost.log" >&2; exit 1; }
