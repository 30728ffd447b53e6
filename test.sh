#!/usr/bin/env bash
# Installs what is missing, starts redis-server and DynamoDB Local (or dynalite, with
# DW_TEST_DYNAMO_SERVER=dynalite) on free loopback ports, runs every test
# against them, stops them, and prints `tests: N passed, N failed`.
# Extra arguments go to `dotnet test` (e.g. ./test.sh tests/Redis.Tests or --filter Category=Unit).
set -uo pipefail
root=$(cd "$(dirname "$0")" && pwd)
cd "$root"

bash scripts/install-deps.sh || { echo "tests: 0 passed, 1 failed"; exit 1; }
# shellcheck source=scripts/servers.sh
source scripts/servers.sh
# One state folder per run, so two runs on one machine never share servers or results.
state="$root/.test-run/run-$$"
rm -rf "$state"
trap dw_stop_servers EXIT
dw_start_servers "$state/servers" || { echo "tests: 0 passed, 1 failed"; exit 1; }
echo "redis-server on $DW_TEST_REDIS, $DW_TEST_DYNAMO_SERVER on $DW_TEST_DYNAMO"

target=Orleans.StreamWriter.sln
args=()
for a in "$@"; do
  case "$a" in
    tests/*|*.csproj|*.sln) target=$a ;;
    *) args+=("$a") ;;
  esac
done

dotnet build "$target" -c Release -nologo -v q 2>&1 | tail -n 30
build_rc=${PIPESTATUS[0]}
if [ "$build_rc" -ne 0 ]; then
  echo "build failed"
  echo "tests: 0 passed, 1 failed"
  exit 1
fi

log="$state/dotnet-test.log"
dotnet test "$target" -c Release --no-build -nologo \
  --logger "console;verbosity=normal" --results-directory "$state/results" --logger trx \
  "${args[@]}" 2>&1 | tee "$log" | grep -vE '^\s+Passed |^\s*$|^\s+at (System|Xunit|Microsoft)\.|^\s+--- End of' | head -n 600
test_rc=${PIPESTATUS[0]}

# Count from the trx files the run wrote: one per test project.
read -r passed failed < <(python3 - "$state/results" <<'PY'
import sys, pathlib, xml.etree.ElementTree as ET
p = f = 0
for trx in pathlib.Path(sys.argv[1]).glob("*.trx"):
    c = ET.parse(trx).getroot().find(".//{*}Counters")
    if c is not None:
        p += int(c.get("passed", 0)); f += int(c.get("failed", 0)) + int(c.get("error", 0)) + int(c.get("timeout", 0)) + int(c.get("aborted", 0))
print(p, f)
PY
)
passed=${passed:-0}; failed=${failed:-0}
if [ "$test_rc" -ne 0 ] && [ "$failed" -eq 0 ]; then failed=1; fi
[ "$passed" -eq 0 ] && [ "$failed" -eq 0 ] && failed=1
echo "tests: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
