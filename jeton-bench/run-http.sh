#!/usr/bin/env bash
# HTTP load benchmarks with wrk: a plain Javalin hello-world (the ceiling), then Jeton's
# /api/v1/me, JWKS, login and refresh (with rotation), refresh again after seeding a million
# refresh tokens, start-to-ready time and RSS. SQLite database in a fresh temporary directory.
#
# Usage: jeton-bench/run-http.sh [JAVA_HOME]   (build first: ./mvnw -q -DskipTests package)
# Needs wrk (Debian package 'wrk') and curl. Settings (DURATION, WARMUP, CONNS, SEED,
# JETON_JAVA_OPTS, ports): see lib.sh.
. "$(dirname "$0")/lib.sh" "$@"

print_machine
table "Ceiling"
hello_ceiling

start_jeton
echo
echo "start to ready (process launch to first 200 from /health/ready): ${ready_ms} ms"
export BENCH_EMAIL=bench@example.com BENCH_PASSWORD='load test pass phrase 9'
at=$(curl -fs -X POST "$api/auth/register" -H 'Content-Type: application/json' \
  -d "{\"email\":\"$BENCH_EMAIL\",\"password\":\"$BENCH_PASSWORD\"}" | json_field access_token)

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

table "First-party API (SQLite)"
warm -t2 -c"$conns" -H "Authorization: Bearer $at" "$api/me"
warm -t2 -c"$conns" "$issuer/.well-known/jwks.json"
run_wrk "GET /api/v1/me" -t2 -c"$conns" -d"$duration" -H "Authorization: Bearer $at" "$api/me"
run_wrk "GET jwks.json" -t2 -c"$conns" -d"$duration" "$issuer/.well-known/jwks.json"
run_wrk "POST login (Argon2id)" -t2 -c"$conns" -d"$duration" -s "$wrkdir/login.lua" \
  "$api/auth/login"
login_sessions
warm -t"$conns" -c"$conns" -s "$wrkdir/refresh.lua" "$api/auth/refresh"
login_sessions
run_wrk "POST refresh (rotation)" -t"$conns" -c"$conns" -d"$duration" \
  -s "$wrkdir/refresh.lua" "$api/auth/refresh"
if [ "$seed" -gt 0 ]; then
  echo
  seed_refresh_tokens
  login_sessions
  table "After seeding $seed refresh tokens (SQLite)"
  run_wrk "POST refresh after seed" -t"$conns" -c"$conns" -d"$duration" \
    -s "$wrkdir/refresh.lua" "$api/auth/refresh"
fi
echo
echo "Jeton's own start-up time (migrations, keys, HTTP): $(grep -o '"startup_ms":[0-9]*' "$data_dir/jeton.log" | cut -d: -f2) ms"
stop_jeton
