#!/usr/bin/env bash
# Personal access tokens under load: GET /api/v1/me authenticated by a personal access token
# (a cache hit after the first request) against the same with the access token of a sign-in,
# alternating ROUNDS times in one run, then the rate of token creation (each one a write that
# counts the owner's live tokens under a lock). SQLite in a fresh temporary directory.
#
# Usage: jeton-bench/run-pat.sh [JAVA_HOME]   (build first: ./mvnw -q -DskipTests package)
# Settings: see lib.sh, plus ROUNDS (2).
. "$(dirname "$0")/lib.sh" "$@"
rounds=${ROUNDS:-2}
# creation would stop at the default 600 live tokens per owner
export JETON_PAT_MAX_PER_OWNER=100000

print_machine
start_jeton
at=$(curl -fs -X POST "$api/auth/register" -H 'Content-Type: application/json' \
  -d '{"email":"pat.bench@example.com","password":"load test pass phrase 9"}' \
  | json_field access_token)
pat=$(curl -fs -X POST "$api/me/tokens" -H "Authorization: Bearer $at" \
  -H 'Content-Type: application/json' -d '{"comment":"bench"}' | json_field token)
case "$pat" in jeton_pat_*) ;; *) echo "no personal access token: $pat" >&2; exit 1 ;; esac
table "GET /api/v1/me by credential (SQLite)"
warm -t2 -c"$conns" -H "Authorization: Bearer $at" "$api/me"
warm -t2 -c"$conns" -H "Authorization: Bearer $pat" "$api/me"
for round in $(seq "$rounds"); do
  run_wrk "GET /me, access token (round $round)" -t2 -c"$conns" -d"$duration" \
    -H "Authorization: Bearer $at" "$api/me"
  run_wrk "GET /me, personal access token (round $round)" -t2 -c"$conns" -d"$duration" \
    -H "Authorization: Bearer $pat" "$api/me"
done
export SESSION_TOKEN=$at
run_wrk "POST /me/tokens (create)" -t2 -c"$conns" -d"$duration" -s "$wrkdir/pat-create.lua" \
  "$api/me/tokens"
echo
echo "tokens in the database after the run: $(sqlite3 "$data_dir/jeton.db" \
  'SELECT count(*) FROM personal_access_tokens' 2>/dev/null || echo '(sqlite3 not installed)')"
stop_jeton
