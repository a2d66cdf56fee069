#!/usr/bin/env bash
# QR logins under load (docs/qr-login.md): the rate at which desktops can start logins (each a
# row, a QR code drawn as PNG and SVG), then the rate of polls (answered from memory) over every
# login started, each polled at most once per interval. SQLite in a fresh temporary directory.
# The per-address start limit is turned off and the lifetime raised for the run, since one
# address (wrk) starts them all.
#
# Usage: jeton-bench/run-qr.sh [JAVA_HOME]   (build first: ./mvnw -q -DskipTests package)
# Settings: see lib.sh.
. "$(dirname "$0")/lib.sh" "$@"
export JETON_QR_LOGIN_LIMIT=0 JETON_QR_LOGIN_TTL=10m
export QR_LOGINS="$work/qr-logins.txt" QR_THREADS=2
: > "$QR_LOGINS"

print_machine
start_jeton
table "QR logins (SQLite)"
# until there are enough logins that the polls below never come faster than a login's
# interval (MIN_LOGINS, default 45,000: 2 s each at 22,500 polls a second)
min_logins=${MIN_LOGINS:-45000}
for round in 1 2 3 4 5 6 7 8; do
  run_wrk "POST /qr-logins (start, with QR images; round $round)" -t2 -c"$conns" \
    -d"$duration" -s "$wrkdir/qr-create.lua" "$api/qr-logins"
  if [ "$(wc -l < "$QR_LOGINS")" -ge "$min_logins" ]; then break; fi
done
logins=$(wc -l < "$QR_LOGINS")
warm -t2 -c"$conns" -s "$wrkdir/qr-poll.lua" "$api/qr-logins"
run_wrk "GET /qr-logins/{id} (poll, over $logins logins)" -t2 -c"$conns" -d"$duration" \
  -s "$wrkdir/qr-poll.lua" "$api/qr-logins"
echo
echo "logins started: $logins"
stop_jeton
