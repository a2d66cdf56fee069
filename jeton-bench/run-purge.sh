#!/usr/bin/env bash
# The purge benchmark: refresh throughput (first-party POST /auth/refresh with rotation, one
# session per connection) while the purge deletes SEED refresh tokens of ended sessions, against
# the same Jeton, same data, without the purge, back to back; and how long the purge takes.
#
# Per database, on one fresh Jeton (dev.jeton.bench.PurgeServer: the server as the jar runs it,
# plus a trigger file that starts one purge run in its own process; the scheduled purge is off),
# ROUNDS times: seed SEED tokens in ended sessions of PER_SESSION tokens (SeedEndedSessions),
# then a wrk run without the purge, then one started together with a purge run, then wait for
# the purge to end (it goes on without load after the wrk run). Each purge run's own log line
# gives what it removed, its duration, its number of batches and its slowest batch; the
# jeton_purge_batch_seconds metric gives their mean.
#
# Usage: jeton-bench/run-purge.sh [JAVA_HOME]   (build first: ./mvnw -q -DskipTests package)
# Needs wrk and curl, and for PostgreSQL the Debian 'postgresql' package. Settings: see lib.sh,
# plus DBS ("sqlite"; "sqlite postgres" for both), ROUNDS (2), PER_SESSION (10), PREWARM (20s),
# PURGE=0 for the control: the second run then starts no purge, so the two runs show what
# the order alone costs; and WARM_PURGE=N to run one unmeasured purge of N seeded tokens, without
# load, before the rounds, so that the first measured purge does not also pay for compiling the
# purge's code.
. "$(dirname "$0")/lib.sh" "$@"
dbs=${DBS:-sqlite}
rounds=${ROUNDS:-2}
per_session=${PER_SESSION:-10}
prewarm=${PREWARM:-20s}
trigger=$work/purge-now
jeton_main=(-cp "$bench" dev.jeton.bench.PurgeServer "$trigger")
export JETON_PURGE_INTERVAL=0
export JETON_METRICS_TOKEN=purge-bench-metrics-token-0123456789abcdef
export BENCH_EMAIL=bench@example.com BENCH_PASSWORD='load test pass phrase 9'
export RT_FILE=$work/rt.txt

login_sessions() { # one session per wrk thread: RT_FILE lists their first refresh tokens
  : > "$RT_FILE"
  for _ in $(seq "$conns"); do
    curl -fs -X POST "$api/auth/login" -H 'Content-Type: application/json' \
      -d "{\"email\":\"$BENCH_EMAIL\",\"password\":\"$BENCH_PASSWORD\"}" \
      | json_field refresh_token >> "$RT_FILE"
    echo >> "$RT_FILE"
  done
}

seed_ended() {
  "$java" -cp "$bench" dev.jeton.bench.SeedEndedSessions "$db_url" "$seed" "$per_session" \
    "$db_user" "" > "$work/seed.log" 2>&1 || { cat "$work/seed.log" >&2; exit 1; }
  sed 's/^/  /' "$work/seed.log"
}

metric() { # name: its value in the Prometheus exposition (0 when absent)
  curl -fs -H "Authorization: Bearer $JETON_METRICS_TOKEN" "http://127.0.0.1:$port/metrics" \
    | awk -v m="$1" '$1 == m {v = $2} END {print v + 0}'
}

purges() { grep -c '"msg":"purge finished"' "$data_dir/jeton.log" || true; }
purge=${PURGE:-1}

start_purge() { # starts one purge run; sets purge_before (runs so far) and the metric baselines
  purge_before=$(purges)
  count0=$(metric jeton_purge_batch_seconds_count)
  sum0=$(metric jeton_purge_batch_seconds_sum)
  touch "$trigger"
}

purge_running() { [ "$(purges)" = "$purge_before" ]; }

