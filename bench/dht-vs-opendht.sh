#!/bin/sh
# Cheshire DHT vs OpenDHT 2.4 on this machine, same run, loopback only.
# 10 nodes each (one process per implementation), 50 requests in flight, 1,000 operations per row;
# per-IP rate limits off on both sides. Usage: bench/dht-vs-opendht.sh [nodes] [ops] [in_flight]
set -eu
cd "$(dirname "$0")/.."
NODES=${1:-10} OPS=${2:-1000} IN_FLIGHT=${3:-50}

if ! /usr/bin/python3 -c 'import opendht' 2>/dev/null; then
  # never start the dhtnode systemd unit: it bootstraps from a public host
  DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends python3-opendht dhtnode >/dev/null
fi
dotnet build -c Release bench/Cheshire.Bench.Dht >/dev/null

OUT=$(mktemp -d)
dotnet bench/Cheshire.Bench.Dht/bin/Release/net10.0/Cheshire.Bench.Dht.dll "$NODES" "$OPS" "$IN_FLIGHT" > "$OUT/cheshire.json"
/usr/bin/python3 bench/dht/opendht_bench.py "$NODES" "$OPS" "$IN_FLIGHT" > "$OUT/opendht.json"
python3 bench/dht/table.py "$OUT/cheshire.json" "$OUT/opendht.json"
rm -rf "$OUT"
