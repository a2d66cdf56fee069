-- Client credentials grant (RFC 6749 4.4) with client_secret_basic: every request authenticates
-- the client and signs one new access token. CLIENT_BASIC is the Authorization header value.
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
wrk.headers["Authorization"] = os.getenv("CLIENT_BASIC")
wrk.body = "grant_type=client_credentials"
-- The latency distribution at the end (jeton-bench/wrk/dist.lua), when WRK_DIR names this folder.
if os.getenv("WRK_DIR") then done = dofile(os.getenv("WRK_DIR") .. "/dist.lua").done end
