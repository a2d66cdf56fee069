#!/usr/bin/env bash
# Start-up time as a new user meets it: the README's plain `java -jar jeton.jar` (no JVM options),
# from exec to the first 200 on /health/ready, ROUNDS times each for a first start on an empty
# data directory and for a restart on the data the first start left; and the RSS at ready.
# SQLite, a bootstrap admin (so the first start also hashes its password and creates its keys).
#
# Usage: jeton-bench/run-startup.sh [JAVA_HOME]   (build first: ./mvnw -q -DskipTests package)
# Settings: ROUNDS (5), JETON_PORT (8098).
. "$(dirname "$0")/lib.sh" "$@"
rounds=${ROUNDS:-5}
jeton_opts=""

median() { sort -n | awk '{a[NR] = $1} END {print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2}'; }

print_machine
first=(); again=(); rss=()
for _ in $(seq "$rounds"); do
  start_jeton
  first+=("$ready_ms")
  rss+=("$(( $(ps -o rss= -p "$jeton") / 1024 ))")
  kill "$jeton"; wait "$jeton" 2>/dev/null || true
  # the same data directory again: a restart
  start=$(date +%s%N)
  "$java" "${jeton_main[@]}" > "$data_dir/jeton-2.log" 2>&1 &
  jeton=$!
  pids+=("$jeton")
  wait_for "http://127.0.0.1:$port/health/ready" "$jeton" "$data_dir/jeton-2.log"
  again+=("$(( ($(date +%s%N) - start) / 1000000 ))")
  kill "$jeton"; wait "$jeton" 2>/dev/null || true
done
echo
echo "| start | runs (ms) | median ms |"
echo "|---|---|---:|"
echo "| first start, empty data directory | ${first[*]} | $(printf '%s\n' "${first[@]}" | median) |"
echo "| restart on existing data | ${again[*]} | $(printf '%s\n' "${again[@]}" | median) |"
echo
echo "RSS at ready after a first start (MiB): ${rss[*]}"
