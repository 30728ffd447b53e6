#!/usr/bin/env bash
# Installs what the tests and the local run need, when it is missing: redis-server and promtool from
# Debian, dynalite from npm (tools/dynalite, pinned by its committed lock file).
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

need_apt=()
command -v redis-server >/dev/null 2>&1 || need_apt+=(redis-server)
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

if [ ! -x "$root/tools/dynalite/node_modules/.bin/dynalite" ]; then
  echo "installing dynalite from npm" >&2
  (cd "$root/tools/dynalite" && npm ci --no-audit --no-fund --loglevel=error >&2)
fi

command -v dotnet >/dev/null 2>&1 || { echo "the .NET 10 SDK (dotnet) is required" >&2; exit 1; }
