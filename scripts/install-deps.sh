#!/usr/bin/env bash
# Installs what the tests and the local run need, when it is missing: redis-server, promtool and Java 17
# from Debian, and the DynamoDB server that DW_TEST_DYNAMO_SERVER picks from npm, pinned by its committed
# lock file: DynamoDB Local (tools/dynamodb-local, the default); dynalite (tools/dynalite) always.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

need_apt=()
server=${DW_TEST_DYNAMO_SERVER:-dynamodb-local}
command -v redis-server >/dev/null 2>&1 || need_apt+=(redis-server)
if [ "$server" = dynamodb-local ] && ! java -version 2>&1 | grep -qE 'version "(1[7-9]|2[0-9])'; then
  need_apt+=(openjdk-17-jre-headless)
fi
if [ "${DW_NEED_PROMTOOL:-1}" = 1 ]; then
  command -v promtool >/dev/null 2>&1 || need_apt+=(prometheus)
fi
if [ ${#need_apt[@]} -gt 0 ]; then
  echo "installing from Debian: ${need_apt[*]}" >&2
  sudo_cmd=""
  [ "$(id -u)" = 0 ] || sudo_cmd="sudo"
  $sudo_cmd apt-get update -qq >&2
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq --no-install-recommends "${need_apt[@]}" >&2
fi
# The Debian package starts a system redis on 6379; ours run on their own ports, so stop it being a surprise.

case "$server" in
  dynamodb-local)
    if [ ! -f "$root/tools/dynamodb-local/node_modules/amplify-dynamodb-simulator/emulator/DynamoDBLocal.jar" ]; then
      echo "installing DynamoDB Local from npm (amplify-dynamodb-simulator)" >&2
      (cd "$root/tools/dynamodb-local" && npm ci --no-audit --no-fund --loglevel=error >&2)
    fi
    ;;
  dynalite) ;;
  *) echo "DW_TEST_DYNAMO_SERVER must be dynamodb-local or dynalite, not '$server'" >&2; exit 1 ;;
esac

# dynalite either way: the second backend, and the one the DynamoDB outage test needs (it says why).
if [ ! -x "$root/tools/dynalite/node_modules/.bin/dynalite" ]; then
  echo "installing dynalite from npm" >&2
  (cd "$root/tools/dynalite" && npm ci --no-audit --no-fund --loglevel=error >&2)
fi

command -v dotnet >/dev/null 2>&1 || { echo "the .NET 10 SDK (dotnet) is required" >&2; exit 1; }
