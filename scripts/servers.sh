#!/usr/bin/env bash
# Sourced by test.sh, run.sh and the benchmark: starts redis-server and the DynamoDB server that
# DW_TEST_DYNAMO_SERVER picks (dynamodb-local by default, or dynalite) on free loopback ports, and stops
# them on exit. Exports DW_TEST_REDIS, DW_TEST_DYNAMO, DW_TEST_REDIS_SERVER, DW_TEST_DYNAMO_SERVER and
# DW_TEST_DYNAMO_LAUNCHER (scripts/dynamo-server.sh, for tests that start a server of their own).

dw_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

dw_free_port() {
  python3 - <<'PY' 2>/dev/null || node -e 'const s=require("net").createServer();s.listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close();});'
import socket
s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()
PY
}

dw_wait_port() { # host port seconds
  local deadline=$((SECONDS + $3))
  until (exec 3<>"/dev/tcp/$1/$2") 2>/dev/null; do
    [ $SECONDS -lt $deadline ] || return 1
    sleep 0.1
  done
}

dw_start_servers() { # state-dir
  local dir=$1
  mkdir -p "$dir"
  DW_REDIS_PORT=$(dw_free_port)
  redis-server --bind 127.0.0.1 --port "$DW_REDIS_PORT" --save "" --appendonly no --dir "$dir" \
    --daemonize no --loglevel warning --logfile "$dir/redis.log" &
  DW_REDIS_PID=$!
  DW_DYNAMO_PORT=$(dw_free_port)
  export DW_TEST_DYNAMO_SERVER=${DW_TEST_DYNAMO_SERVER:-dynamodb-local}
  "$dw_root/scripts/dynamo-server.sh" "$DW_DYNAMO_PORT" >"$dir/dynamo.log" 2>&1 &
  DW_DYNAMO_PID=$!
  dw_wait_port 127.0.0.1 "$DW_REDIS_PORT" 20 || { echo "redis-server did not start" >&2; cat "$dir/redis.log" >&2; return 1; }
  dw_wait_port 127.0.0.1 "$DW_DYNAMO_PORT" 60 || { echo "$DW_TEST_DYNAMO_SERVER did not start" >&2; cat "$dir/dynamo.log" >&2; return 1; }
  export DW_TEST_REDIS="127.0.0.1:$DW_REDIS_PORT"
  export DW_TEST_DYNAMO="http://127.0.0.1:$DW_DYNAMO_PORT"
  export DW_TEST_REDIS_SERVER
  DW_TEST_REDIS_SERVER=$(command -v redis-server)
  export DW_TEST_DYNAMO_LAUNCHER="$dw_root/scripts/dynamo-server.sh"
}

dw_stop_servers() {
  [ -n "${DW_REDIS_PID:-}" ] && kill "$DW_REDIS_PID" 2>/dev/null
  [ -n "${DW_DYNAMO_PID:-}" ] && kill "$DW_DYNAMO_PID" 2>/dev/null
  wait 2>/dev/null || true
}
