#!/usr/bin/env bash
# Runs Vigil's whole test suite: unit, integration (real HTTP on loopback), bUnit and Playwright browser tests,
# and the data-layer tests on both SQLite and a throwaway PostgreSQL server started here on a loopback port.
# Installs what it needs when missing: Debian's chromium, tzdata, nodejs, npm and postgresql (through apt when running as root).
# Ends with one summary line: "N passed, N failed".
set -euo pipefail
cd "$(dirname "$0")/.."

# Installs Debian packages for what needs them (through apt when running as root), or says which to install.
install_packages() {
  local purpose="$1"
  shift
  if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null; then
    echo "Installing Debian's $* (for $purpose)..."
    apt-get update -q >/dev/null
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q "$@" >/dev/null
  else
    echo "Missing Debian's $* (for $purpose): sudo apt-get install $*" >&2
    exit 1
  fi
}

chromium="${VIGIL_CHROMIUM:-/usr/bin/chromium}"
# The browser tests launch Chromium at $chromium (set VIGIL_CHROMIUM to use another).
[ -x "$chromium" ] || install_packages "the browser tests" chromium
# Organisations' time zones are read from the system's zone database (IANA names such as Europe/Paris).
[ -e /usr/share/zoneinfo/Europe/Paris ] || install_packages "the time zone tests" tzdata
{ command -v node >/dev/null && command -v npm >/dev/null; } || install_packages "the Datadog client compatibility test" nodejs npm
if [ ! -d tests/compat/node_modules/@datadog/datadog-api-client ]; then
  echo "Installing Datadog's official API client for the compatibility test (npm ci in tests/compat)..."
  npm ci --prefix tests/compat --no-audit --no-fund --loglevel=error >/dev/null
fi

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
log="$(mktemp -t vigil-tests.XXXXXX)"
source tests/postgres.sh
trap 'rm -f "$log"; stop_test_postgres' EXIT
start_test_postgres

# The benchmarks are no test project, so `dotnet test` does not build them: built here, they cannot rot unseen.
dotnet build bench/Portal.Benchmarks -v q -nologo

set +e
# Quiet build output, but every failing test with its message and stack.
dotnet test Portal.sln -v q --logger "console;verbosity=minimal" 2>&1 | tee "$log"
status=${PIPESTATUS[0]}
set -e

# VSTest prints one "Passed!/Failed!  - Failed: N, Passed: N, ..." line per test project.
summary=$(grep -E '(Passed|Failed)! +- Failed: ' "$log" | sed -E 's/.*Failed: +([0-9]+), Passed: +([0-9]+).*/\1 \2/' \
  | awk '{ failed += $1; passed += $2 } END { printf "%d passed, %d failed", passed, failed }')
projects=$(grep -cE '(Passed|Failed)! +- Failed: ' "$log" || true)
echo
if [ "$status" -ne 0 ] && [ "$projects" -eq 0 ]; then
  echo "0 passed, 1 failed (the build or the test run failed before any test project reported)"
else
  echo "$summary"
fi
exit "$status"
