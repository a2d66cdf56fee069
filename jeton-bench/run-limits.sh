#!/usr/bin/env bash
# The cost of API limits (docs/limits.md): /api/v1/me, client credentials and introspection on a
# Jeton with every limit off, then on a fresh Jeton with every limit on and set high enough never
# to refuse (rate 1,000,000/s on the token, client and ip keys, 100,000 in flight, a daily quota
# of 10^12), alternating ROUNDS times (default 3) because two runs of the same thing on this
# machine differ by up to 20 %; the mean of each is printed last. Then the rejection log under a
# flood of bad tokens: the rate answered, rejections recorded and dropped, and the RSS. SQLite in
# a fresh directory each time.
#
# Usage: jeton-bench/run-limits.sh [JAVA_HOME]   (build first: ./mvnw -q -DskipTests package)
# Needs wrk and curl. Settings (DURATION, WARMUP, CONNS, JETON_JAVA_OPTS, ports): see lib.sh.
. "$(dirname "$0")/lib.sh" "$@"
export JETON_METRICS_TOKEN=bench-metrics-token-0123456789abcdef

register_client() {
  curl -fs -X POST "$api/clients" -H "Authorization: Bearer $admin" \
    -H 'Content-Type: application/json' \
    -d '{"name":"Bench backend","type":"confidential","grant_types":["client_credentials"],"scopes":["read"]}'
}

metric() { # name -> the sum of that metric's samples
  curl -fs "http://127.0.0.1:$port/metrics" -H "Authorization: Bearer $JETON_METRICS_TOKEN" \
    | awk -v m="$1" '$1 ~ "^"m"({|$)" {s += $2} END {printf "%d", s}'
}

runs() { # label
  local label=$1 out id secret
  admin=$(admin_token)
  out=$(register_client)
  id=$(echo "$out" | json_field client_id)
  secret=$(echo "$out" | json_field client_secret)
  export CLIENT_BASIC="Basic $(printf '%s:%s' "$id" "$secret" | base64 -w0)"
  at=$(curl -fs -X POST "$api/auth/register" -H 'Content-Type: application/json' \
    -d '{"email":"bench@example.com","password":"load test pass phrase 9"}' | json_field access_token)
  export INTROSPECT_TOKEN
  INTROSPECT_TOKEN=$(curl -fs -X POST "$issuer/oauth2/token" -H "Authorization: $CLIENT_BASIC" \
    -d grant_type=client_credentials | json_field access_token)
  warm -t2 -c"$conns" -H "Authorization: Bearer $at" "$api/me"
  run_wrk "$label GET /api/v1/me" -t2 -c"$conns" -d"$duration" -H "Authorization: Bearer $at" \
    "$api/me"
  warm -t2 -c"$conns" -s "$wrkdir/client-credentials.lua" "$issuer/oauth2/token"
  run_wrk "$label POST token (client_credentials)" -t2 -c"$conns" -d"$duration" \
    -s "$wrkdir/client-credentials.lua" "$issuer/oauth2/token"
  warm -t2 -c"$conns" -s "$wrkdir/introspect.lua" "$issuer/oauth2/introspect"
  run_wrk "$label POST introspect (JWT, active)" -t2 -c"$conns" -d"$duration" \
    -s "$wrkdir/introspect.lua" "$issuer/oauth2/introspect"
}

limits_off() { export JETON_RATE_LIMIT=0 JETON_CONCURRENCY_LIMIT=0 JETON_DAILY_QUOTA=0; }
limits_on() {
  export JETON_RATE_LIMIT=1000000/1s JETON_RATE_LIMIT_KEYS=token,client,ip
  export JETON_CONCURRENCY_LIMIT=100000 JETON_DAILY_QUOTA=1000000000000
}

print_machine
rounds=${ROUNDS:-3}
table "Limits off, then on (never exhausted), alternating, SQLite"
for round in $(seq "$rounds"); do
  limits_off
  start_jeton
  runs "off #$round" > >(tee -a "$work/rows.txt")
  stop_jeton >/dev/null
  limits_on
  start_jeton
  runs "on #$round" > >(tee -a "$work/rows.txt")
  if [ "$round" != "$rounds" ]; then stop_jeton >/dev/null; fi
done
echo
echo "| endpoint | limits off (mean req/s) | limits on (mean req/s) | on / off |"
echo "|---|---:|---:|---:|"
for what in "GET /api/v1/me" "POST token (client_credentials)" "POST introspect (JWT, active)"; do
  awk -F'|' -v w="$what" '
    index($2, w) && $2 ~ /off #/ {off += $3; n++}
    index($2, w) && $2 ~ /on #/ {on += $3; m++}
    END {printf "| %s | %.0f | %.0f | %.1f %% |\n", w, off / n, on / m, 100 * (on / m) / (off / n)}
  ' "$work/rows.txt"
done

echo
echo "the limits' fields on an answer (limits on):"
curl -fsi "$api/me" -H "Authorization: Bearer $at" | grep -i '^ratelimit' || true
table "Rejection log under a flood of bad tokens (limits on), SQLite"
before=$(metric jeton_token_rejections_total)
run_wrk "GET /api/v1/me, a new malformed token each request" -t2 -c"$conns" -d"$duration" \
  -s "$wrkdir/bad-tokens.lua" "$api/me"
sleep 2 # the writer drains its queue
rejected=$(( $(metric jeton_token_rejections_total) - before ))
dropped=$(metric jeton_rejection_log_dropped_total)
echo
echo "rejections answered: $rejected; not kept by the log (queue full): $dropped;" \
  "kept: $(( rejected - dropped ))"
admin=$(admin_token)
echo "GET /api/v1/me with a valid token right after the flood: $(curl -s -o /dev/null \
  -w '%{http_code} in %{time_total} s' "$api/me" -H "Authorization: Bearer $at")"
stop_jeton
