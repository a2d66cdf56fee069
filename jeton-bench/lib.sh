# Shared set-up of the wrk benchmarks (run-http.sh, run-oauth.sh); sourced, not run:
#   . "$(dirname "$0")/lib.sh" "$@"
# Defines the settings, a temporary work directory and a trap that stops everything started here
# (hello-world, Jeton, PostgreSQL) and removes it, and helpers: start/stop Jeton and PostgreSQL,
# the hello-world ceiling, wrk runs printed as markdown table rows, the admin token, seeding.
#
# Settings (environment): DURATION (10s), WARMUP (5s), CONNS (32), SEED (1000000 refresh tokens),
# JETON_JAVA_OPTS (-Xms64m -Xmx192m), HELLO_PORT (8099), JETON_PORT (8098), PG_PORT (55432),
# PG_BIN (newest /usr/lib/postgresql/*/bin), PG_OS_USER (jetonci: PostgreSQL refuses to run as
# root, so when run as root it is started as this user). Everything listens on 127.0.0.1 only.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
java_home=${1:-${JAVA_HOME:-}}
java=${java_home:+$java_home/bin/}java
jar=$root/jeton-server/target/jeton.jar
bench=$root/jeton-bench/target/benchmarks.jar
wrkdir=$root/jeton-bench/wrk
export WRK_DIR=$wrkdir # the wrk scripts find dist.lua (latency distribution) here
duration=${DURATION:-10s}
warmup=${WARMUP:-5s}
conns=${CONNS:-32}
seed=${SEED:-1000000}
# The heap Jeton is run with; the RSS target (< 250 MiB) assumes a bounded heap.
jeton_opts=${JETON_JAVA_OPTS:--Xms64m -Xmx192m}
hello_port=${HELLO_PORT:-8099}
port=${JETON_PORT:-8098}
pg_port=${PG_PORT:-55432}
work=$(mktemp -d)
# How start_jeton runs Jeton after the JVM options; a script may replace it before the call.
jeton_main=(-jar "$jar")
pids=()
jeton=
pg_dir=
pg_as=()
ceiling=

for f in "$jar" "$bench"; do
  [ -f "$f" ] || { echo "missing $f: build first (./mvnw -q -B -DskipTests package)" >&2; exit 1; }
done

cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
  stop_postgres
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

json_field() { # field < json: a string field
  sed -E "s/.*\"$1\":\"([^\"]+)\".*/\1/"
}

wait_for() { # url pid log: polls until the url answers 2xx, fails when the process is gone
  until curl -fs "$1" >/dev/null; do
    if ! kill -0 "$2" 2>/dev/null; then echo "the process did not start:" >&2; cat "$3" >&2; exit 1; fi
    sleep 0.01
  done
}

print_machine() {
  echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)"
  echo "java: $($java -version 2>&1 | head -1)"
  echo "wrk: $conns connections, $duration per run after a $warmup warm-up; Jeton JVM options: $jeton_opts"
}

table() { # title: starts a markdown table of wrk runs
  printf '\n%s\n\n' "$1"
  echo "| run | req/s | p99 | non-2xx | failures | vs ceiling |"
  echo "|---|---:|---:|---:|---:|---:|"
}

# One wrk run as a table row: requests/s, p99 latency, non-2xx answers, the failures a Lua
# script reports on a line "failures N" from its done() hook (- when it has none; with the
# requests that found no seeded code, from a line "exhausted N"), and the
# rate as a share of the hello-world ceiling measured earlier in the same run.
run_wrk() { # name, wrk args...
  local name=$1; shift
  local out rate p99 non2xx failures exhausted errors share=-
  out=$(wrk --latency "$@")
  rate=$(echo "$out" | awk '/^Requests\/sec/ {print $2}')
  p99=$(echo "$out" | awk '/^ +99%/ {print $2}')
  non2xx=$(echo "$out" | awk '/Non-2xx/ {print $5}')
  failures=$(echo "$out" | awk '/^failures / {print $2}')
  exhausted=$(echo "$out" | awk '/^exhausted / {print $2}')
  if [ "${exhausted:-0}" != 0 ]; then failures="$failures ($exhausted without a code)"; fi
  errors=$(echo "$out" | grep -E '^ +Socket errors' | sed -E 's/^ +Socket errors: //' || true)
  if [ -n "$ceiling" ]; then share=$(awk -v r="$rate" -v c="$ceiling" 'BEGIN {printf "%.1f %%", 100 * r / c}'); fi
  printf '| %s | %s | %s | %s | %s | %s |\n' "$name" "$rate" "$p99" "${non2xx:-0}" \
    "${failures:--}" "$share"
  if [ -n "$errors" ]; then echo "|   socket errors: $errors | | | | | |"; fi
  last_rate=$rate
}

warm() { # wrk args...: a warm-up run, output discarded
  wrk -d"$warmup" "$@" >/dev/null
}

