-- Creates a personal access token per request with the signed-in session in SESSION_TOKEN.
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer " .. os.getenv("SESSION_TOKEN")
wrk.body = '{"comment":"bench","lifetime_seconds":3600}'
