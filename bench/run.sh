#!/usr/bin/env bash
# One command for the benchmark: installs what is missing (redis-server, DynamoDB Local or, with
# DW_TEST_DYNAMO_SERVER=dynalite, dynalite), starts both on free
# loopback ports unless --redis and --dynamo are given, builds Release (the bench and the dynamo-writer
# service it runs as a child process), runs it. Arguments go to dynamo-writer-bench (--quick, --entries N, ...).
#
#   bench/run.sh --quick                 ~2 minutes on 2 cores
#   bench/run.sh                         defaults (200,000 entries, 30 s latency, 1,000,000 memory backlog)
#   bench/run.sh --redis H:P --dynamo URL   against servers you run
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

given_redis=0; given_dynamo=0
for a in "$@"; do
  case "$a" in
    --redis|--redis=*) given_redis=1 ;;
    --dynamo|--dynamo=*) given_dynamo=1 ;;
  esac
done

DW_NEED_PROMTOOL=0 bash scripts/install-deps.sh
extra=()
if [ $given_redis = 0 ] || [ $given_dynamo = 0 ]; then
  # shellcheck source=../scripts/servers.sh
  source scripts/servers.sh
  trap dw_stop_servers EXIT
  dw_start_servers "$root/bench/.run/servers-$$" || exit 1
  [ $given_redis = 0 ] && extra+=(--redis "$DW_TEST_REDIS")
  [ $given_dynamo = 0 ] && extra+=(--dynamo "$DW_TEST_DYNAMO")
  echo "redis-server on $DW_TEST_REDIS, $DW_TEST_DYNAMO_SERVER on $DW_TEST_DYNAMO" >&2
fi

dotnet build bench/DynamoWriter.Bench -c Release -nologo -v q
"$root/bench/DynamoWriter.Bench/bin/Release/net10.0/dynamo-writer-bench" "${extra[@]}" "$@"
