-- Introspection (RFC 7662) of one JWT access token by an authenticated confidential client.
-- CLIENT_BASIC is the Authorization header value, INTROSPECT_TOKEN the JWT (URL-safe as is).
-- No response() hook (it would cost wrk CPU on a shared machine): run-oauth.sh checks with curl
-- before and after the run that the answer is {"active":true,...}.
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
wrk.headers["Authorization"] = os.getenv("CLIENT_BASIC")
wrk.body = "token=" .. os.getenv("INTROSPECT_TOKEN") .. "&token_type_hint=access_token"
-- The latency distribution at the end (jeton-bench/wrk/dist.lua), when WRK_DIR names this folder.
if os.getenv("WRK_DIR") then done = dofile(os.getenv("WRK_DIR") .. "/dist.lua").done end
