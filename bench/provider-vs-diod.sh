#!/usr/bin/env bash
# The same directory served four ways, read by the same clients in one run: diod, styx-provider's export on its own 9P
# listener (TCP), and styx-root → styx-provider (the client reads styx-root's /export, mounted by the provider) twice:
# delegated (the default: styx-root serves the export from the root descriptor the provider handed it) and relayed (a
# second pair with Provider:DelegateExports=false: styx-root forwards each 9P message to the provider).
# Sequential read of a 256 MiB file and walk+open+read 4 KiB+clunk loops. Loopback only.
# Usage: bench/provider-vs-diod.sh [--size-mib N] [--small-files N] [--operations N] [--repeat N] [--rows 1,4]
set -euo pipefail
cd "$(dirname "$0")/.."
command -v diod >/dev/null || { apt-get update -qq && apt-get install -y -qq --no-install-recommends diod >/dev/null; }
dotnet build -c Release -nologo -clp:ErrorsOnly services/styx-root/Cheshire.StyxRoot.csproj
dotnet build -c Release -nologo -clp:ErrorsOnly services/styx-provider/Cheshire.StyxProvider.csproj
dotnet build -c Release -nologo -clp:ErrorsOnly bench/Cheshire.Bench.Styx/Cheshire.Bench.Styx.csproj
exec dotnet bench/Cheshire.Bench.Styx/bin/Release/net10.0/Cheshire.Bench.Styx.dll --provider "$@"