hello_ceiling() { # measures the plain Javalin hello-world and keeps its rate as the ceiling
  "$java" -cp "$bench" dev.jeton.bench.HelloServer "$hello_port" > "$work/hello.log" 2>&1 &
  local hello=$!
  pids+=("$hello")
  wait_for "http://127.0.0.1:$hello_port/hello" "$hello" "$work/hello.log"
  warm -t2 -c"$conns" "http://127.0.0.1:$hello_port/hello"
  run_wrk "hello-world (ceiling)" -t2 -c"$conns" -d"$duration" "http://127.0.0.1:$hello_port/hello"
  ceiling=$last_rate
  kill "$hello"; wait "$hello" 2>/dev/null || true
}

# Starts Jeton on a fresh data directory with the bootstrap admin; the database is SQLite in that
# directory unless JETON_DB_URL (and JETON_DB_USER) are exported. Sets jeton (pid), ready_ms,
# data_dir, db_url, db_user, issuer and api.
start_jeton() {
  data_dir=$(mktemp -d "$work/data.XXXX")
  export JETON_HTTP_HOST=127.0.0.1 JETON_HTTP_PORT=$port JETON_DATA_DIR=$data_dir JETON_LOG_FORMAT=json
  export JETON_BOOTSTRAP_ADMIN_EMAIL=admin@bench.example.com JETON_BOOTSTRAP_ADMIN_PASSWORD='bench root pass phrase'
  # one token makes every call of a run and wrk holds more connections than the default cap:
  # limits are off unless a script exports its own (run-limits.sh measures them)
  export JETON_RATE_LIMIT=${JETON_RATE_LIMIT:-0} JETON_CONCURRENCY_LIMIT=${JETON_CONCURRENCY_LIMIT:-0}
  db_url=${JETON_DB_URL:-jdbc:sqlite:$data_dir/jeton.db}
  db_user=${JETON_DB_USER:-}
  local start
  start=$(date +%s%N)
  # shellcheck disable=SC2086
  "$java" $jeton_opts "${jeton_main[@]}" > "$data_dir/jeton.log" 2>&1 &
  jeton=$!
  pids+=("$jeton")
  wait_for "http://127.0.0.1:$port/health/ready" "$jeton" "$data_dir/jeton.log"
  ready_ms=$(( ($(date +%s%N) - start) / 1000000 ))
  issuer=http://127.0.0.1:$port/accounts/main
  api=$issuer/api/v1
}

stop_jeton() {
  echo "Jeton RSS after the run: $(( $(ps -o rss= -p "$jeton") / 1024 )) MiB"
  kill "$jeton"; wait "$jeton" 2>/dev/null || true
}

admin_token() { # the bootstrap admin's access token
  curl -fs -X POST "$api/auth/login" -H 'Content-Type: application/json' \
    -d "{\"email\":\"$JETON_BOOTSTRAP_ADMIN_EMAIL\",\"password\":\"$JETON_BOOTSTRAP_ADMIN_PASSWORD\"}" \
    | json_field access_token
}

seed_refresh_tokens() { # issues $seed refresh tokens straight into Jeton's database
  "$java" -cp "$bench" dev.jeton.bench.SeedRefreshTokens "$db_url" "$seed" "$db_user" "" \
    > "$work/seed.log" 2>&1 || { cat "$work/seed.log" >&2; exit 1; }
  grep '^seeded' "$work/seed.log" | sed 's/^/  /'
}

# A throwaway PostgreSQL cluster (the newest Debian postgresql package's binaries) on
# 127.0.0.1:$pg_port, trust authentication, database and superuser 'jeton'. Sets pg_url.
start_postgres() {
  local bin=${PG_BIN:-$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)}
  [ -x "$bin/pg_ctl" ] || { echo "no PostgreSQL binaries: apt-get install postgresql, or set PG_BIN" >&2; exit 1; }
  pg_bin=$bin
  pg_dir=$(mktemp -d)
  if [ "$(id -u)" = 0 ]; then
    chown "${PG_OS_USER:-jetonci}" "$pg_dir"
    pg_as=(runuser -u "${PG_OS_USER:-jetonci}" --)
  fi
  "${pg_as[@]}" "$bin/initdb" -D "$pg_dir/data" -U jeton -A trust -E UTF8 --no-sync > "$pg_dir/initdb.log" 2>&1 \
    || { cat "$pg_dir/initdb.log" >&2; exit 1; }
  "${pg_as[@]}" "$bin/pg_ctl" -D "$pg_dir/data" -l "$pg_dir/server.log" -w \
    -o "-h 127.0.0.1 -p $pg_port -k $pg_dir" start > /dev/null \
    || { cat "$pg_dir/server.log" >&2; exit 1; }
  "$bin/createdb" -h 127.0.0.1 -p "$pg_port" -U jeton jeton
  pg_url="jdbc:postgresql://127.0.0.1:$pg_port/jeton"
  echo "PostgreSQL: $("$bin/postgres" --version) on 127.0.0.1:$pg_port (fsync and synchronous_commit on, defaults otherwise)"
}

stop_postgres() {
  if [ -n "$pg_dir" ]; then
    "${pg_as[@]}" "$pg_bin/pg_ctl" -D "$pg_dir/data" -m fast -w stop > /dev/null 2>&1 || true
    rm -rf "$pg_dir"
    pg_dir=
  fi
}
