# Sourced by tests/run.sh: starts a throwaway PostgreSQL server on a free loopback port for the data-layer tests,
# exports VIGIL_TEST_POSTGRES, and stops and deletes it when the tests end. Installs Debian's postgresql package
# when it is missing and the script runs as root.

# The newest server's bin directory, or nothing (never a failure: run.sh runs with errexit and pipefail).
pg_bin() {
  local dir found=""
  for dir in /usr/lib/postgresql/*/bin; do
    if [ -x "$dir/initdb" ] && [ -x "$dir/pg_ctl" ]; then found="$dir"; fi
  done
  echo "$found"
}

start_test_postgres() {
  local bin port
  bin="$(pg_bin)"
  if [ -z "$bin" ]; then
    if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null; then
      echo "Installing Debian's postgresql package for the data-layer tests..."
      apt-get update -q >/dev/null
      DEBIAN_FRONTEND=noninteractive apt-get install -y -q postgresql >/dev/null
      bin="$(pg_bin)"
      if [ -z "$bin" ]; then
        echo "Installing postgresql did not provide initdb and pg_ctl under /usr/lib/postgresql." >&2
        exit 1
      fi
    else
      echo "The data-layer tests need PostgreSQL: install Debian's 'postgresql' package (sudo apt-get install postgresql)." >&2
      exit 1
    fi
  fi
  port=55432
  while (echo >"/dev/tcp/127.0.0.1/$port") 2>/dev/null; do port=$((port + 1)); done
  VIGIL_PG_DIR="$(mktemp -d -t vigil-pg.XXXXXX)"
  local as=()
  if [ "$(id -u)" = "0" ]; then
    # The server refuses to run as root: it runs as Debian's postgres user.
    chown postgres:postgres "$VIGIL_PG_DIR"
    as=(runuser -u postgres --)
  fi
  "${as[@]}" "$bin/initdb" -D "$VIGIL_PG_DIR/data" -A trust -U vigil --no-sync >/dev/null
  "${as[@]}" "$bin/pg_ctl" -D "$VIGIL_PG_DIR/data" -l "$VIGIL_PG_DIR/server.log" -w \
    -o "-p $port -k $VIGIL_PG_DIR -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c max_connections=200" start >/dev/null
  VIGIL_PG_STOP=("${as[@]}" "$bin/pg_ctl" -D "$VIGIL_PG_DIR/data" -m immediate stop)
  export VIGIL_TEST_POSTGRES="Host=127.0.0.1;Port=$port;Username=vigil;Database=postgres"
  echo "PostgreSQL $("$bin/postgres" --version | awk '{print $3}') for the tests on 127.0.0.1:$port"
}

stop_test_postgres() {
  if [ -n "${VIGIL_PG_DIR:-}" ]; then
    if declare -p VIGIL_PG_STOP >/dev/null 2>&1; then
      "${VIGIL_PG_STOP[@]}" >/dev/null 2>&1 || true
    fi
    rm -rf "$VIGIL_PG_DIR"
  fi
}
