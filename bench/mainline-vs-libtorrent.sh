#!/usr/bin/env bash
# Queries per second a Mainline DHT node answers (ping, find_node, get_peers) from a local flood client, ours vs
# libtorrent 2.0.8 in the same run, with the CPU seconds each node process used. Loopback only; rate limits off on
# both sides (ours: MainlineOptions.RateLimits; libtorrent: dht_block_ratelimit, dht_upload_rate_limit).
# Usage: bench/mainline-vs-libtorrent.sh [SECONDS=10] [WINDOW=64]
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-10}"
window="${2:-64}"
dotnet build bench/Cheshire.Bench.Mainline -c Release -nologo -clp:ErrorsOnly >/dev/null
bench=(dotnet bench/Cheshire.Bench.Mainline/bin/Release/net10.0/Cheshire.Bench.Mainline.dll)
ours_port=$((20000 + RANDOM % 10000)); lt_port=$((ours_port + 1))

"${bench[@]}" serve "$ours_port" >/tmp/cheshire-bench-ours.log 2>&1 & ours_pid=$!
# lt_peer.py serves while its stdin (a fifo this script holds open) stays silent; it ends when the script does.
fifo=$(mktemp -u); mkfifo "$fifo"
/usr/bin/python3 tests/Cheshire.MainlineDht.Tests/Interop/lt_peer.py "$lt_port" <"$fifo" >/tmp/cheshire-bench-lt.log 2>&1 & lt_pid=$!
exec 3>"$fifo"; rm -f "$fifo"
trap 'kill $ours_pid $lt_pid 2>/dev/null || true' EXIT
sleep 3
# Warm-up (JIT) for ours, not measured.
"${bench[@]}" flood "$ours_port" "$ours_pid" ping 2 "$window" >/dev/null

printf 'node\tmethod\tsent\tanswers\terrors\tanswers/s\tcpu s\tanswers per cpu s\n'
declare -A perCpu
for method in ping find_node get_peers; do
  for who in ours libtorrent; do
    if [ "$who" = ours ]; then port=$ours_port pid=$ours_pid; else port=$lt_port pid=$lt_pid; fi
    line=$("${bench[@]}" flood "$port" "$pid" "$method" "$seconds" "$window")
    printf '%s\t%s\n' "$who" "$line"
    perCpu[$who.$method]=$(cut -f7 <<<"$line")
  done
done
echo
for method in ping find_node get_peers; do
  awk -v m="$method" -v o="${perCpu[ours.$method]}" -v l="${perCpu[libtorrent.$method]}" \
    'BEGIN { printf "%s: ours / libtorrent answers per CPU second = %.2f\n", m, (l > 0 ? o / l : 0) }'
done
