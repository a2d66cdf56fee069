#!/usr/bin/env bash
# Cluster throughput (docs/operations.md#cluster): 1, 2 and 3 Jeton nodes on one PostgreSQL behind
# HAProxy (round robin, as the cluster test configures it), all on this machine, so the nodes,
# the balancer, PostgreSQL and wrk share its cores. Runs, for each node count:
#   - the client_credentials grant (client authentication and one signed access token each),
#   - the refresh of Jeton's own API with rotation (POST /auth/refresh; each wrk thread follows
#     its own session's chain, consecutive refreshes of one chain landing on different nodes),
# and, for comparison, the same two on the single node without the balancer. Prints each rate,
# its p99, and the rate per node as a share of the single node's behind the balancer.
#
# Usage: jeton-bench/run-cluster.sh [JAVA_HOME]   (build first: ./mvnw -q -DskipTests package)
# Needs wrk, curl, /usr/sbin/haproxy and the Debian 'postgresql' package (binaries only; a
# throwaway cluster is started on 127.0.0.1). Settings: see lib.sh, plus NODES ("1 2 3") and
# PREWARM (10s of client_credentials on each node before the first measurement).
. "$(dirname "$0")/lib.sh" "$@"
haproxy_bin=${HAPROXY:-/usr/sbin/haproxy}
[ -x "$haproxy_bin" ] || { echo "no $haproxy_bin: apt-get install haproxy" >&2; exit 1; }
node_counts=${NODES:-1 2 3}
lb_port=$((port + 10))
lb=http://127.0.0.1:$lb_port
issuer=$lb/accounts/main
api=$issuer/api/v1
master_key=$(head -c 32 /dev/urandom | base64 -w0)
node_pids=()
haproxy_pid=

start_node() { # index: one more node on $port + index, sharing the database and the master key
  local i=$1 dir
  dir=$(mktemp -d "$work/node$i.XXXX")
  # shellcheck disable=SC2086
  env JETON_HTTP_HOST=127.0.0.1 JETON_HTTP_PORT=$((port + i)) JETON_BASE_URL="$lb" \
    JETON_DATA_DIR="$dir" JETON_MASTER_KEY="$master_key" JETON_LOG_FORMAT=json \
    JETON_DB_URL="$pg_url" JETON_DB_USER=jeton \
    JETON_BOOTSTRAP_ADMIN_EMAIL=admin@bench.example.com \
    JETON_BOOTSTRAP_ADMIN_PASSWORD='bench root pass phrase' \
    JETON_RATE_LIMIT=0 JETON_CONCURRENCY_LIMIT=0 \
    "$java" $jeton_opts -jar "$jar" > "$dir/jeton.log" 2>&1 &
  node_pids+=($!)
  pids+=($!)
  wait_for "http://127.0.0.1:$((port + i))/health/ready" "$!" "$dir/jeton.log"
}

balance() { # count: HAProxy in front of the first $count nodes
  if [ -n "$haproxy_pid" ]; then kill "$haproxy_pid"; wait "$haproxy_pid" 2>/dev/null || true; fi
  {
    printf 'global\n  maxconn 4000\ndefaults\n  mode http\n  timeout connect 1s\n'
    printf '  timeout client 30s\n  timeout server 30s\n  retries 2\n  option redispatch\n'
    printf 'frontend jeton\n  bind 127.0.0.1:%d\n  default_backend nodes\n' "$lb_port"
    printf 'backend nodes\n  balance roundrobin\n  option httpchk GET /health/ready\n'
    printf '  http-check expect status 200\n  default-server inter 500ms fall 2 rise 2\n'
    for i in $(seq 0 $(($1 - 1))); do
      printf '  server node%d 127.0.0.1:%d check\n' "$i" $((port + i))
    done
  } > "$work/haproxy.cfg"
  "$haproxy_bin" -f "$work/haproxy.cfg" -db > "$work/haproxy.log" 2>&1 &
  haproxy_pid=$!
  pids+=("$haproxy_pid")
  wait_for "$lb/health/ready" "$haproxy_pid" "$work/haproxy.log"
  sleep 1.5 # every server checked up (rise 2 at 500 ms)
}

