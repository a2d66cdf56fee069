#!/usr/bin/env bash
# HTTP load benchmarks of the OAuth endpoints with wrk: a plain Javalin hello-world (the ceiling),
# then, for a confidential client registered through the admin API: client_credentials token
# requests (client_secret_basic), introspection of one JWT access token, and client_credentials
# again after seeding a million refresh tokens. SQLite database in a fresh temporary directory.
#
# Usage: jeton-bench/run-oauth.sh [JAVA_HOME]   (build first: ./mvnw -q -DskipTests package)
# Needs wrk (Debian package 'wrk') and curl. Same settings as run-http.sh: DURATION, WARMUP,
# CONNS, SEED, JETON_JAVA_OPTS.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
java_home=${1:-${JAVA_HOME:-}}
java=${java_home:+$java_home/bin/}java
jar=$root/jeton-server/target/jeton.jar
bench=$root/jeton-bench/target/benchmarks.jar
duration=${DURATION:-10s}
warmup=${WARMUP:-5s}
conns=${CONNS:-32}
seed=${SEED:-1000000}
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
  printf "%-36s %10s req/s   p99 %8s   non-2xx %s\n" "$name" "$(echo "$out" | rate)" \
    "$(echo "$out" | latency)" "$(echo "$out" | grep -E 'Non-2xx' | awk '{print $5}' || true)"
}
json_field() { # field < json
  sed -E "s/.*\"$1\":\"([^\"]+)\".*/\1/"
}

echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)"
echo "java: $($java -version 2>&1 | head -1)"
echo "wrk: $conns connections, $duration per run after a $warmup warm-up; Jeton JVM options: $jeton_opts"
echo

"$java" -cp "$bench" dev.jeton.bench.HelloServer $hello_port > "$work/hello.log" 2>&1 &
pids+=($!)
for _ in $(seq 100); do curl -fs "http://127.0.0.1:$hello_port/hello" >/dev/null && break; sleep 0.1; done
wrk -t2 -c$conns -d$warmup "http://127.0.0.1:$hello_port/hello" >/dev/null
run_wrk "hello-world (ceiling)" -t2 -c$conns -d$duration "http://127.0.0.1:$hello_port/hello"
kill "${pids[0]}"; wait "${pids[0]}" 2>/dev/null || true

export JETON_HTTP_PORT=$port JETON_DATA_DIR=$work/data JETON_LOG_FORMAT=json
export JETON_BOOTSTRAP_ADMIN_EMAIL=admin@bench.example.com JETON_BOOTSTRAP_ADMIN_PASSWORD='bench root pass phrase'
# shellcheck disable=SC2086
"$java" $jeton_opts -jar "$jar" > "$work/jeton.log" 2>&1 &
jeton=$!
pids+=($jeton)
until curl -fs "http://127.0.0.1:$port/health/ready" >/dev/null; do
  if ! kill -0 "$jeton" 2>/dev/null; then echo "Jeton did not start:"; cat "$work/jeton.log"; exit 1; fi
  sleep 0.05
done
issuer=http://127.0.0.1:$port/accounts/main
api=$issuer/api/v1

# A confidential client for client_credentials, registered by the bootstrap admin.
admin=$(curl -fs -X POST "$api/auth/login" -H 'Content-Type: application/json' \
  -d "{\"email\":\"$JETON_BOOTSTRAP_ADMIN_EMAIL\",\"password\":\"$JETON_BOOTSTRAP_ADMIN_PASSWORD\"}" \
  | json_field access_token)
curl -fs -X POST "$api/clients" -H "Authorization: Bearer $admin" -H 'Content-Type: application/json' \
  -d '{"name":"Bench backend","type":"confidential","grant_types":["client_credentials"],"scopes":["read","write"]}' \
  > "$work/client.json"
client_id=$(json_field client_id < "$work/client.json")
client_secret=$(json_field client_secret < "$work/client.json")
# Client ids and secrets are URL-safe (base62), so no form-encoding is needed before Basic.
export CLIENT_BASIC="Basic $(printf '%s:%s' "$client_id" "$client_secret" | base64 -w0)"
cc() { curl -fs -X POST "$issuer/oauth2/token" -H "Authorization: $CLIENT_BASIC" -d grant_type=client_credentials; }
export INTROSPECT_TOKEN=$(cc | json_field access_token)
check_active() {
  curl -fs -X POST "$issuer/oauth2/introspect" -H "Authorization: $CLIENT_BASIC" \
    -d "token=$INTROSPECT_TOKEN" | grep -q '"active":true' \
    || { echo "introspection does not answer active:true for the benchmark token"; exit 1; }
}
check_active
echo "client $client_id; access token lifetime $(cc | sed -E 's/.*"expires_in":([0-9]+).*/\1/') s"

wrk -t2 -c$conns -d$warmup -s "$root/jeton-bench/wrk/client-credentials.lua" "$issuer/oauth2/token" >/dev/null
wrk -t2 -c$conns -d$warmup -s "$root/jeton-bench/wrk/introspect.lua" "$issuer/oauth2/introspect" >/dev/null
run_wrk "POST token (client_credentials)" -t2 -c$conns -d$duration \
  -s "$root/jeton-bench/wrk/client-credentials.lua" "$issuer/oauth2/token"
check_active
run_wrk "POST introspect (JWT, active)" -t2 -c$conns -d$duration \
  -s "$root/jeton-bench/wrk/introspect.lua" "$issuer/oauth2/introspect"
check_active
if [ "$seed" -gt 0 ]; then
  "$java" -cp "$bench" dev.jeton.bench.SeedRefreshTokens "jdbc:sqlite:$work/data/jeton.db" "$seed" \
    | sed 's/^/  /'
  run_wrk "POST token (cc) after seed" -t2 -c$conns -d$duration \
    -s "$root/jeton-bench/wrk/client-credentials.lua" "$issuer/oauth2/token"
fi
echo "Jeton RSS after the run: $(( $(ps -o rss= -p $jeton) / 1024 )) MiB"
