#!/usr/bin/env bash
# The cluster test in full (docs/operations.md#cluster): PostgreSQL (embedded), three Jeton
# processes on loopback ports and HAProxy in front, driven through every scenario of
# jeton-server/src/test/java/dev/jeton/cluster/ClusterTest.java with longer loads and more rounds
# than the short form `./mvnw -B verify` runs: 100 logout rounds (the invalidation delay
# distribution), a 30 s rate-limit run, ten refresh races, 5 s of load before the kill and 15 s
# after. Prints each scenario's figures (lines starting "cluster:") and Surefire's result.
#
# Needs /usr/sbin/haproxy (Debian: apt-get install haproxy) and an unprivileged user (PostgreSQL
# refuses to run as root). Run from anywhere: scripts/cluster-test.sh
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
if [ "$(id -u)" = "0" ]; then
  echo "cluster-test.sh: run as an unprivileged user (the embedded PostgreSQL refuses root)" >&2
  exit 2
fi
[ -x /usr/sbin/haproxy ] || { echo "cluster-test.sh: /usr/sbin/haproxy not found (apt-get install haproxy)" >&2; exit 2; }
cd "$repo"
log=$(mktemp)
set +e
./mvnw -B test -pl jeton-server -Dtest=ClusterTest -Dsurefire.failIfNoSpecifiedTests=false \
  -Djeton.cluster.full=true "$@" > "$log" 2>&1
status=$?
set -e
grep -h "^cluster:" jeton-server/target/surefire-reports/dev.jeton.cluster.ClusterTest-output.txt \
  2>/dev/null || true
grep -E "Tests run: [0-9]+, Failures|BUILD|<<< (FAILURE|ERROR)" "$log" || true
if [ "$status" = "0" ]; then
  rm -f "$log"
else
  echo "Maven's output: $log; the nodes' logs are deleted with the test's directory" >&2
fi
exit "$status"
