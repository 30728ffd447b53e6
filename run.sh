#!/usr/bin/env bash
# Runs DynamoWriter (a local dev silo) on this machine. Installs what is missing, starts a local redis-server
# (127.0.0.1:6379) and DynamoDB Local (127.0.0.1:8000, data kept in .run/dynamodb; DW_TEST_DYNAMO_SERVER=dynalite
# runs dynalite instead, data in .run/dynalite) unless
# SC_STREAM_REDIS_ADDRESS / SC_DYNAMODB_ENDPOINT point elsewhere, builds the service, and runs it.
#
#   ./run.sh                                  the dev silo, in the foreground (Ctrl-C stops it);
#                                             run it in a second terminal and that silo joins the first
#   ./run.sh produce --stream events -n 1000  any other dynamo-writer command, same servers
#   ./run.sh peek                             what is in the table
set -euo pipefail
root=$(cd "$(dirname "$0")" && pwd)
cd "$root"
DW_NEED_PROMTOOL=0 bash scripts/install-deps.sh
source scripts/servers.sh
# shellcheck source=scripts/runtime-env.sh
source scripts/runtime-env.sh

state="$root/.run"
mkdir -p "$state"
pids=()
# Servers run in their own session (setsid) so Ctrl-C reaches only the service, which then drains
# and acknowledges against servers that are still up; they are stopped after it exits.
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap cleanup EXIT

listening() { (exec 3<>"/dev/tcp/$1/$2") 2>/dev/null; }

if [ -z "${SC_STREAM_REDIS_ADDRESS:-}${SC_STREAM_VALKEY_ADDRESS:-}" ]; then
  export SC_STREAM_REDIS_ADDRESS=127.0.0.1:6379
  if ! listening 127.0.0.1 6379; then
    echo "starting redis-server on 127.0.0.1:6379 (data in .run/redis)" >&2
    mkdir -p "$state/redis"
    setsid redis-server --bind 127.0.0.1 --port 6379 --dir "$state/redis" --appendonly yes --loglevel warning \
      --logfile "$state/redis/redis.log" &
    pids+=($!)
    dw_wait_port 127.0.0.1 6379 20
  fi
fi

if [ -z "${SC_DYNAMODB_ENDPOINT:-}" ]; then
  export SC_DYNAMODB_ENDPOINT=http://127.0.0.1:8000
  if ! listening 127.0.0.1 8000; then
    server=${DW_TEST_DYNAMO_SERVER:-dynamodb-local}
    data="$state/${server/dynamodb-local/dynamodb}"
    echo "starting $server on 127.0.0.1:8000 (data in ${data#"$root/"})" >&2
    setsid scripts/dynamo-server.sh 8000 "$data" >"$state/$server.log" 2>&1 &
    pids+=($!)
    dw_wait_port 127.0.0.1 8000 60 || { echo "$server did not start" >&2; cat "$state/$server.log" >&2; exit 1; }
  fi
  # A local server starts empty: let the service create its tables.
  export SC_DYNAMODB_CREATETABLE=${SC_DYNAMODB_CREATETABLE:-true}
fi

if [ ! -x "$state/bin/dynamo-writer" ] || [ -n "$(find src config \( -name bin -o -name obj \) -prune -o -newer "$state/bin/dynamo-writer" -print -quit)" ]; then
  echo "building dynamo-writer" >&2
  dotnet publish src/Silo -c Release -o "$state/bin" -nologo -v q >&2
fi

cmd=("$@")
[ ${#cmd[@]} -eq 0 ] && cmd=(run)
# A second ./run.sh while the first silo runs joins its cluster (membership in the same Redis): it takes
# free ports instead of the first silo's 11111, 30000 and 8080.
# Dev silos on this machine reach each other on loopback.
export SC_ORLEANS_ADVERTISEDADDRESS=${SC_ORLEANS_ADVERTISEDADDRESS:-127.0.0.1}
if [ "${cmd[0]}" = run ] && listening 127.0.0.1 11111; then
  echo "a silo already listens on 11111: this one joins its cluster on free ports" >&2
  export SC_ORLEANS_SILOPORT=${SC_ORLEANS_SILOPORT:-0} SC_ORLEANS_GATEWAYPORT=${SC_ORLEANS_GATEWAYPORT:-0} SC_HTTP_PORT=${SC_HTTP_PORT:-0}
fi
set +e
(cd "$root" && "$state/bin/dynamo-writer" "${cmd[@]}")
rc=$?
exit $rc
