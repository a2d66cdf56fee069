#!/usr/bin/env bash
# HTTP load benchmarks with wrk: a plain Javalin hello-world (the ceiling), then Jeton's
# /api/v1/me, JWKS, login and refresh (with rotation), refresh again after seeding a million
# refresh tokens, start-to-ready time and RSS. SQLite database in a fresh temporary directory.
#
# Usage: jeton-bench/run-http.sh [JAVA_HOME]   (build first: ./mvnw -q -DskipTests package)
# Needs wrk (Debian package 'wrk') and curl.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
java_home=${1:-${JAVA_HOME:-}}
java=${java_home:+$java_home/bin/}java
jar=$root/jeton-server/target/jeton.jar
bench=$root/jeton-bench/target/benchmarks.jar
duration=${DURATION:-10s}
conns=${CONNS:-32}
seed=${SEED:-1000000}
# The heap Jeton is run with; the RSS target (< 250 MiB) assumes a bounded heap.
jeton_opts=${JETON_JAVA_OPTS:--Xms64m -Xmx192m}
hello_port=8099
port=8098
work=$(mktemp -d)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$work"; }
trap cleanup EXIT

rate() { grep -E "^Requests/sec" | awk '{print $2}'; }
latency() { grep -E "^ +99%" | awk '{print $2}'; }
run_wrk() { # name, wrk args...
  local name=$1; shift
  local out
  out=$(wrk --latency "$@")
  printf "%-28s %10s req/s   p99 %8s   non-2xx %s\n" "$name" "$(echo "$out" | rate)" \
    "$(echo "$out" | latency)" "$(echo "$out" | grep -E 'Non-2xx' | awk '{print $5}' || true)"
}

echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)"
echo "java: $($java -version 2>&1 | head -1)"
echo "wrk: $conns connections, $duration per run after a ${WARMUP:-5s} warm-up; Jeton JVM options: $jeton_opts"
echo

"$java" -cp "$bench" dev.jeton.bench.HelloServer $hello_port > "$work/hello.log" 2>&1 &
pids+=($!)
for _ in $(seq 100); do curl -fs "http://127.0.0.1:$hello_port/hello" >/dev/null && break; sleep 0.1; done
wrk -t2 -c$conns -d${WARMUP:-5s} "http://127.0.0.1:$hello_port/hello" >/dev/null
run_wrk "hello-world (ceiling)" -t2 -c$conns -d$duration "http://127.0.0.1:$hello_port/hello"
kill "${pids[0]}"; wait "${pids[0]}" 2>/dev/null || true

export JETON_HTTP_PORT=$port JETON_DATA_DIR=$work/data JETON_LOG_FORMAT=json
export JETON_BOOTSTRAP_ADMIN_EMAIL=admin@bench.example.com JETON_BOOTSTRAP_ADMIN_PASSWORD='bench root pass phrase'
start=$(date +%s%N)
# shellcheck disable=SC2086
"$java" $jeton_opts -jar "$jar" > "$work/jeton.log" 2>&1 &
jeton=$!
pids+=($jeton)
until curl -fs "http://127.0.0.1:$port/health/ready" >/dev/null; do
  if ! kill -0 "$jeton" 2>/dev/null; then echo "Jeton did not start:"; cat "$work/jeton.log"; exit 1; fi
  sleep 0.01
done
ready=$(( ($(date +%s%N) - start) / 1000000 ))
echo "start to ready (process launch to first 200 from /health/ready): ${ready} ms"
api=http://127.0.0.1:$port/accounts/main/api/v1
export BENCH_EMAIL=bench@example.com BENCH_PASSWORD='load test pass phrase 9'
curl -fs -X POST "$api/auth/register" -H 'Content-Type: application/json' \
  -d "{\"email\":\"$BENCH_EMAIL\",\"password\":\"$BENCH_PASSWORD\"}" > "$work/reg.json"
at=$(sed -E 's/.*"access_token":"([^"]+)".*/\1/' "$work/reg.json")

login_sessions() { # n -> file of refresh tokens
  : > "$work/rt.txt"
  for _ in $(seq "$1"); do
    curl -fs -X POST "$api/auth/login" -H 'Content-Type: application/json' \
      -d "{\"email\":\"$BENCH_EMAIL\",\"password\":\"$BENCH_PASSWORD\"}" \
      | sed -E 's/.*"refresh_token":"([^"]+)".*/\1/' >> "$work/rt.txt"
    echo >> "$work/rt.txt"
  done
}

wrk -t2 -c$conns -d${WARMUP:-5s} -H "Authorization: Bearer $at" "$api/me" >/dev/null
wrk -t2 -c$conns -d${WARMUP:-5s} "http://127.0.0.1:$port/accounts/main/.well-known/jwks.json" >/dev/null
run_wrk "GET /api/v1/me" -t2 -c$conns -d$duration -H "Authorization: Bearer $at" "$api/me"
run_wrk "GET jwks.json" -t2 -c$conns -d$duration \
  "http://127.0.0.1:$port/accounts/main/.well-known/jwks.json"
run_wrk "POST login (Argon2id)" -t2 -c$conns -d$duration -s "$root/jeton-bench/wrk/login.lua" \
  "$api/auth/login"
login_sessions "$conns"
export RT_FILE=$work/rt.txt
wrk -t$conns -c$conns -d${WARMUP:-5s} -s "$root/jeton-bench/wrk/refresh.lua" "$api/auth/refresh" >/dev/null
login_sessions "$conns"
run_wrk "POST refresh (rotation)" -t$conns -c$conns -d$duration \
  -s "$root/jeton-bench/wrk/refresh.lua" "$api/auth/refresh"
if [ "$seed" -gt 0 ]; then
  "$java" -cp "$bench" dev.jeton.bench.SeedRefreshTokens "jdbc:sqlite:$work/data/jeton.db" "$seed" \
    | sed 's/^/  /'
  login_sessions "$conns"
  run_wrk "POST refresh after seed" -t$conns -c$conns -d$duration \
    -s "$root/jeton-bench/wrk/refresh.lua" "$api/auth/refresh"
fi
echo "Jeton RSS after the run: $(( $(ps -o rss= -p $jeton) / 1024 )) MiB"
echo "Jeton's own start-up time (migrations, keys, HTTP): $(grep -o '"startup_ms":[0-9]*' "$work/jeton.log" | cut -d: -f2) ms"
