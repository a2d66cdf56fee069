#!/usr/bin/env bash
# One scenario on a fresh Jeton (SQLite) with its latency distribution, for finding where a tail
# comes from by changing one thing per run: JVM options (JETON_JAVA_OPTS), the access log
# (JETON_ACCESS_LOG), a JFR recording of the measured run, or Jeton and wrk on separate cores.
#
# Usage: jeton-bench/run-tail.sh [JAVA_HOME]   (build first: ./mvnw -q -DskipTests package)
# Settings: see lib.sh, plus
#   SCEN     cc (POST token, client_credentials; default) or introspect (POST introspect)
#   PREWARM  15s of the same load before the measured run
#   PIN      set: Jeton's threads on core 1, wrk on core 0 (taskset; size the JVM for one CPU with
#            JETON_JAVA_OPTS="... -XX:ActiveProcessorCount=1 -Djdk.virtualThreadScheduler.parallelism=1")
#   JFR      a JFR settings file (jeton-bench/tail.jfc: long waits, pinning, slow socket I/O,
#            GC pauses; or "profile"): the measured run is recorded to $JFR_OUT
#            (tail.jfr in the current directory)
#   LOG_OUT  where Jeton's log (with the access log's duration_ms per request) is copied, if set
. "$(dirname "$0")/lib.sh" "$@"
scen=${SCEN:-cc}
prewarm=${PREWARM:-15s}
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)"
echo "java: $($java -version 2>&1 | head -1); Jeton JVM options: $jeton_opts"
start_jeton
admin=$(admin_token)
out=$(curl -fs -X POST "$api/clients" -H "Authorization: Bearer $admin" \
  -H 'Content-Type: application/json' -d '{"name":"Bench backend","type":"confidential",
    "grant_types":["client_credentials"],"scopes":["read","write"]}')
export CLIENT_BASIC="Basic $(printf '%s:%s' "$(echo "$out" | json_field client_id)" \
  "$(echo "$out" | json_field client_secret)" | base64 -w0)"
INTROSPECT_TOKEN=$(curl -fs -X POST "$issuer/oauth2/token" -H "Authorization: $CLIENT_BASIC" \
  -d grant_type=client_credentials | json_field access_token)
export INTROSPECT_TOKEN
case $scen in
  cc) script=client-credentials.lua; path=/oauth2/token ;;
  introspect) script=introspect.lua; path=/oauth2/introspect ;;
  *) echo "SCEN must be cc or introspect" >&2; exit 2 ;;
esac
on_wrk_core=()
if [ -n "${PIN:-}" ]; then
  taskset -a -cp 1 "$jeton" > /dev/null
  on_wrk_core=(taskset -c 0)
fi
wrk -t2 -c"$conns" -d"$prewarm" -s "$wrkdir/$script" "$issuer$path" > /dev/null
if [ -n "${JFR:-}" ]; then
  jcmd "$jeton" JFR.start name=tail settings="$JFR" filename="${JFR_OUT:-$PWD/tail.jfr}" > /dev/null
fi
echo "$scen, $conns connections, $duration after $prewarm of the same load${PIN:+, Jeton on core 1 and wrk on core 0}"
"${on_wrk_core[@]}" wrk -t2 -c"$conns" -d"$duration" -s "$wrkdir/$script" "$issuer$path" \
  | grep -E 'Requests/sec|latency_us|Non-2xx'
if [ -n "${JFR:-}" ]; then jcmd "$jeton" JFR.stop name=tail > /dev/null; fi
if [ -n "${LOG_OUT:-}" ]; then cp "$data_dir/jeton.log" "$LOG_OUT"; fi
stop_jeton
