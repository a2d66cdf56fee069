#!/usr/bin/env bash
# The ceiling and Jeton's cheapest scenarios ROUNDS times back to back, each round on a fresh
# Jeton (SQLite), with every run's latency distribution, then each figure's spread over the
# rounds, so that drift between runs shows in every report:
#   - GET /hello of a plain Javalin (the ceiling), GET /api/v1/me, GET jwks.json,
#   - POST introspect (one JWT, by the client it was issued to), POST token (client_credentials).
#
# Usage: jeton-bench/run-spread.sh [JAVA_HOME]   (build first: ./mvnw -q -DskipTests package)
# Settings: see lib.sh, plus ROUNDS (3) and PREWARM (20s of the two OAuth loads per Jeton).
. "$(dirname "$0")/lib.sh" "$@"
rounds=${ROUNDS:-3}
prewarm=${PREWARM:-20s}
export CLIENT_BASIC INTROSPECT_TOKEN
results=$work/results.txt
: > "$results"

# One run: prints its row and appends "name rate p50 p90 p99 p99.9 max" (latencies in us).
dist_run() { # name, wrk args...
  local name=$1; shift
  local out rate line non2xx
  out=$(wrk "$@")
  rate=$(echo "$out" | awk '/^Requests\/sec/ {print $2}')
  non2xx=$(echo "$out" | awk '/Non-2xx/ {print $5}')
  line=$(echo "$out" | awk '/^latency_us/ {print $3, $5, $7, $9, $11}')
  [ -n "$line" ] || { echo "no latency line from wrk for $name" >&2; exit 1; }
  echo "$name|$rate $line" >> "$results"
  # shellcheck disable=SC2086
  set -- $line
  printf '| %s | %s | %s | %s | %s | %s | %s | %s |\n' "$name" "$rate" \
    "$(ms "$1")" "$(ms "$2")" "$(ms "$3")" "$(ms "$4")" "$(ms "$5")" "${non2xx:-0}"
}

ms() { awk -v u="$1" 'BEGIN {printf "%.1f", u / 1000}'; }

print_machine
echo "rounds: $rounds; each Jeton pre-warmed $prewarm with introspection and client_credentials"
for round in $(seq "$rounds"); do
  printf '\nRound %s\n\n' "$round"
  echo "| run | req/s | p50 ms | p90 ms | p99 ms | p99.9 ms | max ms | non-2xx |"
  echo "|---|---:|---:|---:|---:|---:|---:|---:|"
  "$java" -cp "$bench" dev.jeton.bench.HelloServer "$hello_port" > "$work/hello.log" 2>&1 &
  hello=$!
  pids+=("$hello")
  wait_for "http://127.0.0.1:$hello_port/hello" "$hello" "$work/hello.log"
  warm -t2 -c"$conns" "http://127.0.0.1:$hello_port/hello"
  dist_run "hello-world (ceiling)" -t2 -c"$conns" -d"$duration" -s "$wrkdir/latency.lua" \
    "http://127.0.0.1:$hello_port/hello"
  kill "$hello"; wait "$hello" 2>/dev/null || true

  start_jeton
  admin=$(admin_token)
  out=$(curl -fs -X POST "$api/clients" -H "Authorization: Bearer $admin" \
    -H 'Content-Type: application/json' -d '{"name":"Bench backend","type":"confidential",
      "grant_types":["client_credentials"],"scopes":["read","write"]}')
  CLIENT_BASIC="Basic $(printf '%s:%s' "$(echo "$out" | json_field client_id)" \
    "$(echo "$out" | json_field client_secret)" | base64 -w0)"
  INTROSPECT_TOKEN=$(curl -fs -X POST "$issuer/oauth2/token" -H "Authorization: $CLIENT_BASIC" \
    -d grant_type=client_credentials | json_field access_token)
  at=$(curl -fs -X POST "$api/auth/register" -H 'Content-Type: application/json' \
    -d '{"email":"spread@example.com","password":"load test pass phrase 9"}' \
    | json_field access_token)
  wrk -t2 -c"$conns" -d"$prewarm" -s "$wrkdir/introspect.lua" "$issuer/oauth2/introspect" > /dev/null
  wrk -t2 -c"$conns" -d"$prewarm" -s "$wrkdir/client-credentials.lua" "$issuer/oauth2/token" > /dev/null

  warm -t2 -c"$conns" -H "Authorization: Bearer $at" "$api/me"
  dist_run "GET /api/v1/me" -t2 -c"$conns" -d"$duration" -s "$wrkdir/latency.lua" \
    -H "Authorization: Bearer $at" "$api/me"
  warm -t2 -c"$conns" "$issuer/.well-known/jwks.json"
  dist_run "GET jwks.json" -t2 -c"$conns" -d"$duration" -s "$wrkdir/latency.lua" \
    "$issuer/.well-known/jwks.json"
  warm -t2 -c"$conns" -s "$wrkdir/introspect.lua" "$issuer/oauth2/introspect"
  dist_run "POST introspect" -t2 -c"$conns" -d"$duration" -s "$wrkdir/introspect.lua" \
    "$issuer/oauth2/introspect"
  warm -t2 -c"$conns" -s "$wrkdir/client-credentials.lua" "$issuer/oauth2/token"
  dist_run "POST token (client_credentials)" -t2 -c"$conns" -d"$duration" \
    -s "$wrkdir/client-credentials.lua" "$issuer/oauth2/token"
  stop_jeton
done

printf '\nSpread over %s rounds: min / median / max, and (max - min) / median\n\n' "$rounds"
echo "| run | req/s | spread | p99 ms | p99.9 ms |"
echo "|---|---:|---:|---:|---:|"
cut -d'|' -f1 "$results" | awk '!seen[$0]++' | while read -r name; do
  grep -F "$name|" "$results" | cut -d'|' -f2 | awk -v name="$name" '
    function sort(a, n,   i, j, t) { for (i = 2; i <= n; i++) for (j = i; j > 1 && a[j-1] > a[j]; j--) { t = a[j]; a[j] = a[j-1]; a[j-1] = t } }
    function med(a, n) { return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2 }
    { n++; r[n] = $1; p[n] = $4 / 1000; q[n] = $5 / 1000 }
    END {
      sort(r, n); sort(p, n); sort(q, n)
      printf "| %s | %.0f / %.0f / %.0f | %.1f %% | %.1f / %.1f / %.1f | %.1f / %.1f / %.1f |\n",
        name, r[1], med(r, n), r[n], 100 * (r[n] - r[1]) / med(r, n),
        p[1], med(p, n), p[n], q[1], med(q, n), q[n]
    }'
done