wait_purge() { # waits for the run start_purge started and prints its log line's numbers
  while purge_running; do sleep 0.2; done
  local line count sum
  line=$(grep '"msg":"purge finished"' "$data_dir/jeton.log" | tail -1)
  count=$(metric jeton_purge_batch_seconds_count)
  sum=$(metric jeton_purge_batch_seconds_sum)
  echo "  purge: $(echo "$line" | grep -o '"sessions_removed":[0-9]*\|"refresh_tokens_removed":[0-9]*\|"duration_ms":[0-9]*\|"batches":[0-9]*\|"slowest_batch_ms":[0-9.]*' | tr -d '"' | tr '\n' ' ')" \
    "mean_batch_ms:$(awk -v c="$((count - count0))" -v s="$sum" -v s0="$sum0" 'BEGIN {if (c > 0) printf "%.2f", 1000 * (s - s0) / c; else print "-"}')"
}

print_machine
echo "seed: $seed refresh tokens in ended sessions of $per_session (a third revoked, a third past" \
  "their absolute limit, a third idle), $rounds rounds; pre-warm-up $prewarm of refresh load"

for db in $dbs; do
  case $db in
    sqlite) unset JETON_DB_URL JETON_DB_USER; name=SQLite ;;
    postgres)
      echo
      start_postgres
      export JETON_DB_URL=$pg_url JETON_DB_USER=jeton; name=PostgreSQL ;;
    *) echo "unknown database '$db' (sqlite or postgres)" >&2; exit 1 ;;
  esac
  start_jeton
  curl -fs -X POST "$api/auth/register" -H 'Content-Type: application/json' \
    -d "{\"email\":\"$BENCH_EMAIL\",\"password\":\"$BENCH_PASSWORD\"}" > /dev/null
  echo
  echo "$name: start to ready ${ready_ms} ms"
  login_sessions
  wrk -t"$conns" -c"$conns" -d"$prewarm" -s "$wrkdir/refresh.lua" "$api/auth/refresh" > /dev/null
  if [ "${WARM_PURGE:-0}" -gt 0 ]; then
    echo
    echo "$name, unmeasured purge of ${WARM_PURGE} tokens before the rounds:"
    measured_seed=$seed; seed=$WARM_PURGE
    seed_ended
    seed=$measured_seed
    start_purge
    wait_purge
  fi
  for round in $(seq "$rounds"); do
    echo
    echo "$name, round $round:"
    seed_ended
    table "$name, round $round: POST /auth/refresh (rotation), $conns sessions"
    login_sessions
    warm -t"$conns" -c"$conns" -s "$wrkdir/refresh.lua" "$api/auth/refresh"
    login_sessions
    run_wrk "without the purge" -t"$conns" -c"$conns" -d"$duration" \
      -s "$wrkdir/refresh.lua" "$api/auth/refresh"
    without=$last_rate
    login_sessions
    if [ "$purge" = 0 ]; then
      run_wrk "again, no purge (control)" -t"$conns" -c"$conns" -d"$duration" \
        -s "$wrkdir/refresh.lua" "$api/auth/refresh"
      echo
      echo "  control: $(awk -v a="$last_rate" -v b="$without" 'BEGIN {printf "%.1f %%", 100 * a / b}') of the first run's rate"
      continue
    fi
    start_purge
    run_wrk "while the purge runs" -t"$conns" -c"$conns" -d"$duration" \
      -s "$wrkdir/refresh.lua" "$api/auth/refresh"
    if purge_running; then covered="the purge ran through the whole wrk run"; else covered="**the purge ended before the wrk run did**"; fi
    echo
    echo "  with the purge: $(awk -v a="$last_rate" -v b="$without" 'BEGIN {printf "%.1f %%", 100 * a / b}') of the rate without; $covered"
    wait_purge
  done
  echo
  echo "rows left: $(curl -fs -H "Authorization: Bearer $JETON_METRICS_TOKEN" "http://127.0.0.1:$port/metrics" \
    | awk '/^jeton_table_rows\{table="(sessions|refresh_tokens)"/ {printf "%s ", $0}')"
  stop_jeton
  if [ "$db" = postgres ]; then stop_postgres; fi
done
