#!/usr/bin/env bash
# What the access log costs: introspection of one JWT and client_credentials token requests,
# with the access log on and off, on fresh Jetons (SQLite) alternating within each round, so that
# every "on" has its "off" minutes apart on the same machine.
#
# Per round and mode: start Jeton with JETON_ACCESS_LOG=<mode> (and JETON_ACCESS_LOG_SAMPLE when
# set), register a confidential client, pre-warm PREWARM of both loads, then one wrk run of each
# (after a WARMUP), print them, and count the access lines the log received and the ones it shed.
#
# Usage: jeton-bench/run-access-log.sh [JAVA_HOME]   (build first: ./mvnw -q -DskipTests package)
# Settings: see lib.sh, plus ROUNDS (3), MODES ("on off"), PREWARM (20s).
. "$(dirname "$0")/lib.sh" "$@"
rounds=${ROUNDS:-3}
modes=${MODES:-on off}
prewarm=${PREWARM:-20s}
export JETON_METRICS_TOKEN=access-log-bench-metrics-token-0123456789
export CLIENT_BASIC INTROSPECT_TOKEN

register_client() { # -> "client_id client_secret"
  local out
  out=$(curl -fs -X POST "$api/clients" -H "Authorization: Bearer $(admin_token)" \
    -H 'Content-Type: application/json' -d '{"name":"Bench backend","type":"confidential",
      "grant_types":["client_credentials"],"scopes":["read","write"]}')
  echo "$(echo "$out" | json_field client_id) $(echo "$out" | json_field client_secret)"
}

metric() { # name: its value in the Prometheus exposition (0 when absent)
  curl -fs -H "Authorization: Bearer $JETON_METRICS_TOKEN" "http://127.0.0.1:$port/metrics" \
    | awk -v m="$1" '$1 == m {v = $2} END {print v + 0}'
}

print_machine
echo "pre-warm-up of each fresh Jeton: $prewarm of introspection and of client_credentials;" \
  "sample rate: ${JETON_ACCESS_LOG_SAMPLE:-1 (default)}"
declare -A rates
for round in $(seq "$rounds"); do
  for mode in $modes; do
    export JETON_ACCESS_LOG=$mode
    start_jeton
    read -r id secret < <(register_client)
    CLIENT_BASIC="Basic $(printf '%s:%s' "$id" "$secret" | base64 -w0)"
    INTROSPECT_TOKEN=$(curl -fs -X POST "$issuer/oauth2/token" -H "Authorization: $CLIENT_BASIC" \
      -d grant_type=client_credentials | json_field access_token)
    wrk -t2 -c"$conns" -d"$prewarm" -s "$wrkdir/introspect.lua" "$issuer/oauth2/introspect" > /dev/null
    wrk -t2 -c"$conns" -d"$prewarm" -s "$wrkdir/client-credentials.lua" "$issuer/oauth2/token" > /dev/null
    lines0=$(grep -c '"logger":"jeton.access"' "$data_dir/jeton.log" || true)
    table "Round $round, access log $mode"
    warm -t2 -c"$conns" -s "$wrkdir/introspect.lua" "$issuer/oauth2/introspect"
    run_wrk "POST introspect (JWT, active)" -t2 -c"$conns" -d"$duration" \
      -s "$wrkdir/introspect.lua" "$issuer/oauth2/introspect"
    rates[$round,$mode,introspect]=$last_rate
    warm -t2 -c"$conns" -s "$wrkdir/client-credentials.lua" "$issuer/oauth2/token"
    run_wrk "POST token (client_credentials)" -t2 -c"$conns" -d"$duration" \
      -s "$wrkdir/client-credentials.lua" "$issuer/oauth2/token"
    rates[$round,$mode,cc]=$last_rate
    sleep 1
    echo
    echo "access lines written during the table: $(( $(grep -c '"logger":"jeton.access"' "$data_dir/jeton.log" || true) - lines0 ));" \
      "shed since start: $(metric jeton_access_log_shed_total)"
    stop_jeton
  done
done

if [[ " $modes " == *" on "* && " $modes " == *" off "* ]]; then
  echo
  echo "| round | introspect on / off | client_credentials on / off |"
  echo "|---|---:|---:|"
  for round in $(seq "$rounds"); do
    awk -v r="$round" -v io="${rates[$round,on,introspect]}" -v if_="${rates[$round,off,introspect]}" \
      -v co="${rates[$round,on,cc]}" -v cf="${rates[$round,off,cc]}" \
      'BEGIN {printf "| %s | %.1f %% | %.1f %% |\n", r, 100 * io / if_, 100 * co / cf}'
  done
fi