sessions() { # base url: RT_FILE gets one refresh token per wrk connection
  : > "$RT_FILE"
  for _ in $(seq "$conns"); do
    curl -fs -X POST "$1/accounts/main/api/v1/auth/login" -H 'Content-Type: application/json' \
      -d '{"email":"bench@example.com","password":"load test pass phrase 9"}' \
      | json_field refresh_token >> "$RT_FILE"
    echo >> "$RT_FILE"
  done
  [ "$(grep -c . "$RT_FILE")" = "$conns" ] || { echo "could not start $conns sessions" >&2; exit 1; }
}

runs() { # label, base url
  local label=$1 base=$2
  warm -t2 -c"$conns" -s "$wrkdir/client-credentials.lua" "$base/accounts/main/oauth2/token"
  run_wrk "$label: POST token (client_credentials)" -t2 -c"$conns" -d"$duration" \
    -s "$wrkdir/client-credentials.lua" "$base/accounts/main/oauth2/token"
  cc_rate=$last_rate
  sessions "$base"
  warm -t"$conns" -c"$conns" -s "$wrkdir/refresh.lua" "$base/accounts/main/api/v1/auth/refresh"
  sessions "$base"
  run_wrk "$label: POST /auth/refresh (rotation)" -t"$conns" -c"$conns" -d"$duration" \
    -s "$wrkdir/refresh.lua" "$base/accounts/main/api/v1/auth/refresh"
  rt_rate=$last_rate
}

print_machine
echo "haproxy: $("$haproxy_bin" -v | head -1)"
start_postgres
export RT_FILE=$work/refresh-tokens.txt
max=$(echo "$node_counts" | tr ' ' '\n' | sort -n | tail -1)
for i in $(seq 0 $((max - 1))); do start_node "$i"; done
balance 1
admin=$(curl -fs -X POST "$api/auth/login" -H 'Content-Type: application/json' \
  -d '{"email":"admin@bench.example.com","password":"bench root pass phrase"}' | json_field access_token)
out=$(curl -fs -X POST "$api/clients" -H "Authorization: Bearer $admin" \
  -H 'Content-Type: application/json' \
  -d '{"name":"Bench backend","type":"confidential","grant_types":["client_credentials"],"scopes":["read"]}')
export CLIENT_BASIC="Basic $(printf '%s:%s' "$(echo "$out" | json_field client_id)" \
  "$(echo "$out" | json_field client_secret)" | base64 -w0)"
curl -fs -X POST "$api/auth/register" -H 'Content-Type: application/json' \
  -d '{"email":"bench@example.com","password":"load test pass phrase 9"}' > /dev/null

# every node's JIT warmed up first, so that the first rows are not measured on a cold JVM
for i in $(seq 0 $((max - 1))); do
  wrk -t2 -c"$conns" -d"${PREWARM:-10s}" -s "$wrkdir/client-credentials.lua" \
    "http://127.0.0.1:$((port + i))/accounts/main/oauth2/token" > /dev/null
done
echo "pre-warm-up of each node: ${PREWARM:-10s} of client_credentials"

table "One node without the balancer, then 1 to $max nodes behind HAProxy (PostgreSQL)"
runs "1 node, direct" "http://127.0.0.1:$port"
declare -A cc rt
for n in $node_counts; do
  balance "$n"
  runs "$n node(s), HAProxy" "$lb"
  cc[$n]=$cc_rate
  rt[$n]=$rt_rate
done
echo
echo "| nodes | client_credentials req/s | per node vs 1 | refresh req/s | per node vs 1 |"
echo "|---:|---:|---:|---:|---:|"
for n in $node_counts; do
  awk -v n="$n" -v c="${cc[$n]}" -v c1="${cc[1]:-${cc[$n]}}" -v r="${rt[$n]}" \
    -v r1="${rt[1]:-${rt[$n]}}" 'BEGIN {printf "| %d | %.0f | %.0f %% | %.0f | %.0f %% |\n",
      n, c, 100 * c / n / c1, r, 100 * r / n / r1}'
done
echo
for i in "${!node_pids[@]}"; do
  echo "node $i RSS after the runs: $(( $(ps -o rss= -p "${node_pids[$i]}") / 1024 )) MiB;" \
    "answers other than 2xx in its access log: $(grep '"status":[013-9]' "$work"/node"$i".*/jeton.log \
      | grep -o '"path":"[^"]*","status":[0-9]*\|"status":[0-9]*,"path":"[^"]*"' | sort | uniq -c \
      | awk '{c = $1; $1 = ""; printf "%s x%s; ", $0, c}')"
done
