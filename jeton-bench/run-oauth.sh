#!/usr/bin/env bash
# HTTP load benchmarks of the OAuth endpoints with wrk, on SQLite and on PostgreSQL: a plain
# Javalin hello-world (the ceiling), then, per database, on a fresh Jeton:
#   - client_credentials token requests (client_secret_basic; signs one JWT each),
#   - introspection of one JWT access token,
#   - the refresh_token grant with rotation (each wrk thread follows its own chain),
#   - the authorization-code exchange with PKCE (one seeded single-use code per request),
# and all four again after seeding SEED refresh tokens into the database. The clients are
# registered through the admin API; the authorization codes are issued beforehand through
# Jeton's own code store (dev.jeton.oauth.SeedAuthorizationCodes) for a registered user.
#
# Usage: jeton-bench/run-oauth.sh [JAVA_HOME]   (build first: ./mvnw -q -DskipTests package)
# Needs wrk and curl, and for PostgreSQL the Debian 'postgresql' package (binaries only; a
# throwaway cluster is started on 127.0.0.1). Settings: see lib.sh, plus DBS ("sqlite postgres"),
# AC_MAX_RATE (4000: codes seeded per second of warm-up or run; the "exhausted" counter says when
# that was too few), PREWARM (20s: client_credentials and introspection load on each fresh Jeton
# before its first table; without it the first table read 1.2-3.5x lower than the same runs after
# the seed, as JIT compilation and heap growth from -Xms64m were still going on), AC_SCOPE
# ("read": the scope of the codes and so of the refresh chains; "openid read" adds an RS256 ID
# token to every code exchange and refresh).
. "$(dirname "$0")/lib.sh" "$@"
dbs=${DBS:-sqlite postgres}
ac_max_rate=${AC_MAX_RATE:-4000}
prewarm=${PREWARM:-20s}
redirect_uri=https://app.bench.example.com/callback
export REDIRECT_URI_ENC=https%3A%2F%2Fapp.bench.example.com%2Fcallback
export CODE_VERIFIER=bench-pkce-verifier-0123456789-abcdefghijklmnopqrstuvwxyz
export RT_FILE=$work/rt.txt CODE_FILE=$work/codes.txt
ac_scope=${AC_SCOPE:-read}

seconds() { # 10s, 2m, 500ms -> whole seconds (at least 1)
  case $1 in
    *ms) echo 1 ;;
    *s) echo "${1%s}" ;;
    *m) echo $(( ${1%m} * 60 )) ;;
    *h) echo $(( ${1%h} * 3600 )) ;;
    *) echo "$1" ;;
  esac
}

register_client() { # json -> "client_id client_secret"
  local out
  out=$(curl -fs -X POST "$api/clients" -H "Authorization: Bearer $admin" \
    -H 'Content-Type: application/json' -d "$1")
  echo "$(echo "$out" | json_field client_id) $(echo "$out" | json_field client_secret)"
}

basic() { # client_id secret: ids and secrets are URL-safe (base62), so no form-encoding first
  echo "Basic $(printf '%s:%s' "$1" "$2" | base64 -w0)"
}

cc() { curl -fs -X POST "$issuer/oauth2/token" -H "Authorization: $CC_BASIC" -d grant_type=client_credentials; }

check_active() {
  curl -fs -X POST "$issuer/oauth2/introspect" -H "Authorization: $CC_BASIC" \
    -d "token=$INTROSPECT_TOKEN" | grep -q '"active":true' \
    || { echo "introspection does not answer active:true for the benchmark token" >&2; exit 1; }
}

seed_codes() { # count: CODE_FILE gets that many fresh codes of the web client for the user
  "$java" -cp "$bench" dev.jeton.oauth.SeedAuthorizationCodes "$db_url" "$db_user" "" main \
    "$web_id" "$user_id" "$redirect_uri" "$ac_scope" "$CODE_VERIFIER" "$1" "$CODE_FILE" \
    > "$work/seed-codes.log" 2>&1 || { cat "$work/seed-codes.log" >&2; exit 1; }
}

exchange() { # code -> the token response (curl fails on anything but 2xx)
  curl -fs -X POST "$issuer/oauth2/token" -H "Authorization: $WEB_BASIC" \
    -d grant_type=authorization_code -d "code=$1" -d "redirect_uri=$redirect_uri" \
    -d "code_verifier=$CODE_VERIFIER"
}

refresh_chains() { # one session per wrk thread, each from a real code exchange
  seed_codes "$conns"
  : > "$RT_FILE"
  while read -r code; do
    exchange "$code" | json_field refresh_token >> "$RT_FILE"
    echo >> "$RT_FILE"
  done < "$CODE_FILE"
  [ "$(grep -c . "$RT_FILE")" = "$conns" ] || { echo "could not start $conns sessions" >&2; exit 1; }
}

