#!/usr/bin/env bash
# One export read two ways in one run, by the same clients: "A local" (node A's styx-root → A's styx-provider over its
# Unix socket) and "B→A" (node B's styx-root → B's styx-client → TLS 1.3 link → A's styx-client → A's styx-provider),
# B having found the export through its dht, bootstrapped from A's. Each node is its own data folder; loopback only.
# Sequential read of a 256 MiB file and walk+open+read 4 KiB+clunk loops.
# Usage: bench/link-vs-local.sh [--size-mib N] [--small-files N] [--operations N] [--repeat N] [--rows 1,4]
set -euo pipefail
cd "$(dirname "$0")/.."
for project in services/dht/Cheshire.Dht.csproj services/styx-root/Cheshire.StyxRoot.csproj \
               services/styx-provider/Cheshire.StyxProvider.csproj services/styx-client/Cheshire.StyxClient.csproj \
               bench/Cheshire.Bench.Styx/Cheshire.Bench.Styx.csproj; do
  dotnet build -c Release -nologo -clp:ErrorsOnly "$project"
done
exec dotnet bench/Cheshire.Bench.Styx/bin/Release/net10.0/Cheshire.Bench.Styx.dll --link "$@"
