#!/bin/sh
# Cheshire DHT vs OpenDHT 2.4 on this machine, same run, loopback only.
# 10 nodes each (one process per implementation), 50 requests in flight, 1,000 operations per row;
# per-IP rate limits off on both sides; ROUNDS alternating runs per side (default 5), medians reported.
# Usage: bench/dht-vs-opendht.sh [nodes] [ops] [in_flight] [rounds]
set -eu
cd "$(dirname "$0")/.."
NODES=${1:-10} OPS=${2:-1000} IN_FLIGHT=${3:-50} ROUNDS=${4:-5}

# OpenDHT side: bench/dht/opendht_bench.cpp against libopendht-dev (2.4, Debian), built per run.
# Only the library and headers are installed: never the dhtnode systemd unit (it bootstraps from a public host).
if ! pkg-config --exists opendht 2>/dev/null || ! command -v g++ >/dev/null; then
  DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends libopendht-dev g++ pkg-config >/dev/null
fi
OUT=$(mktemp -d)
trap 'rm -rf "$OUT"' EXIT
# shellcheck disable=SC2046
g++ -std=c++17 -O2 -o "$OUT/opendht_bench" bench/dht/opendht_bench.cpp $(pkg-config --cflags --libs opendht) -pthread
dotnet build -c Release bench/Cheshire.Bench.Dht >/dev/null

# Each side runs in a network namespace of its own (only a loopback interface) when unshare allows it.
isolated() {
  if unshare -n true 2>/dev/null; then unshare -n sh -c 'ip link set lo up && exec "$@"' isolated "$@"
  elif unshare -rn true 2>/dev/null; then unshare -rn sh -c 'ip link set lo up && exec "$@"' isolated "$@"
  else "$@"; fi
}
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)" >&2
CHESHIRE="" OPENDHT=""
for round in $(seq 1 "$ROUNDS"); do
  isolated dotnet bench/Cheshire.Bench.Dht/bin/Release/net10.0/Cheshire.Bench.Dht.dll "$NODES" "$OPS" "$IN_FLIGHT" > "$OUT/cheshire-$round.json"
  isolated "$OUT/opendht_bench" "$NODES" "$OPS" "$IN_FLIGHT" > "$OUT/opendht-$round.json" 2> "$OUT/opendht-$round.log" \
    || { cat "$OUT/opendht-$round.log" >&2; exit 1; }
  CHESHIRE="$CHESHIRE $OUT/cheshire-$round.json" OPENDHT="$OPENDHT $OUT/opendht-$round.json"
done
grep -h "identities\|sanity" "$OUT/opendht-1.log" >&2 || true
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)" >&2
# shellcheck disable=SC2086
python3 bench/dht/table.py $CHESHIRE -- $OPENDHT