# The four OAuth runs on the running Jeton; $1 labels the rows.
oauth_runs() {
  local label=$1
  CLIENT_BASIC=$CC_BASIC
  check_active
  warm -t2 -c"$conns" -s "$wrkdir/client-credentials.lua" "$issuer/oauth2/token"
  run_wrk "$label: POST token (client_credentials)" -t2 -c"$conns" -d"$duration" \
    -s "$wrkdir/client-credentials.lua" "$issuer/oauth2/token"
  warm -t2 -c"$conns" -s "$wrkdir/introspect.lua" "$issuer/oauth2/introspect"
  run_wrk "$label: POST introspect (JWT, active)" -t2 -c"$conns" -d"$duration" \
    -s "$wrkdir/introspect.lua" "$issuer/oauth2/introspect"
  check_active
  CLIENT_BASIC=$WEB_BASIC
  refresh_chains
  warm -t"$conns" -c"$conns" -s "$wrkdir/refresh.lua" "$issuer/oauth2/token" -- oauth
  refresh_chains
  run_wrk "$label: POST token (refresh_token, rotation)" -t"$conns" -c"$conns" -d"$duration" \
    -s "$wrkdir/refresh.lua" "$issuer/oauth2/token" -- oauth
  seed_codes $(( ac_max_rate * $(seconds "$warmup") ))
  warm -t2 -c"$conns" -s "$wrkdir/authorization-code.lua" "$issuer/oauth2/token" -- 2
  seed_codes $(( ac_max_rate * $(seconds "$duration") ))
  run_wrk "$label: POST token (authorization_code, PKCE)" -t2 -c"$conns" -d"$duration" \
    -s "$wrkdir/authorization-code.lua" "$issuer/oauth2/token" -- 2
  # After the run: a fresh code still exchanges, and the token it gives introspects as active.
  seed_codes 1
  local at
  at=$(exchange "$(cat "$CODE_FILE")" | json_field access_token)
  # (introspected by the web app it was issued to: no other client may, docs/security.md)
  curl -fs -X POST "$issuer/oauth2/introspect" -H "Authorization: $WEB_BASIC" -d "token=$at" \
    | grep -q '"active":true' || { echo "a code exchanged after the run is not active" >&2; exit 1; }
}

print_machine
echo "pre-warm-up of each fresh Jeton: $prewarm of client_credentials and of introspection"
echo "authorization codes seeded: $ac_max_rate per second of warm-up or run; scope '$ac_scope'" \
  "(with openid, every code exchange and refresh also signs an RS256 ID token)"
table "Ceiling"
hello_ceiling

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
  admin=$(admin_token)
  # A backend for client_credentials and introspection, and a web app for code and refresh.
  read -r cc_id cc_secret < <(register_client '{"name":"Bench backend","type":"confidential",
    "grant_types":["client_credentials"],"scopes":["read","write"]}')
  read -r web_id web_secret < <(register_client "{\"name\":\"Bench web app\",
    \"type\":\"confidential\",\"redirect_uris\":[\"$redirect_uri\"],
    \"grant_types\":[\"authorization_code\",\"refresh_token\"],\"scopes\":[\"openid\",\"read\"]}")
  [ -n "${cc_secret:-}" ] && [ -n "${web_secret:-}" ] || { echo "client registration failed" >&2; exit 1; }
  export CLIENT_BASIC
  CC_BASIC=$(basic "$cc_id" "$cc_secret")
  WEB_BASIC=$(basic "$web_id" "$web_secret")
  user_at=$(curl -fs -X POST "$api/auth/register" -H 'Content-Type: application/json' \
    -d '{"email":"bench@example.com","password":"load test pass phrase 9"}' | json_field access_token)
  user_id=$(curl -fs "$api/me" -H "Authorization: Bearer $user_at" | json_field id)
  export INTROSPECT_TOKEN
  INTROSPECT_TOKEN=$(cc | json_field access_token)
  echo
  echo "$name: start to ready ${ready_ms} ms; access token lifetime $(cc | sed -E 's/.*"expires_in":([0-9]+).*/\1/') s"

  CLIENT_BASIC=$CC_BASIC
  wrk -t2 -c"$conns" -d"$prewarm" -s "$wrkdir/client-credentials.lua" "$issuer/oauth2/token" >/dev/null
  wrk -t2 -c"$conns" -d"$prewarm" -s "$wrkdir/introspect.lua" "$issuer/oauth2/introspect" >/dev/null
  table "OAuth ($name)"
  oauth_runs "$name"
  if [ "$seed" -gt 0 ]; then
    echo
    seed_refresh_tokens
    table "OAuth ($name) after seeding $seed refresh tokens"
    oauth_runs "$name, seeded"
  fi
  echo
  stop_jeton
  if [ "$db" = postgres ]; then stop_postgres; fi
done
