#!/usr/bin/env bash
# One command for the benchmark: installs what is missing (redis-server, DynamoDB Local or, with
# DW_TEST_DYNAMO_SERVER=dynalite, dynalite), builds Release (the bench and the dynamo-writer service it runs
# as a child process) and runs it. The bench starts both servers on free loopback ports itself unless
# --redis and --dynamo are given (so that it can restart dynalite between measurements).
# Arguments go to dynamo-writer-bench (--quick, --entries N, ...).
#
#   bench/run.sh --quick                 ~4 minutes on 2 cores
#   bench/run.sh                         defaults (200,000 entries, 30 s latency, 1,000,000 memory backlog)
#   bench/run.sh --redis H:P --dynamo URL   against servers you run
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

DW_NEED_PROMTOOL=0 bash scripts/install-deps.sh
# The engine runs in this process as the service runs (and the service processes it starts inherit it).
# shellcheck source=scripts/runtime-env.sh
source scripts/runtime-env.sh
dotnet build bench/DynamoWriter.Bench -c Release -nologo -v q
"$root/bench/DynamoWriter.Bench/bin/Release/net10.0/dynamo-writer-bench" "$@"
