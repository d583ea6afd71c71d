#!/usr/bin/env bash
# styx-root against diod: sequential read of a 256 MiB file and walk+open+read 4 KiB+clunk loops,
# the same files on both, read by the same clients (the project's 9P client and diod's diodcat).
# Loopback only. Usage: bench/styx-vs-diod.sh [--size-mib N] [--small-files N] [--operations N] [--repeat N]
set -euo pipefail
cd "$(dirname "$0")/.."
command -v diod >/dev/null || { apt-get update -qq && apt-get install -y -qq --no-install-recommends diod >/dev/null; }
dotnet build -c Release -nologo -clp:ErrorsOnly services/styx-root/Cheshire.StyxRoot.csproj
dotnet build -c Release -nologo -clp:ErrorsOnly bench/Cheshire.Bench.Styx/Cheshire.Bench.Styx.csproj
exec dotnet bench/Cheshire.Bench.Styx/bin/Release/net10.0/Cheshire.Bench.Styx.dll "$@"
