#!/usr/bin/env bash
# JMH benchmarks of the hot code: access-token sign/verify (per algorithm), the refresh-token
# lookup on a small and a one-million-row table, the rate-limit decision, the raw Argon2id rate (login's ceiling), and
# ECDSA signing: Nimbus's ECDSASigner, the JDK's P1363 Signature and Jeton's EcdsaSigner (SignerBenchmark).
#
# Usage: jeton-bench/run-jmh.sh [JAVA_HOME] [extra JMH args]
#   (build first: ./mvnw -q -DskipTests package)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
java_home=${1:-${JAVA_HOME:-}}
shift || true
java=${java_home:+$java_home/bin/}java
jar=$root/jeton-bench/target/benchmarks.jar
echo "java: $($java -version 2>&1 | head -1)"
common=(-wi 2 -w 1s -i 3 -r 2s -f 1 -rf text -rff /dev/null)
"$java" -jar "$jar" AccessTokenBenchmark -t 1 "${common[@]}" "$@"
"$java" -jar "$jar" SignerBenchmark -t 1 "${common[@]}" "$@"
"$java" -jar "$jar" SignerBenchmark -t 2 "${common[@]}" "$@"
"$java" -jar "$jar" RefreshLookupBenchmark -t 1 "${common[@]}" "$@"
"$java" -jar "$jar" RateLimiterBenchmark -t 1 "${common[@]}" "$@"
"$java" -jar "$jar" RateLimiterBenchmark -t 2 "${common[@]}" "$@"
"$java" -jar "$jar" PasswordHashBenchmark -t 1 "${common[@]}" "$@"
"$java" -jar "$jar" PasswordHashBenchmark -t 2 "${common[@]}" "$@"
