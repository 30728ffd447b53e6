#!/usr/bin/env bash
# Runs the DynamoDB server of tests, ./run.sh and the benchmark in the foreground, on 127.0.0.1:PORT:
#   scripts/dynamo-server.sh PORT [DATA_DIR]
# DW_TEST_DYNAMO_SERVER picks it: dynamodb-local (default; AWS's DynamoDB Local on Java 17) or dynalite.
# Without DATA_DIR the data lives in memory. The server replaces this shell (exec), so its PID is ours
# and a signal sent to it reaches the server.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
port=${1:?usage: dynamo-server.sh PORT [DATA_DIR]}
dir=${2:-}

case "${DW_TEST_DYNAMO_SERVER:-dynamodb-local}" in
  dynamodb-local)
    emulator="$root/tools/dynamodb-local/node_modules/amplify-dynamodb-simulator/emulator"
    # -sharedDb: one database whatever the credentials and region, as dynalite and a real account
    # behave for one table name; without it DynamoDB Local keeps one per access key and region.
    storage=(-inMemory)
    [ -n "$dir" ] && { mkdir -p "$dir"; storage=(-dbPath "$dir"); }
    cd "$emulator"
    exec java -Djava.library.path="$emulator/DynamoDBLocal_lib" \
      -jar DynamoDBLocal.jar -sharedDb "${storage[@]}" -port "$port"
    ;;
  dynalite)
    args=(--host 127.0.0.1 --port "$port")
    [ -n "$dir" ] && args+=(--path "$dir")
    exec "$root/tools/dynalite/node_modules/.bin/dynalite" "${args[@]}"
    ;;
  *)
    echo "DW_TEST_DYNAMO_SERVER must be dynamodb-local or dynalite, not '${DW_TEST_DYNAMO_SERVER}'" >&2
    exit 2
    ;;
esac
