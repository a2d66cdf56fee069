#!/usr/bin/env bash
# Bulk import under load: POST /api/v1/users/import of 10,000 users with bcrypt hashes (cost 10,
# made by the system's crypt(3), as another system would have stored them) while wrk keeps
# calling GET /api/v1/me; the import's time, and /me's rate and latency before and during it.
# Then the first sign-in of an imported user (bcrypt verification and the Argon2id rehash) and
# the next one (Argon2id only). SQLite in a fresh temporary directory.
#
# Usage: jeton-bench/run-import.sh [JAVA_HOME]   (build first: ./mvnw -q -DskipTests package)
# Settings: see lib.sh, plus USERS (10000). Needs python3 with the crypt module (libxcrypt).
. "$(dirname "$0")/lib.sh" "$@"
users=${USERS:-10000}

print_machine
body=$work/import.json
# 50 distinct hashes, cycled: the import stores a hash without verifying it, so its cost does
# not depend on how many are distinct; user i's password is "imported pass phrase <i mod 50>"
python3 - "$users" "$body" <<'PY'
import crypt, json, sys
n, out = int(sys.argv[1]), sys.argv[2]
hashes = [crypt.crypt("imported pass phrase %d" % i,
                      crypt.mksalt(crypt.METHOD_BLOWFISH, rounds=1 << 10)) for i in range(50)]
users = [{"email": "imported%d@example.com" % i, "name": "Imported %d" % i,
          "password_hash": hashes[i % 50]} for i in range(n)]
json.dump({"users": users}, open(out, "w"))
PY
echo "import body: $users users, $(( $(stat -c %s "$body") / 1024 )) KiB"

start_jeton
admin=$(admin_token)
table "GET /api/v1/me while 10,000 users are imported (SQLite)"
warm -t2 -c"$conns" -H "Authorization: Bearer $admin" "$api/me"
run_wrk "GET /me, no import" -t2 -c"$conns" -d10s -H "Authorization: Bearer $admin" "$api/me"
wrk --latency -t2 -c"$conns" -d10s -H "Authorization: Bearer $admin" "$api/me" \
  > "$work/during.txt" &
load=$!
sleep 2
import_start=$(date +%s%N)
curl -fs -o "$work/import-answer.json" -X POST "$api/users/import" \
  -H "Authorization: Bearer $admin" -H 'Content-Type: application/json' --data-binary "@$body"
import_ms=$(( ($(date +%s%N) - import_start) / 1000000 ))
wait "$load"
rate=$(awk '/^Requests\/sec/ {print $2}' "$work/during.txt")
p99=$(awk '/^ +99%/ {print $2}' "$work/during.txt")
max=$(awk '/^ +Latency / {print $4}' "$work/during.txt")
non2xx=$(awk '/Non-2xx/ {print $5}' "$work/during.txt")
printf '| %s | %s | %s | %s | - | - |\n' "GET /me, import running in seconds 2 to $((2 + import_ms / 1000))" \
  "$rate" "$p99" "${non2xx:-0}"
echo "(max latency during that run: $max)"
echo
echo "import of $users users: ${import_ms} ms; answer summary: $(python3 -c \
  'import json,sys; print(json.load(open(sys.argv[1]))["summary"])' "$work/import-answer.json")"
login() { # email password: prints the time of one sign-in in ms
  local t0
  t0=$(date +%s%N)
  curl -fs -o /dev/null -X POST "$api/auth/login" -H 'Content-Type: application/json' \
    -d "{\"email\":\"$1\",\"password\":\"$2\"}"
  echo $(( ($(date +%s%N) - t0) / 1000000 ))
}
echo "first sign-in of an imported user (bcrypt cost 10, then the Argon2id rehash): $(login imported7@example.com 'imported pass phrase 7') ms"
echo "its next sign-in (Argon2id): $(login imported7@example.com 'imported pass phrase 7') ms"
echo "stored hash now: $(sqlite3 "$data_dir/jeton.db" \
  "SELECT substr(password_hash, 1, 30) FROM users WHERE email = 'imported7@example.com'" \
  2>/dev/null || echo '(sqlite3 not installed)')"
stop_jeton
